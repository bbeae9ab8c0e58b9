import type { AddressInfo } from 'node:net';
import { createEmulatorClock, type EmulatorClock } from './clock.js';
import { FaultQueue } from './faults.js';
import { createEmulatorServer } from './server.js';
import { EmulatorState, type StoredMessage } from './state.js';
import type {
  AppOptions,
  ChatOptions,
  Fault,
  ReceivedMessage,
  RequestRecord,
  UserOptions,
  WebhookOptions,
} from './types.js';

export type {
  AppOptions,
  ChatOptions,
  Fault,
  FaultRoute,
  ReceivedMessage,
  RequestRecord,
  UserOptions,
  WebhookOptions,
} from './types.js';
export type { EmulatorClock } from './clock.js';
export type { StoredMessage } from './state.js';

/** A running Feishu emulator (docs/feishu-notes.md §5) on 127.0.0.1 and a random port. */
export interface FeishuEmulator {
  /** `http://127.0.0.1:<port>`: use as feishu-openid `baseUrl`. */
  readonly baseUrl: string;
  readonly port: number;
  /** Token expiry, signature skew and uuid windows follow this clock; rate windows use real time. */
  readonly clock: EmulatorClock;
  /** Every accepted message, in order. */
  readonly received: readonly ReceivedMessage[];
  /** Every request seen, accepted, rejected or faulted. */
  readonly requests: readonly RequestRecord[];
  /** The webhook URL for `token`; `localhost` by default because the plugin forbids IP literals. */
  webhookUrl(token: string, host?: string): string;
  addWebhook(token: string, options?: WebhookOptions): void;
  addApp(appId: string, secret: string, options?: AppOptions): void;
  addUser(appId: string, openId: string, options?: UserOptions): void;
  /** A group chat (oc_…) of the app's bot, for receive_id_type chat_id. */
  addChat(appId: string, chatId: string, options?: ChatOptions): void;
  /** A sent message as Feishu keeps it now (content after PATCHes, deleted after DELETE). */
  message(messageId: string): StoredMessage | undefined;
  /** Queue faults; each is consumed by the next request(s) to its route. */
  injectFaults(faults: readonly Fault[]): void;
  /** Make every current token of `appId` (or all apps) invalid: sends answer 99991663. */
  revokeTokens(appId?: string): void;
  /** How many distinct tokens were issued to `appId`. */
  tokensIssued(appId: string): number;
  /** Requests seen on one route. */
  requestsTo(route: RequestRecord['route']): RequestRecord[];
  /** Forget received messages, request log and queued faults (config stays). */
  clearLogs(): void;
  close(): Promise<void>;
}

/** Starts an emulator; always `await emu.close()` in afterAll/afterEach. */
export async function startFeishuEmulator(): Promise<FeishuEmulator> {
  const clock = createEmulatorClock();
  const state = new EmulatorState(clock);
  const faults = new FaultQueue();
  const server = createEmulatorServer(state, faults);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    clock,
    received: state.received,
    requests: state.requests,
    webhookUrl: (token, host = 'localhost') => `http://${host}:${port}/open-apis/bot/v2/hook/${token}`,
    addWebhook: (token, options = {}) => state.addWebhook(token, options),
    addApp: (appId, secret, options = {}) => state.addApp(appId, secret, options),
    addUser: (appId, openId, options = {}) => state.addUser(appId, openId, options),
    addChat: (appId, chatId, options = {}) => state.addChat(appId, chatId, options),
    message: (messageId) => state.messages.get(messageId),
    injectFaults: (list) => faults.push(list),
    revokeTokens: (appId) => state.revokeTokens(appId),
    tokensIssued: (appId) => state.apps.get(appId)?.tokensIssued ?? 0,
    requestsTo: (route) => state.requests.filter((record) => record.route === route),
    clearLogs() {
      state.received.length = 0;
      state.requests.length = 0;
      faults.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
