import { Agent } from 'undici';
import { createSafeLookup } from './safe-lookup.js';

/** Options for the per-provider HTTP agent. */
export interface SafeAgentOptions {
  /** TCP + TLS handshake budget. */
  readonly connectTimeoutMs: number;
  /** Budget for the response headers, and separately for the body, once the request is written. */
  readonly timeoutMs: number;
  /** When false, DNS answers with private addresses are refused at connect time. */
  readonly allowPrivateNetwork: boolean;
}

/**
 * Creates the undici Agent one provider shares across all its sends. Every timeout is explicit:
 * undici's defaults (300 s headers/body) would park a worker slot for minutes on a stuck provider.
 */
export function createSafeAgent(options: SafeAgentOptions): Agent {
  return new Agent({
    connect: {
      timeout: options.connectTimeoutMs,
      ...(options.allowPrivateNetwork ? {} : { lookup: createSafeLookup() }),
    },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    // keepAliveTimeout stays at undici's short default (4 s): a POST written to a socket the
    // server already closed comes back as a reset, which for the webhook means "outcome unknown".
    // No pipelining: with one request per socket a reset is attributable to exactly one send.
    pipelining: 1,
  });
}
