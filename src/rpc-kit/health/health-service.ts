import { Code, ConnectError } from '@connectrpc/connect';
import type { ConnectRouter, ServiceImpl } from '@connectrpc/connect';
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from '../../gen/grpc/health/v1/health_pb.js';
import type { HealthServingStatus, HealthStatusBoard } from './health-status-board.js';

/** Registers grpc.health.v1.Health (Check and Watch) on the router, answering from board. */
export function registerHealthService(router: ConnectRouter, board: HealthStatusBoard): void {
  router.service(Health, createHealthService(board));
}

/** grpc.health.v1.Health over a status board: Check fails NotFound for unknown services, Watch streams changes. */
export function createHealthService(board: HealthStatusBoard): ServiceImpl<typeof Health> {
  return {
    check(request) {
      const status = board.get(request.service);
      if (status === undefined) {
        throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
      }
      return { status: toServingStatus(status) };
    },
    async *watch(request, context) {
      for await (const status of watchStatus(board, request.service, context.signal)) {
        yield { status };
      }
    },
  };
}

function toServingStatus(status: HealthServingStatus | undefined): ServingStatus {
  if (status === undefined) return ServingStatus.SERVICE_UNKNOWN;
  return status === 'serving' ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
}

/**
 * The current status, then every change, until signal aborts (client gone, listener closing) or the
 * board shuts down. Only the latest status is kept: a slow watcher skips states, never falls behind.
 */
async function* watchStatus(
  board: HealthStatusBoard,
  service: string,
  signal: AbortSignal,
): AsyncGenerator<ServingStatus> {
  let latest = toServingStatus(board.get(service));
  let changed = true;
  let ended = board.isShutDown;
  let wake: (() => void) | undefined;
  const unsubscribe = board.subscribe(service, (status) => {
    if (status === undefined) ended = true;
    else [latest, changed] = [toServingStatus(status), true];
    wake?.();
  });
  const onAbort = (): void => {
    ended = true;
    wake?.();
  };
  signal.addEventListener('abort', onAbort);
  try {
    let sent: ServingStatus | undefined;
    for (;;) {
      if (signal.aborted) return;
      if (changed) {
        changed = false;
        if (latest !== sent) {
          sent = latest;
          yield latest;
        }
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}
