import type { Scope } from '../../core/config/gateway-config.js';
import { alertmanagerEvents } from '../../core/event/alertmanager.js';
import type { EventService } from '../../core/event/event-service.js';
import { GatewayError, type GatewayErrorKind } from '../../core/shared/gateway-error.js';
import type { HttpRequest, HttpResponse, HttpRouteHandler } from '../../rpc-kit/transport/request-handler.js';

/** The path Alertmanager's webhook_config posts to. */
export const ALERTMANAGER_PATH = '/ingest/alertmanager';

const HTTP_STATUS: Record<GatewayErrorKind, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 413,
  unavailable: 503,
  internal: 500,
};

/** What the route needs; injected by the composition root. */
export interface AlertmanagerRouteOptions {
  readonly events: EventService;
  /** The API-key check of the RPCs (scope `trigger`). */
  readonly authorize: (authorization: string | null, scope: Scope) => void;
  readonly maxBodyBytes: number;
}

async function readBody(req: HttpRequest, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes)
      throw new GatewayError(
        'resource_exhausted',
        'request_too_large',
        `body is larger than ${maxBytes} bytes`,
      );
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answer(res: HttpResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function header(req: HttpRequest, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

/**
 * POST /ingest/alertmanager: an Alertmanager webhook payload (version 4), one event per alert
 * through the event rules. Answers 200 with `{ events: [{ event_id, deduplicated, decisions }] }`,
 * or the error as `{ code, reason, message, field? }` with 400/401/403/409/413/503 (Alertmanager
 * retries non-2xx answers; event ids are deterministic, so a retry deduplicates what got through).
 * Optional query parameter `user_ids=u1,u2` adds event users (for the default rule).
 */
export function alertmanagerRoute(options: AlertmanagerRouteOptions): HttpRouteHandler {
  return async (req, res) => {
    try {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' });
        res.end();
        return;
      }
      options.authorize(header(req, 'authorization'), 'trigger');
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const userIds = (query.get('user_ids') ?? '').split(',').filter((id) => id.length > 0);
      let payload: unknown;
      try {
        payload = JSON.parse(await readBody(req, options.maxBodyBytes));
      } catch (error) {
        if (error instanceof GatewayError) throw error;
        throw new GatewayError('invalid_argument', 'invalid_json', 'body is not JSON');
      }
      const published = [];
      for (const input of alertmanagerEvents(payload, userIds)) {
        const result = await options.events.publish(input, 'alertmanager');
        published.push({
          event_id: result.event.eventId,
          type: result.event.type,
          status: result.event.status,
          severity: result.event.severity,
          fingerprint: result.event.fingerprint,
          deduplicated: result.deduplicated,
          decisions: result.decisions.length,
        });
      }
      answer(res, 200, { events: published });
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      answer(res, HTTP_STATUS[error.kind], {
        code: error.kind,
        reason: error.reason,
        message: error.message,
        ...(error.field !== undefined && { field: error.field }),
      });
    }
  };
}
