import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';

/**
 * Spans of the gateway, written against @opentelemetry/api only. Until {@link enableTracing} is
 * called (by start-telemetry.ts, only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set) every helper here
 * checks one boolean and calls straight through: no span objects, no context switches, no headers.
 */
let enabled = false;

/** Switches the helpers on; called once the SDK's tracer provider is registered globally. */
export function enableTracing(): void {
  enabled = true;
}

/** Whether spans are recorded in this process. */
export function isTracingEnabled(): boolean {
  return enabled;
}

/** What a span is, in OpenTelemetry's words. */
export type GatewaySpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

const KINDS: Readonly<Record<GatewaySpanKind, SpanKind>> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/** Options of {@link withSpan}. */
export interface SpanOptions {
  /** Default `internal`. */
  readonly kind?: GatewaySpanKind;
  readonly attributes?: Attributes;
  /** Parent context (e.g. extracted from message headers); default the active one. */
  readonly parent?: Context;
  /**
   * Join the trace of a stored record (its `trace_id`, 32 hex) when there is no live parent, e.g. a
   * status callback sent long after the delivery: the span lands in the same trace as the trigger.
   */
  readonly traceId?: string;
}

function tracer() {
  return trace.getTracer('notify-gateway');
}

/** Starts a span (undefined when tracing is off); the caller must end it. */
export function startSpan(name: string, options: SpanOptions = {}): Span | undefined {
  if (!enabled) return undefined;
  return tracer().startSpan(
    name,
    { kind: KINDS[options.kind ?? 'internal'], attributes: options.attributes },
    parentOf(options),
  );
}

/**
 * Runs `body` inside a span named `name`: the span is active for everything `body` awaits, ends when
 * it settles, and records a rejection as an error. With tracing off it is `body(undefined)`.
 * Status callbacks use {@link withCallbackSpan}.
 */
export function withSpan<T>(
  name: string,
  options: SpanOptions,
  body: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return body(undefined);
  const span = startSpan(name, options) as Span;
  return context.with(trace.setSpan(parentOf(options), span), async () => {
    try {
      return await body(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * The span of one status-callback attempt (for the callback sender): `notify.callback`, a client
 * span in the trace of the record the callback reports (its stored `trace_id`), so the trace runs
 * from the trigger to the caller being told. With tracing off it is `body(undefined)`.
 */
export function withCallbackSpan<T>(
  callback: { readonly callbackId: string; readonly event: string; readonly notificationId: string },
  recordTraceId: string,
  body: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return body(undefined);
  const attributes = {
    'notify.callback_id': callback.callbackId,
    'notify.callback_event': callback.event,
    'notify.notification_id': callback.notificationId,
  };
  return withSpan('notify.callback', { kind: 'client', traceId: recordTraceId, attributes }, body);
}

/** Marks a span failed with `error` (a no-op for an undefined span). */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
}

/** Runs `body` with `span` active (plain `body()` when there is no span). */
export function runInSpan<T>(span: Span | undefined, body: () => T): T {
  if (!span) return body();
  return context.with(trace.setSpan(context.active(), span), body);
}

/** Writes the active trace context into message headers (W3C `traceparent`/`tracestate`). */
export function injectTraceContext(headers: Record<string, unknown>): void {
  if (!enabled) return;
  propagation.inject(context.active(), headers);
}

/** The trace context carried by incoming headers (W3C), to parent a server or consumer span. */
export function extractTraceContext(headers: Readonly<Record<string, unknown>> | undefined): Context {
  if (!enabled || !headers) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => headerText(carrier[key]),
  });
}

/** The active context, to hand across a queue that does not carry AsyncLocalStorage (undefined when off). */
export function captureContext(): Context | undefined {
  return enabled ? context.active() : undefined;
}

/** Runs `body` in a captured context (plain `body()` when none was captured). */
export function runInContext<T>(captured: Context | undefined, body: () => T): T {
  return captured ? context.with(captured, body) : body();
}

/** The trace id of the active span, when tracing is on and a span is active. */
export function activeTraceId(): string | undefined {
  if (!enabled) return undefined;
  return trace.getActiveSpan()?.spanContext().traceId;
}

function parentOf(options: SpanOptions): Context {
  if (options.parent) return options.parent;
  const active = context.active();
  if (options.traceId === undefined || trace.getSpan(active) !== undefined) return active;
  if (!/^[0-9a-f]{32}$/.test(options.traceId) || /^0+$/.test(options.traceId)) return active;
  // W3C has no "trace without a parent span": a remote parent with a fresh span id stands in for
  // the span that stored the record.
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: options.traceId,
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}
