import type { Logger } from '../core/shared/logger.js';

/**
 * What a gateway process must close on stop, in the reverse of the order it was opened: the last
 * thing started (the RPC listener) stops first, the first thing opened (the channels) closes last.
 */
export class Closers {
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(private readonly logger: Logger) {}

  /** Registers `close` to run before everything registered earlier. */
  push(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  /** Runs every closer once, newest first; a failing closer is logged and does not stop the rest. */
  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse())
      await close().catch((error: unknown) => this.logger.error({ err: error }, 'close failed'));
  }
}
