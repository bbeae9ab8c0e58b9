import type { Http2ServerRequest } from 'node:http2';
import { ByteBudget, type BudgetHolder } from './byte-budget.js';
import type { HttpRequest, HttpResponse } from './request-handler.js';

/** A holder of process-wide budget bytes for longer than this may be evicted to make room: 1 s. */
export const DEFAULT_EVICT_AFTER_MS = 1000;

/** Limits of a MemoryGuard; see the README's `server.*` keys of the same names. */
export interface MemoryGuardLimits {
  /** Request-body bytes buffered at once by the whole process. */
  maxBufferedRequestBytes: number;
  /** Request-body bytes buffered at once for one client connection. */
  maxBufferedRequestBytesPerConnection: number;
  /** A body not complete this long after its headers is refused. */
  requestBodyTimeoutMs: number;
  /** Response bytes written but not yet taken by clients, process-wide. */
  maxUnsentResponseBytes: number;
  /** A response not taken in full this long after it was written is cut. */
  responseTimeoutMs: number;
  /** Holders older than this give way when a budget is full. Default DEFAULT_EVICT_AFTER_MS. */
  evictAfterMs?: number;
}

/** Why the guard stopped a request or a response (a metric label). */
export type RefusalReason = 'request_budget' | 'request_timeout' | 'response_budget' | 'response_timeout';

/** What the guard holds right now and what it has refused so far. */
export interface MemoryGuardStats {
  readonly bufferedRequestBytes: number;
  readonly unsentResponseBytes: number;
  readonly refused: Readonly<Record<RefusalReason, number>>;
}

/** How the guard stops a request: the listener answers in the request's protocol or resets its stream. */
export type Refuse = (req: HttpRequest, res: HttpResponse, reason: RefusalReason) => void;

type Pushable = { push(chunk: unknown, encoding?: BufferEncoding): boolean };
type Writer = (chunk?: unknown, ...rest: unknown[]) => unknown;

/** The connection a request arrived on: its HTTP/2 session, or its HTTP/1.1 socket. */
function connectionOf(req: HttpRequest): object {
  return (req as Partial<Http2ServerRequest>).stream?.session ?? req.socket;
}

function byteLength(chunk: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk);
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

/**
 * Bounds the memory clients can make the process hold: request bodies buffered until their last
 * byte (connect reads a whole message before decoding it), and responses written but not read.
 * Beyond a budget, or past a deadline, a request or response is stopped at once, never queued (a
 * queue would only move the memory elsewhere); the process-wide budgets first evict what has been
 * held longest (ByteBudget), so stalled clients make room for live ones.
 */
export class MemoryGuard {
  private readonly requests: ByteBudget;
  private readonly responses: ByteBudget;
  private readonly perConnection = new WeakMap<object, number>();
  private readonly refused: Record<RefusalReason, number> = {
    request_budget: 0,
    request_timeout: 0,
    response_budget: 0,
    response_timeout: 0,
  };

  constructor(
    private readonly limits: MemoryGuardLimits,
    private readonly refuse: Refuse,
  ) {
    const evictAfterMs = limits.evictAfterMs ?? DEFAULT_EVICT_AFTER_MS;
    this.requests = new ByteBudget(limits.maxBufferedRequestBytes, evictAfterMs);
    this.responses = new ByteBudget(limits.maxUnsentResponseBytes, evictAfterMs);
  }

  /** Current holdings and refusal counts. */
  stats(): MemoryGuardStats {
    return {
      bufferedRequestBytes: this.requests.bytes,
      unsentResponseBytes: this.responses.bytes,
      refused: { ...this.refused },
    };
  }

  /**
   * Starts accounting for one request and its response. Returns false when the request was
   * refused already (its connection is at its budget): the caller must not handle it.
   */
  admit(req: HttpRequest, res: HttpResponse): boolean {
    const connection = connectionOf(req);
    if ((this.perConnection.get(connection) ?? 0) >= this.limits.maxBufferedRequestBytesPerConnection) {
      this.stop(req, res, 'request_budget');
      return false;
    }
    this.guardBody(req, res, connection);
    this.guardResponse(req, res);
    return true;
  }

  private guardBody(req: HttpRequest, res: HttpResponse, connection: object): void {
    let held = 0;
    let done = false;
    let refused = false;
    const refuse = (reason: RefusalReason): void => {
      release();
      refused = true;
      this.stop(req, res, reason);
    };
    const holder: BudgetHolder = { evict: () => refuse('request_budget') };
    const release = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.requests.release(holder);
      const left = (this.perConnection.get(connection) ?? held) - held;
      if (left > 0) this.perConnection.set(connection, left);
      else this.perConnection.delete(connection);
      held = 0;
    };
    const timer = setTimeout(() => refuse('request_timeout'), this.limits.requestBodyTimeoutMs);
    timer.unref();
    // Both servers hand body bytes to the request through push(); counting there sees every byte
    // without changing how the handler reads the stream.
    const pushable = req as unknown as Pushable;
    const push = pushable.push.bind(req);
    pushable.push = (chunk, encoding) => {
      // A refused body's remaining bytes (read while its HTTP/1.1 answer lingers) are dropped, never kept.
      if (refused && chunk !== null) return true;
      const bytes = done ? 0 : byteLength(chunk);
      if (bytes > 0) {
        const onConnection = (this.perConnection.get(connection) ?? 0) + bytes;
        if (
          onConnection > this.limits.maxBufferedRequestBytesPerConnection ||
          !this.requests.take(holder, bytes)
        ) {
          holder.evict();
          return false;
        }
        held += bytes;
        this.perConnection.set(connection, onConnection);
      }
      // null ends the body: connect decodes the message now and drops the raw bytes.
      if (chunk === null) release();
      return push(chunk, encoding);
    };
    req.once('end', release);
    req.once('close', release);
    res.once('close', release);
  }

  private guardResponse(req: HttpRequest, res: HttpResponse): void {
    let timer: NodeJS.Timeout | undefined;
    let unsent = 0;
    let done = false;
    const holder: BudgetHolder = {
      evict: () => {
        release();
        this.stop(req, res, 'response_budget');
      },
    };
    const release = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.responses.release(holder);
    };
    // The deadline runs only while bytes wait for the client: a long stream it reads is never cut.
    const taken = (bytes: number): void => {
      if (done) return;
      unsent -= bytes;
      this.responses.giveBack(holder, bytes);
      if (unsent > 0) return;
      clearTimeout(timer);
      timer = undefined;
    };
    const count = (chunk: unknown): number | false => {
      const bytes = done ? 0 : byteLength(chunk);
      if (bytes === 0) return 0;
      if (!this.responses.take(holder, bytes)) {
        holder.evict();
        return false;
      }
      unsent += bytes;
      timer ??= setTimeout(() => {
        release();
        this.stop(req, res, 'response_timeout');
      }, this.limits.responseTimeoutMs).unref();
      return bytes;
    };
    const writable = res as unknown as { write: Writer; end: Writer };
    const write: Writer = writable.write.bind(res);
    const end: Writer = writable.end.bind(res);
    // A write's callback runs once the socket (HTTP/1.1) or nghttp2 (HTTP/2, after flow control) took its bytes.
    writable.write = (chunk, ...rest) => {
      const bytes = count(chunk);
      if (bytes === false) return false;
      const callbackAt = rest.findIndex((arg) => typeof arg === 'function');
      const callback = callbackAt >= 0 ? (rest[callbackAt] as (error?: Error | null) => void) : undefined;
      const onTaken = (error?: Error | null): void => {
        taken(bytes);
        callback?.(error);
      };
      if (callbackAt >= 0) rest[callbackAt] = onTaken;
      else rest.push(onTaken);
      return write(chunk, ...rest);
    };
    writable.end = (chunk, ...rest) => {
      if (typeof chunk !== 'function' && count(chunk) === false) return res;
      return end(chunk, ...rest);
    };
    // 'finish' comes once the last byte has left the process.
    res.once('finish', release);
    res.once('close', release);
  }

  private stop(req: HttpRequest, res: HttpResponse, reason: RefusalReason): void {
    this.refused[reason]++;
    this.refuse(req, res, reason);
  }
}
