import { PRIVATE_ADDRESS_ERROR_CODE } from './safe-lookup.js';

/**
 * Where a request without a response failed:
 * - `connect`: DNS, refused, unreachable, connect timeout, TLS. Nothing reached the provider.
 * - `private_address`: our connect-time SSRF guard refused the resolved address.
 * - `timeout`: the request was written and no (complete) answer came in time. Outcome unknown.
 * - `reset`: the socket died after connecting. Undici writes the request as soon as the socket is
 *   up, so the provider may have received and acted on it: treated as outcome unknown, like a timeout.
 * - `aborted`: the gateway aborted the call (hard shutdown); also outcome unknown.
 */
export type TransportPhase = 'connect' | 'private_address' | 'timeout' | 'reset' | 'aborted';

/** A request that produced no HTTP response. */
export interface TransportFailure {
  readonly kind: 'failure';
  readonly phase: TransportPhase;
  /** Error code and message only, never the URL. */
  readonly detail: string;
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  // TLS handshake failures (e.g. a plain-HTTP server behind an https URL) happen before the request.
  'EPROTO',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Maps an undici/node error to the phase it failed in; unknown errors count as `reset` (unsafe). */
export function classifyTransportError(
  error: unknown,
  deadlineHit: boolean,
  callerAborted: boolean,
): TransportFailure {
  const codes = collectCodes(error);
  const detail = describe(error, codes);
  if (codes.includes(PRIVATE_ADDRESS_ERROR_CODE))
    return { kind: 'failure', phase: 'private_address', detail };
  if (codes.some((code) => TIMEOUT_CODES.has(code)) || deadlineHit) {
    return { kind: 'failure', phase: 'timeout', detail };
  }
  if (callerAborted) return { kind: 'failure', phase: 'aborted', detail };
  if (codes.length > 0 && codes.every((code) => isConnectCode(code))) {
    return { kind: 'failure', phase: 'connect', detail };
  }
  return { kind: 'failure', phase: 'reset', detail };
}

function isConnectCode(code: string): boolean {
  return CONNECT_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_');
}

/** Codes of the error, its causes and (happy-eyeballs) aggregated errors. */
function collectCodes(error: unknown, depth = 0): string[] {
  if (depth > 4 || error === null || typeof error !== 'object') return [];
  const like = error as ErrorLike;
  const codes: string[] = typeof like.code === 'string' ? [like.code] : [];
  if (Array.isArray(like.errors)) {
    for (const inner of like.errors) codes.push(...collectCodes(inner, depth + 1));
  }
  codes.push(...collectCodes(like.cause, depth + 1));
  return codes;
}

function describe(error: unknown, codes: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  return codes.length > 0 ? `${codes[0]}: ${message}` : message;
}
