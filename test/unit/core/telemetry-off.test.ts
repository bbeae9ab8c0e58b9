import { describe, expect, it } from 'vitest';
import { Code } from '@connectrpc/connect';
import { grpcCodeName } from '../../../src/adapters/rpc/rpc-observer-interceptor.js';
import { startTelemetry } from '../../../src/core/telemetry/start-telemetry.js';
import {
  activeTraceId,
  captureContext,
  injectTraceContext,
  isTracingEnabled,
  withSpan,
} from '../../../src/core/telemetry/tracing.js';

describe('telemetry when OTEL_EXPORTER_OTLP_ENDPOINT is unset', () => {
  it('does not start, and every hook calls straight through', async () => {
    expect(await startTelemetry({}, 'api')).toBeUndefined();
    expect(
      await startTelemetry(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' },
        'api',
      ),
    ).toBeUndefined();
    expect(isTracingEnabled()).toBe(false);
    expect(await withSpan('x', {}, (span) => Promise.resolve(span))).toBeUndefined();
    const headers: Record<string, unknown> = {};
    injectTraceContext(headers);
    expect(headers).toEqual({});
    expect(captureContext()).toBeUndefined();
    expect(activeTraceId()).toBeUndefined();
  });
});

describe('grpcCodeName', () => {
  it('names codes as gRPC does', () => {
    expect(grpcCodeName(undefined)).toBe('OK');
    expect(grpcCodeName(Code.InvalidArgument)).toBe('INVALID_ARGUMENT');
    expect(grpcCodeName(Code.ResourceExhausted)).toBe('RESOURCE_EXHAUSTED');
    expect(grpcCodeName(Code.Unavailable)).toBe('UNAVAILABLE');
  });
});
