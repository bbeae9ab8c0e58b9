/** A service's health as grpc.health.v1 reports it; the overall server is the service named ''. */
export type HealthServingStatus = 'serving' | 'not_serving';

/** Called with a service's new status, or undefined when the board shut down. */
type StatusListener = (status: HealthServingStatus | undefined) => void;

/** The overall status's name in grpc.health.v1. */
export const OVERALL_HEALTH_SERVICE = '';

/** Serving status per service name, observable for Health/Watch; starts with '' = serving. */
export class HealthStatusBoard {
  private readonly statuses = new Map<string, HealthServingStatus>([[OVERALL_HEALTH_SERVICE, 'serving']]);
  private readonly listeners = new Map<string, Set<StatusListener>>();
  private shutDown = false;

  /** Sets one service's status (a no-op after shutdown, which must stay not_serving). */
  set(service: string, status: HealthServingStatus): void {
    if (this.shutDown || this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const listener of this.listeners.get(service) ?? []) listener(status);
  }

  /** A service's status, undefined when it was never set. */
  get(service: string): HealthServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Calls listener on every change of service's status until the returned function is called. */
  subscribe(service: string, listener: StatusListener): () => void {
    const set = this.listeners.get(service) ?? new Set();
    this.listeners.set(service, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(service);
    };
  }

  /** Whether shutdown() has been called. */
  get isShutDown(): boolean {
    return this.shutDown;
  }

  /** Marks every service not_serving, tells watchers, then ends their streams (call before closing the listener). */
  shutdown(): void {
    if (this.shutDown) return;
    for (const service of this.statuses.keys()) this.set(service, 'not_serving');
    this.shutDown = true;
    for (const set of this.listeners.values()) for (const listener of set) listener(undefined);
    this.listeners.clear();
  }
}
