import { randomBytes } from 'node:crypto';

// One CSPRNG call per 256 ids instead of one per id: each call costs a trip into OpenSSL, which
// showed up at 2% of the api's profile (BENCHMARKS.md). crypto.randomUUID caches the same way.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** 16 fresh random bytes, handed out once each. */
function random16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

/**
 * A UUIDv7 string: time-ordered, so InnoDB inserts append to the primary key and ids sort by
 * creation time.
 */
export function newId(now: Date = new Date()): string {
  const bytes = random16();
  const ms = BigInt(now.getTime());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The provider idempotency key of a notification: its id as 32 hex chars (Feishu uuid ≤ 50). */
export function idempotencyKeyOf(notificationId: string): string {
  return notificationId.replaceAll('-', '');
}

/** A W3C trace id (32 lowercase hex). */
export function newTraceId(): string {
  return random16().toString('hex');
}

/** The trace id of a W3C `traceparent` header, or undefined when absent or malformed. */
export function traceIdFromTraceparent(header: string | null | undefined): string | undefined {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(header?.trim() ?? '');
  const traceId = match?.[1];
  return traceId && !/^0+$/.test(traceId) ? traceId : undefined;
}
