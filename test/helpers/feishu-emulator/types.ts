/** Per-token config of an emulated custom bot (docs/feishu-notes.md §2.4). */
export interface WebhookOptions {
  /** Signing secret; when set, `timestamp` + `sign` are required and checked. */
  readonly secret?: string;
  /** When non-empty, text values must contain at least one (else 19024). */
  readonly keywords?: readonly string[];
  /** IPv4 addresses, `a.b.c.*` wildcards or CIDRs; when non-empty the caller must match (else 19022). */
  readonly ipAllowlist?: readonly string[];
  /** Feishu's per-bot limits, 5/s and 100/min by default. */
  readonly ratePerSecond?: number;
  readonly ratePerMinute?: number;
}

/** Config of an emulated self-built app. */
export interface AppOptions {
  /** Send API limit per app (default 50/s, answered with 429 99991400). */
  readonly ratePerSecond?: number;
  /** Token lifetime in seconds (default 7200). */
  readonly tokenLifetimeSeconds?: number;
  /** The tenant's recall limit in ms (default 24 h); older DELETEs answer 230026. */
  readonly recallWindowMs?: number;
}

/** A group chat the app's bot is in. */
export interface ChatOptions {
  /** False → 230002 (bot not in the group). Default true. */
  readonly botIsMember?: boolean;
}

/** State of an emulated user under one app. */
export interface UserOptions {
  /** False → 230013 (outside the app's availability scope). Default true. */
  readonly inAvailability?: boolean;
  /** True → 230053 (user turned off the bot's messages). Default false. */
  readonly blockedBot?: boolean;
  /** Per-user limit (default 5/s, answered with 400 230020). */
  readonly ratePerSecond?: number;
  /** Other ids of the user (receive_id_type user_id / union_id / email, and batch_get_id). */
  readonly userId?: string;
  readonly unionId?: string;
  readonly email?: string;
  readonly mobile?: string;
}

/** The three emulated endpoints a fault can target. */
export type FaultRoute = 'webhook' | 'token' | 'messages' | 'message' | 'contact';

interface FaultBase {
  /** Only requests to this route take the fault; any route when omitted. */
  readonly route?: FaultRoute;
  /** How many matching requests take it (default 1). */
  readonly times?: number;
}

/** One scripted misbehaviour, consumed by the next matching request(s). */
export type Fault = FaultBase &
  (
    | { readonly type: 'delay'; readonly ms: number }
    /** Process the request normally (a message is accepted), then hold the answer for `ms`. */
    | { readonly type: 'holdReply'; readonly ms: number }
    | { readonly type: 'hang' }
    | { readonly type: 'reset' }
    | {
        readonly type: 'http';
        readonly status: number;
        readonly body?: string | Record<string, unknown>;
        readonly headers?: Readonly<Record<string, string>>;
      }
    | {
        readonly type: 'code';
        readonly code: number;
        readonly msg?: string;
        readonly status?: number;
        readonly headers?: Readonly<Record<string, string>>;
      }
    | { readonly type: 'rateLimit'; readonly resetSeconds: number; readonly status?: number }
  );

/** A message the emulator accepted (what a user or group would see). */
export interface ReceivedMessage {
  readonly route: 'webhook' | 'messages';
  /** Hook token (webhook) or undefined. */
  readonly token?: string;
  readonly appId?: string;
  readonly openId?: string;
  /** im/v1: the receive_id_type and receive_id as sent (open_id, chat_id, …). */
  readonly receiveIdType?: string;
  readonly receiveId?: string;
  readonly msgType: string;
  /** The parsed request body as received. */
  readonly body: Record<string, unknown>;
  readonly uuid?: string;
  readonly messageId?: string;
  readonly at: Date;
}

/** Every request the emulator saw, accepted or not. */
export interface RequestRecord {
  readonly route: FaultRoute | 'unknown';
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly bodyText: string;
  readonly json: unknown;
  readonly at: Date;
  /** The fault applied, if any. */
  fault?: Fault['type'];
  /** HTTP status and Feishu code answered (unset for hang/reset). */
  status?: number;
  code?: number;
}
