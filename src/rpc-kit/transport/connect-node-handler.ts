import { Code, ConnectError, createConnectRouter } from '@connectrpc/connect';
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
  type ConnectNodeAdapterOptions,
} from '@connectrpc/connect-node';
import { withErrorDetails, type ErrorDecorator } from './protocol-error-details.js';
import type { HttpRequest, HttpResponse, RpcTransportLogger } from './request-handler.js';

/** Options of {@link createConnectNodeHandler}: connect's adapter options plus the error decorator. */
export interface ConnectNodeHandlerOptions extends Pick<
  ConnectNodeAdapterOptions,
  'routes' | 'interceptors' | 'readMaxBytes' | 'shutdownSignal' | 'jsonOptions'
> {
  /** Supplies details for errors connect raises itself (decode, size); see protocol-error-details.ts. */
  readonly decorateError?: ErrorDecorator | undefined;
  readonly logger?: RpcTransportLogger | undefined;
}

/**
 * connect-node's connectNodeAdapter, plus one step between the router's answer and the wire: an
 * error answer without details goes through `decorateError`. Unknown paths get a bare 404, as there.
 */
export function createConnectNodeHandler(
  options: ConnectNodeHandlerOptions,
): (req: HttpRequest, res: HttpResponse) => void {
  const router = createConnectRouter({ ...options, acceptCompression: [compressionGzip, compressionBrotli] });
  options.routes(router);
  const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
  const decorate = options.decorateError;
  return (req, res) => {
    const handler = handlers.get((req.url ?? '').split('?', 1)[0] ?? '');
    if (!handler) {
      res.writeHead(404);
      res.end();
      return;
    }
    handler(universalRequestFromNodeRequest(req, res, undefined, undefined))
      .then((answer) => (decorate ? withErrorDetails(answer, decorate) : answer))
      .then((answer) => universalResponseToNodeResponse(answer, res))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code === Code.Aborted) return;
        options.logger?.warn(
          { err: reason, rpc: `${handler.service.typeName}/${handler.method.name}` },
          'rpc handler failed',
        );
      });
  };
}
