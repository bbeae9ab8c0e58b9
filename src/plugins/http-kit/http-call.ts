import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { classifyTransportError, type TransportFailure } from './transport-failure.js';

/** An HTTP answer, whatever its status. */
export interface HttpResponse {
  readonly kind: 'response';
  readonly status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The parsed body when it is JSON, else undefined. */
  readonly json: unknown;
}

/** Options for one JSON POST. */
export interface PostJsonOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** The caller's signal (gateway shutdown). */
  readonly signal?: AbortSignal;
  /** Hard cap on the whole call, a safety net over the agent's connect/headers/body timeouts. */
  readonly deadlineMs: number;
}

/** Bodies kept for classification and the audit row; provider answers (Feishu's) are a few hundred bytes. */
const MAX_BODY_CHARS = 64 * 1024;

/** POSTs a JSON string; never throws: transport errors come back as a classified failure. */
export function postJson(
  dispatcher: Dispatcher,
  url: URL,
  body: string,
  options: PostJsonOptions,
): Promise<HttpResponse | TransportFailure> {
  return sendJson(dispatcher, 'POST', url, body, options);
}

/** Sends a JSON request (PATCH, DELETE, …; `body` undefined for none); never throws. */
export async function sendJson(
  dispatcher: Dispatcher,
  method: 'POST' | 'PATCH' | 'DELETE',
  url: URL,
  body: string | undefined,
  options: PostJsonOptions,
): Promise<HttpResponse | TransportFailure> {
  if (options.signal?.aborted) {
    // Nothing was written, so this is as safe to retry as a refused connection.
    return { kind: 'failure', phase: 'connect', detail: 'aborted before sending' };
  }
  const deadline = AbortSignal.timeout(options.deadlineMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    const response = await request(url, {
      dispatcher,
      method,
      headers: { 'content-type': 'application/json; charset=utf-8', ...options.headers },
      ...(body !== undefined ? { body } : {}),
      signal,
    });
    const text = (await response.body.text()).slice(0, MAX_BODY_CHARS);
    return {
      kind: 'response',
      status: response.statusCode,
      headers: flattenHeaders(response.headers),
      text,
      json: parseJson(text),
    };
  } catch (error) {
    return classifyTransportError(error, deadline.aborted, options.signal?.aborted === true);
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
