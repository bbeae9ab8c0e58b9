import { randomBytes } from 'node:crypto';

/** Connection strings of the dev/CI services (docs/architecture.md §10); overridable for other machines. */
export const TEST_MYSQL_ROOT_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const TEST_AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A short random name part so concurrent test files never share databases or queues. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}
