import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enableTracing,
  extractTraceContext,
  injectTraceContext,
  withCallbackSpan,
  withSpan,
} from '../../../src/core/telemetry/tracing.js';

// This file turns tracing on for its own module graph (vitest isolates test files).
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

describe('tracing helpers with an SDK registered', () => {
  beforeAll(() => {
    provider.register();
    enableTracing();
  });
  afterAll(() => provider.shutdown());

  it('carries a trace through message headers: the consumer span is a child of the publish span', async () => {
    const headers: Record<string, unknown> = {};
    await withSpan('notify.publish', { kind: 'producer' }, () => {
      injectTraceContext(headers);
      return Promise.resolve();
    });
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await withSpan('notify.consume', { kind: 'consumer', parent: extractTraceContext(headers) }, () =>
      withSpan('notify.provider.send', { kind: 'client' }, () => Promise.resolve()),
    );
    const spans = new Map(exporter.getFinishedSpans().map((span) => [span.name, span]));
    const publish = spans.get('notify.publish');
    const consume = spans.get('notify.consume');
    const send = spans.get('notify.provider.send');
    expect(consume?.spanContext().traceId).toBe(publish?.spanContext().traceId);
    expect(consume?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
    expect(send?.parentSpanContext?.spanId).toBe(consume?.spanContext().spanId);
  });

  it('a callback span joins the trace of the record it reports, and a failure marks it', async () => {
    const traceId = 'ab'.repeat(16);
    await expect(
      withCallbackSpan({ callbackId: 'crm', event: 'sent', notificationId: 'n1' }, traceId, () =>
        Promise.reject(new Error('receiver answered 500')),
      ),
    ).rejects.toThrow('500');
    const span = exporter.getFinishedSpans().find((s) => s.name === 'notify.callback');
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.attributes['notify.callback_id']).toBe('crm');
    expect(span?.status.code).toBe(2); // ERROR
  });
});
