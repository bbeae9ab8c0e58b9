import type { QueueDepth } from '../delivery/message-bus.js';
import type { Clock } from '../shared/clock.js';
import type {
  ErrorCodeCount,
  MinuteOutcomeCount,
  OverviewStore,
  StatusChannelCount,
} from './overview-store.js';

/** What an operator sees first: where records are, what happened per minute, what is failing. */
export interface Overview {
  readonly statusCounts: readonly StatusChannelCount[];
  /** Exactly {@link OVERVIEW_MINUTES} entries, oldest first; minutes without outcomes are zeros. */
  readonly minutes: readonly MinuteOutcomeCount[];
  /** Empty when the broker could not be asked (`queuesUnavailable`). */
  readonly queues: readonly QueueDepth[];
  readonly queuesUnavailable: boolean;
  readonly recentErrors: readonly ErrorCodeCount[];
  readonly deadByError: readonly ErrorCodeCount[];
  readonly generatedAt: Date;
}

/** The chart covers the last hour, minute by minute. */
export const OVERVIEW_MINUTES = 60;
const RECENT_ERRORS_LIMIT = 20;
const DEAD_GROUPS_LIMIT = 50;
const MINUTE_MS = 60_000;

/** Builds the {@link Overview} from the store and the bus's queue depths. */
export class OverviewQueries {
  constructor(
    private readonly store: OverviewStore,
    private readonly queueDepths: () => Promise<QueueDepth[]>,
    private readonly clock: Clock,
  ) {}

  async overview(): Promise<Overview> {
    const now = this.clock.now();
    const firstMinute =
      Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS - (OVERVIEW_MINUTES - 1) * MINUTE_MS;
    const since = new Date(firstMinute);
    const [statusCounts, perMinute, recentErrors, deadByError, queues] = await Promise.all([
      this.store.countByStatusAndChannel(),
      this.store.outcomesPerMinute(since),
      this.store.failedAttemptsByError(since, RECENT_ERRORS_LIMIT),
      this.store.deadByError(DEAD_GROUPS_LIMIT),
      // The broker being down is something the overview must show, not a reason to show nothing.
      this.queueDepths().then(
        (depths) => ({ depths, unavailable: false }),
        () => ({ depths: [] as QueueDepth[], unavailable: true }),
      ),
    ]);
    return {
      statusCounts,
      minutes: fillMinutes(firstMinute, perMinute),
      queues: queues.depths,
      queuesUnavailable: queues.unavailable,
      recentErrors,
      deadByError,
      generatedAt: now,
    };
  }
}

function fillMinutes(firstMinute: number, counted: readonly MinuteOutcomeCount[]): MinuteOutcomeCount[] {
  const byMinute = new Map(counted.map((entry) => [entry.minute.getTime(), entry]));
  return Array.from({ length: OVERVIEW_MINUTES }, (_, index) => {
    const minute = firstMinute + index * MINUTE_MS;
    return byMinute.get(minute) ?? { minute: new Date(minute), sent: 0, failed: 0, dead: 0 };
  });
}
