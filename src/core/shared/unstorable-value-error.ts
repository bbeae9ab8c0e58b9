/**
 * A write the database refuses for its values, not for its availability (a value too long for its
 * column, a malformed JSON text): the same write can never succeed, so retrying it is a poison
 * loop. Stores throw it with the driver's error as `cause`; consumers end such work once.
 */
export class UnstorableValueError extends Error {
  override readonly name = 'UnstorableValueError';
}
