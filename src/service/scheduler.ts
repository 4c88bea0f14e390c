import cron, { type ScheduledTask } from 'node-cron';
import { everyPattern } from '../config/schedule.ts';
import type { Clock } from '../clock.ts';
import { stableHash, type Job } from './jobs.ts';

/** Runs fire up to this many milliseconds after their cron second, by a stable per-job offset. */
export const SPREAD_MS = 1000;

export interface SchedulerDeps {
  readonly clock: Clock;
  /** A job is due; `scheduledAtMs` is when it should have started (epoch ms), for lag. */
  readonly onDue: (job: Job, scheduledAtMs: number) => void;
  /** Run every job once right after start (spread like any run), so a fresh canary reports at once. Default true. */
  readonly runAtStart?: boolean;
}

/** The node-cron pattern a job runs on. `every` periods start at a stable offset per job. */
export function patternFor(job: Job): string {
  const schedule = job.check.schedule;
  if (schedule.kind === 'cron') return schedule.cron;
  return everyPattern(schedule.everySeconds, stableHash(job.key)) ?? '0 * * * * *';
}

function spreadMs(job: Job): number {
  return stableHash(`spread:${job.key}`) % SPREAD_MS;
}

/**
 * Fires each job on its own schedule, driven by node-cron, and once at start. Start times are
 * spread: `every` schedules begin at a stable second within their period, and every run also waits
 * a stable sub-second offset, so many checks never fire in the same millisecond.
 */
export class Scheduler {
  readonly #jobs: readonly Job[];
  readonly #deps: SchedulerDeps;
  readonly #tasks = new Map<string, ScheduledTask>();
  readonly #pending = new Set<NodeJS.Timeout>();

  constructor(jobs: readonly Job[], deps: SchedulerDeps) {
    this.#jobs = jobs;
    this.#deps = deps;
  }

  get running(): boolean {
    return this.#tasks.size > 0;
  }

  start(): void {
    for (const job of this.#jobs) {
      const task = cron.schedule(patternFor(job), (context) => this.#due(job, context.date.getTime()), {
        name: `canary:${job.key}`,
        suppressMissedWarning: true,
      });
      this.#tasks.set(job.key, task);
      if (this.#deps.runAtStart !== false) this.#due(job, this.#deps.clock.nowMs());
    }
  }

  #due(job: Job, cronAtMs: number): void {
    const scheduledAtMs = cronAtMs + spreadMs(job);
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      this.#deps.onDue(job, scheduledAtMs);
    }, Math.max(0, scheduledAtMs - this.#deps.clock.nowMs()));
    this.#pending.add(timer);
  }

  /** When the job runs next (epoch ms), or null when stopped. */
  nextRunAtMs(job: Job): number | null {
    const next = this.#tasks.get(job.key)?.getNextRun();
    return next === null || next === undefined ? null : next.getTime() + spreadMs(job);
  }

  async stop(): Promise<void> {
    const tasks = [...this.#tasks.values()];
    this.#tasks.clear();
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
    await Promise.all(tasks.map((task) => task.destroy()));
  }
}
