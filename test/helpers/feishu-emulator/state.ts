import { SlidingWindow, type EmulatorClock } from './clock.js';
import type {
  AppOptions,
  ChatOptions,
  ReceivedMessage,
  RequestRecord,
  UserOptions,
  WebhookOptions,
} from './types.js';

/** One emulated custom bot. */
export interface WebhookState {
  readonly options: WebhookOptions;
  readonly perSecond: SlidingWindow;
  readonly perMinute: SlidingWindow;
}

/** One issued tenant token. */
export interface TokenState {
  readonly token: string;
  readonly appId: string;
  readonly expiresAt: number;
  revoked: boolean;
}

/** One emulated user of an app. */
export interface UserState {
  readonly options: UserOptions;
  readonly window: SlidingWindow;
}

/** One message an app sent, as Feishu keeps it (for PATCH and DELETE). */
export interface StoredMessage {
  readonly messageId: string;
  readonly appId: string;
  readonly msgType: string;
  /** The current content, parsed (cards: the card JSON). */
  content: unknown;
  readonly sentAt: number;
  deleted: boolean;
  /** Every accepted PATCH content, parsed, in order. */
  readonly updates: unknown[];
  readonly window: SlidingWindow;
}

/** One emulated self-built app. */
export interface AppState {
  readonly secret: string;
  readonly options: AppOptions;
  readonly window: SlidingWindow;
  readonly users: Map<string, UserState>;
  readonly chats: Map<string, ChatOptions & { window: SlidingWindow }>;
  /** The token the endpoint currently hands out. */
  current: TokenState | undefined;
  tokensIssued: number;
  /** uuid → first success body and when it was sent (emulator clock). */
  readonly uuids: Map<string, { at: number; body: Record<string, unknown> }>;
}

/** Everything the emulator knows; shared by the routes. */
export class EmulatorState {
  readonly webhooks = new Map<string, WebhookState>();
  readonly apps = new Map<string, AppState>();
  readonly tokens = new Map<string, TokenState>();
  readonly received: ReceivedMessage[] = [];
  readonly requests: RequestRecord[] = [];
  readonly messages = new Map<string, StoredMessage>();

  constructor(readonly clock: EmulatorClock) {}

  addWebhook(token: string, options: WebhookOptions): void {
    this.webhooks.set(token, {
      options,
      perSecond: new SlidingWindow(options.ratePerSecond ?? 5, 1000),
      perMinute: new SlidingWindow(options.ratePerMinute ?? 100, 60_000),
    });
  }

  addApp(appId: string, secret: string, options: AppOptions): void {
    this.apps.set(appId, {
      secret,
      options,
      window: new SlidingWindow(options.ratePerSecond ?? 50, 1000),
      users: new Map(),
      chats: new Map(),
      current: undefined,
      tokensIssued: 0,
      uuids: new Map(),
    });
  }

  addUser(appId: string, openId: string, options: UserOptions): void {
    const app = this.apps.get(appId);
    if (!app) throw new Error(`emulator: addApp(${appId}) first`);
    app.users.set(openId, { options, window: new SlidingWindow(options.ratePerSecond ?? 5, 1000) });
  }

  addChat(appId: string, chatId: string, options: ChatOptions): void {
    const app = this.apps.get(appId);
    if (!app) throw new Error(`emulator: addApp(${appId}) first`);
    app.chats.set(chatId, { ...options, window: new SlidingWindow(5, 1000) });
  }

  /** Invalidates every token of `appId` (or of all apps), as if Feishu revoked them. */
  revokeTokens(appId?: string): void {
    for (const token of this.tokens.values()) {
      if (appId === undefined || token.appId === appId) token.revoked = true;
    }
  }
}
