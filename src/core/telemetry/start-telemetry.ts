import { hostname } from 'node:os';
import { enableTracing } from './tracing.js';

/** Flushes buffered spans and stops exporting. */
export type StopTelemetry = () => Promise<void>;

/** The standard OpenTelemetry variables the gateway reads (the exporter reads the rest itself). */
export interface TelemetryEnvironment {
  readonly OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  readonly OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  readonly OTEL_SDK_DISABLED?: string | undefined;
  readonly OTEL_SERVICE_NAME?: string | undefined;
}

/**
 * Starts trace export over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces-only
 * endpoint) is set and `OTEL_SDK_DISABLED` is not `true`; returns undefined otherwise. The SDK is
 * imported only then, so a gateway without an endpoint never loads it. The exporter, batch
 * processor and sampler read their own standard `OTEL_*` variables (headers, timeouts, delays).
 */
export async function startTelemetry(
  env: TelemetryEnvironment,
  mode: string,
): Promise<StopTelemetry | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const [
    { NodeTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    semconv,
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || 'notify-gateway',
      // Tells api and worker processes of one deployment apart in a trace.
      'service.instance.id': `${hostname()}:${process.pid}`,
      'notify.mode': mode,
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Global tracer provider, the W3C trace-context propagator and the AsyncLocalStorage context
  // manager that carries the active span across awaits.
  provider.register();
  enableTracing();
  return () => provider.shutdown();
}
