import type { ChannelModel } from 'amqplib';
import { installedPackageVersion } from '../installed-package-version.js';

/** The amqplib release whose internals this patch was written against and measured on. */
export const AMQPLIB_PATCHED_VERSION = '2.3.1';

/**
 * Whether the patch applies to the installed amqplib: only to the exact version it was written
 * against, since it reaches into private fields a patch release may rename. Checked at boot (the
 * bus's first connect), which logs a warning and leaves amqplib alone on a mismatch.
 */
export function frameWritePatchFits(installed = installedPackageVersion('amqplib')): boolean {
  return installed === AMQPLIB_PATCHED_VERSION;
}

const COALESCED = Symbol('notify-gateway.coalescedFrameWrites');

/** The two amqplib internals this relies on (amqplib 2.3: lib/connection.js and lib/mux.js). */
interface ConnectionInternals {
  readonly stream?: { cork?: () => void; uncork?: () => void };
  readonly muxer?: { _readIncoming?: () => void; [COALESCED]?: true };
}

/**
 * Makes the frames amqplib queues in one event-loop turn leave in one socket write.
 *
 * amqplib's multiplexer drains every channel's frame queue once per turn, but writes each frame
 * with its own `socket.write`, so each publish and each ack costs a write syscall (and a wake-up
 * of the broker). Under load those were most of the gateway's socket writes: about one per record
 * in the api (publishes) and one per record in the worker (acks), more than all MySQL traffic
 * together (strace, BENCHMARKS.md). Corking the socket for the duration of one drain turns them
 * into a single writev; frame order and flow control are unchanged, since the multiplexer still
 * writes the same frames in the same order and still stops when `write` reports backpressure.
 *
 * Only a performance measure: for another amqplib version (`installed`, default the one
 * installed), or when the internals are not as expected, nothing is changed and it answers false.
 * The bus contract test asserts it applies to the pinned version.
 */
export function coalesceFrameWrites(
  model: ChannelModel,
  installed = installedPackageVersion('amqplib'),
): boolean {
  if (!frameWritePatchFits(installed)) return false;
  const internals = (model as unknown as { connection?: ConnectionInternals }).connection;
  const socket = internals?.stream;
  const muxer = internals?.muxer;
  const drain = muxer?._readIncoming;
  if (!socket?.cork || !socket.uncork || !muxer || typeof drain !== 'function') return false;
  if (muxer[COALESCED]) return true;
  const cork = socket.cork.bind(socket);
  const uncork = socket.uncork.bind(socket);
  muxer._readIncoming = function drainCorked(this: unknown) {
    cork();
    try {
      drain.call(this);
    } finally {
      uncork();
    }
  };
  muxer[COALESCED] = true;
  return true;
}
