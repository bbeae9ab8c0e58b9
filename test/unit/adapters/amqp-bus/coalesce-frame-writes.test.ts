import type { ChannelModel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import {
  AMQPLIB_PATCHED_VERSION,
  coalesceFrameWrites,
  frameWritePatchFits,
} from '../../../../src/adapters/amqp-bus/coalesce-frame-writes.js';
import { installedPackageVersion } from '../../../../src/adapters/installed-package-version.js';

/** A stand-in with the two amqplib internals the patch touches, recording socket calls. */
function fakeModel() {
  const calls: string[] = [];
  const drain = () => calls.push('drain');
  const muxer: { _readIncoming: () => void } = { _readIncoming: drain };
  const connection = {
    stream: { cork: () => calls.push('cork'), uncork: () => calls.push('uncork') },
    muxer,
  };
  return { model: { connection } as unknown as ChannelModel, muxer, drain, calls };
}

describe('amqplib frame-write coalescing, checked against the version it was written for', () => {
  it('is written against the installed (pinned) amqplib', () => {
    expect(installedPackageVersion('amqplib')).toBe(AMQPLIB_PATCHED_VERSION);
    expect(frameWritePatchFits()).toBe(true);
  });

  it('corks the socket around one drain on the version it was written for', () => {
    const fake = fakeModel();
    expect(coalesceFrameWrites(fake.model, AMQPLIB_PATCHED_VERSION)).toBe(true);
    fake.muxer._readIncoming();
    expect(fake.calls).toEqual(['cork', 'drain', 'uncork']);
  });

  it('leaves amqplib untouched on any other version', () => {
    const fake = fakeModel();
    expect(coalesceFrameWrites(fake.model, '2.4.0')).toBe(false);
    expect(fake.muxer._readIncoming).toBe(fake.drain);
  });
});
