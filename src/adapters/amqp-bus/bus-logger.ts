/** Structured logger the AMQP bus reports to (pino-compatible: fields first, then the message). */
export interface BusLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Discards everything; the default when no logger is given. */
export const SILENT_BUS_LOGGER: BusLogger = { info() {}, warn() {}, error() {} };

/** The message of anything thrown, for log fields. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
