import type { Clock } from '../shared/clock.js';
import { checkId, echo, ID_LIMITS } from '../shared/field-rules.js';
import { GatewayError, invalidField } from '../shared/gateway-error.js';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import type { JobListPage, JobStore } from './job-store.js';
import { jobPayloadHash, normalizeTrigger, parseTriggerPayload, triggerPayloadHash } from './job-payload.js';
import { validateJobKey, validateScheduleRequest, type ScheduleJobInput } from './schedule-request.js';
import type { JobStatus, ScheduledJob } from './scheduled-job.js';

/** Default and maximum page size of ListJobs. */
export const JOB_PAGE_SIZE = { default: 50, max: 500 } as const;

/** What the scheduler needs; injected by the composition root. */
export interface JobSchedulerDependencies {
  readonly jobs: JobStore;
  readonly channels: ChannelRegistry;
  readonly clock: Clock;
  readonly maxTextLength: number;
  /** `delivery.templates`: a trigger_type with a template needs no text, exactly as in Trigger. */
  readonly templates?: Readonly<Record<string, string>>;
}

/** The ScheduleService use cases: schedule (idempotent by job_key), cancel, get, list. */
export class JobScheduler {
  constructor(private readonly deps: JobSchedulerDependencies) {}

  /**
   * Store a waiting job. Same key with the same trigger and due_at returns the stored job with
   * `existing = true`; same key with anything different is AlreadyExists (job_key_conflict).
   */
  async schedule(input: ScheduleJobInput): Promise<{ job: ScheduledJob; existing: boolean }> {
    const { channels, clock, maxTextLength, templates } = this.deps;
    const valid = validateScheduleRequest(input, channels, maxTextLength, templates);
    const event = valid.event ?? null;
    // An event job stores no trigger (an empty one keeps the row's shape).
    const trigger = normalizeTrigger(valid.trigger ?? parseTriggerPayload('{}'));
    const payloadHash = event ? jobPayloadHash({ trigger, event }) : triggerPayloadHash(trigger);
    const userId = event ? (event.userIds[0] ?? '') : trigger.userId;
    const result = await this.deps.jobs.insertOrFind(
      { jobKey: valid.jobKey, userId, dueAt: valid.dueAt, trigger, event, payloadHash },
      clock.now(),
    );
    if (result.inserted) return { job: result.job, existing: false };
    const stored = result.job;
    if (stored.payloadHash !== payloadHash || stored.dueAt.getTime() !== valid.dueAt.getTime()) {
      throw new GatewayError(
        'already_exists',
        'job_key_conflict',
        `job ${echo(valid.jobKey)} already exists with a different trigger, event or due_at`,
        'job_key',
      );
    }
    return { job: stored, existing: true };
  }

  /** waiting → cancelled; a cancelled job is returned as is; a triggered one is FailedPrecondition. */
  async cancel(jobKey: string): Promise<ScheduledJob> {
    validateJobKey(jobKey);
    const cancelled = await this.deps.jobs.cancel(jobKey, this.deps.clock.now());
    if (cancelled) return cancelled;
    const job = await this.get(jobKey);
    if (job.status === 'cancelled') return job;
    throw new GatewayError(
      'failed_precondition',
      'job_already_triggered',
      `job ${echo(jobKey)} is ${job.status}; only a waiting job can be cancelled`,
    );
  }

  /** One job; NotFound when absent. */
  async get(jobKey: string): Promise<ScheduledJob> {
    validateJobKey(jobKey);
    const job = await this.deps.jobs.findByKey(jobKey);
    if (!job) throw new GatewayError('not_found', 'job_not_found', `job ${echo(jobKey)} does not exist`);
    return job;
  }

  /** A page of jobs, soonest due first. */
  async list(query: {
    userId?: string;
    status?: JobStatus;
    pageSize: number;
    cursor?: string;
  }): Promise<JobListPage> {
    if (query.pageSize < 0) throw invalidField('page_size', 'invalid_value', 'must not be negative');
    checkId('user_id', query.userId ?? '', ID_LIMITS.userId, false);
    const limit = Math.min(query.pageSize || JOB_PAGE_SIZE.default, JOB_PAGE_SIZE.max);
    try {
      return await this.deps.jobs.list({ ...query, limit });
    } catch (error) {
      if ((error as Error).name === 'InvalidCursorError') {
        throw invalidField('page_token', 'invalid_page_token', 'is not a token from a previous page');
      }
      throw error;
    }
  }
}
