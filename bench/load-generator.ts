import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/: the repo root is two levels up either way we run.
const protoRoot = path.resolve(
  here,
  here.includes(`${path.sep}dist${path.sep}`) ? '../../proto' : '../proto',
);

/** Client-side result of one phase of load. */
export interface LoadResult {
  readonly issued: number;
  readonly ok: number;
  readonly errors: number;
  /** gRPC status name (or `client_overflow`) → count. */
  readonly errorCodes: Record<string, number>;
  /** Latency of every successful Trigger call, ms. */
  readonly latenciesMs: number[];
  /** From the first call to the last answer (the load window plus the tail of in-flight calls). */
  readonly durationMs: number;
}

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null) => void,
) => void;

/** Open-loop calls beyond this many in flight are counted as errors instead of being sent. */
const MAX_IN_FLIGHT = 2000;
const DEADLINE_MS = 10_000;

/**
 * Drives NotificationService/Trigger with @grpc/grpc-js over `clients` separate HTTP/2 connections
 * (round robin), either at a fixed offered rate (open loop: calls are issued on schedule whatever
 * the answers) or closed loop with a fixed number of calls in flight. Each request has its own user.
 */
export class LoadGenerator {
  private readonly clients: grpc.Client[];
  private readonly eventClients: grpc.Client[];

  constructor(address: string, clients: number) {
    const definition = protoLoader.loadSync('notify/v1/notification_service.proto', {
      includeDirs: [protoRoot],
      keepCase: true,
      defaults: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      notify: { v1: { NotificationService: grpc.ServiceClientConstructor } };
    };
    const Service = loaded.notify.v1.NotificationService;
    // A local subchannel pool per client: otherwise grpc-js shares one connection among them.
    this.clients = Array.from(
      { length: clients },
      (_, i) =>
        new Service(address, grpc.credentials.createInsecure(), {
          'grpc.use_local_subchannel_pool': 1,
          'bench.client': i,
        }),
    );
    const events = protoLoader.loadSync('notify/v1/event_service.proto', {
      includeDirs: [protoRoot],
      keepCase: true,
      defaults: true,
    });
    const EventService = (
      grpc.loadPackageDefinition(events) as unknown as {
        notify: { v1: { EventService: grpc.ServiceClientConstructor } };
      }
    ).notify.v1.EventService;
    this.eventClients = Array.from(
      { length: clients },
      (_, i) =>
        new EventService(address, grpc.credentials.createInsecure(), {
          'grpc.use_local_subchannel_pool': 1,
          'bench.client': i,
        }),
    );
  }

  /**
   * Closed loop of PublishEvent calls, each one event to `recipients` users named `<tag>-<seq>-<i>`
   * (the bench rule sends event users through the mock channel). `ok` counts records, not calls,
   * so accepted/s reads as records/s next to the Trigger phases.
   */
  async runFanOut(tag: string, inflight: number, seconds: number, recipients: number): Promise<LoadResult> {
    const state = new CallState(this.eventClients, tag, recipients);
    const started = performance.now();
    const endAt = started + seconds * 1000;
    const loop = async () => {
      while (performance.now() < endAt) await state.call();
    };
    await Promise.all(Array.from({ length: inflight }, loop));
    return state.finish(started);
  }

  /** Open loop: `rate` calls/s for `seconds`; waits for the stragglers before resolving. */
  async runOpen(tag: string, rate: number, seconds: number): Promise<LoadResult> {
    const state = new CallState(this.clients, tag);
    const started = performance.now();
    const endAt = started + seconds * 1000;
    while (performance.now() < endAt) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      while (state.issued < due) {
        if (state.inFlight >= MAX_IN_FLIGHT) state.overflow();
        else void state.call();
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return state.finish(started);
  }

  /** Closed loop: `inflight` callers each issue the next call when the previous one answered. */
  async runClosed(tag: string, inflight: number, seconds: number): Promise<LoadResult> {
    const state = new CallState(this.clients, tag);
    const started = performance.now();
    const endAt = started + seconds * 1000;
    const loop = async () => {
      while (performance.now() < endAt) await state.call();
    };
    await Promise.all(Array.from({ length: inflight }, loop));
    return state.finish(started);
  }

  close(): void {
    for (const client of [...this.clients, ...this.eventClients]) client.close();
  }
}

/** Bookkeeping of one phase's calls. */
class CallState {
  issued = 0;
  inFlight = 0;
  private ok = 0;
  private errors = 0;
  private readonly errorCodes: Record<string, number> = {};
  private readonly latenciesMs: number[] = [];
  private readonly pending = new Set<Promise<void>>();

  /** `fanout` > 0: each call is a PublishEvent to that many recipients, counted as that many records. */
  constructor(
    private readonly clients: readonly grpc.Client[],
    private readonly tag: string,
    private readonly fanout = 0,
  ) {}

  call(): Promise<void> {
    const seq = this.issued++;
    const client = this.clients[seq % this.clients.length] as unknown as {
      Trigger: Unary;
      PublishEvent: Unary;
    };
    const send: Unary = this.fanout > 0 ? client.PublishEvent.bind(client) : client.Trigger.bind(client);
    const request =
      this.fanout > 0
        ? {
            event: {
              event_id: `${this.tag}-${seq}`,
              type: 'bench.fanout',
              user_ids: Array.from({ length: this.fanout }, (_, i) => `${this.tag}-${seq}-${i}`),
              summary: `bench ${this.tag} #${seq}`,
            },
          }
        : {
            user_id: `${this.tag}-${seq}`,
            trigger_id: `t-${seq}`,
            trigger_type: 'bench',
            message: { text: `bench ${this.tag} #${seq}` },
            channels: ['mock'],
          };
    this.inFlight++;
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      send(request, new grpc.Metadata(), { deadline: Date.now() + DEADLINE_MS }, (error) => {
        this.inFlight--;
        if (error) this.fail(grpc.status[error.code] ?? String(error.code));
        else {
          this.ok += Math.max(1, this.fanout);
          this.latenciesMs.push(performance.now() - started);
        }
        resolve();
      });
    });
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
    return done;
  }

  overflow(): void {
    this.issued++;
    this.fail('client_overflow');
  }

  async finish(started: number): Promise<LoadResult> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    const durationMs = performance.now() - started;
    return {
      issued: this.issued,
      ok: this.ok,
      errors: this.errors,
      errorCodes: this.errorCodes,
      latenciesMs: this.latenciesMs,
      durationMs,
    };
  }

  private fail(code: string): void {
    this.errors++;
    this.errorCodes[code] = (this.errorCodes[code] ?? 0) + 1;
  }
}
