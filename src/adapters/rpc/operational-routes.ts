import type { HttpRouteHandler } from '../../rpc-kit/transport/request-handler.js';

/** What the operational endpoints read. */
export interface OperationalSources {
  /** Each throws when its dependency is unreachable (database, broker). */
  readonly readinessChecks: ReadonlyArray<() => Promise<void>>;
  readonly renderMetrics: () => Promise<{ contentType: string; body: string }>;
}

/**
 * /healthz (the process is up), /readyz (every dependency reachable, else 503) and /metrics
 * (Prometheus text), served beside the RPCs or alone by a worker (`worker.httpPort`).
 */
export function operationalRoutes(sources: OperationalSources): Record<string, HttpRouteHandler> {
  return {
    '/healthz': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    },
    '/readyz': async (_req, res) => {
      const ready = await Promise.all(sources.readinessChecks.map((check) => check())).then(
        () => true,
        () => false,
      );
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ready ? 'ready\n' : 'not ready\n');
    },
    '/metrics': async (_req, res) => {
      const { contentType, body } = await sources.renderMetrics();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    },
  };
}
