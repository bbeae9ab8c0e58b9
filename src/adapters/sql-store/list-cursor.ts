/** Thrown by `list` for a cursor it did not issue; the RPC layer maps it to InvalidArgument. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('invalid page cursor');
  }
}

/** Keyset position of the last record of a page: (created_at, id), newest first. */
export interface ListCursor {
  readonly createdAt: Date;
  readonly id: string;
}

/** Encodes a keyset position as an opaque base64url token. */
export function encodeListCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.getTime(), cursor.id]), 'utf8').toString('base64url');
}

/** Decodes a token from {@link encodeListCursor}; throws InvalidCursorError for anything else. */
export function decodeListCursor(token: string): ListCursor {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new InvalidCursorError();
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidCursorError();
  const [millis, id] = parsed as unknown[];
  if (typeof millis !== 'number' || !Number.isSafeInteger(millis) || typeof id !== 'string' || id === '') {
    throw new InvalidCursorError();
  }
  const createdAt = new Date(millis);
  if (Number.isNaN(createdAt.getTime())) throw new InvalidCursorError();
  return { createdAt, id };
}
