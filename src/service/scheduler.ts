import type { Clock } from '../clock.ts';
import { nodeCron } from '../config/schedule.ts';
import { compileCron, CronTimer } from './cron.ts';
import { IntervalTimer, slotOffsetMs } from './interval.ts';
import { stableHash, type Job } from './jobs.ts';

/** Runs fire up to this many milliseconds after their slot, by a stable per-job offset. */
export const SPREAD_MS = 1000;

export interface SchedulerDeps {
  readonly clock: Clock;
  /** A job is due; `scheduledAtMs` is when it should have started (epoch ms), for lag. */
  readonly onDue: (job: Job, scheduledAtMs: number) => void;
  /** Run every job once right after start (spread like any run), so a fresh canary reports at once. Default true. */
  readonly runAtStart?: boolean;
}

/** One job's source of slots: an interval timer for `every`, a cron timer (or node-cron task) for `cron`. */
interface Ticker {
  /** The next slot (epoch ms), or null when there is none. */
  nextAtMs(): number | null;
  stop(): Promise<void> | void;
}

function spreadMs(job: Job): number {
  return stableHash(`spread:${job.key}`) % SPREAD_MS;
}

/**
 * Fires each job on its own schedule, and once at start. `every` schedules run on a drift-free
 * {@link IntervalTimer} (any period, starting at a stable second within it); `cron` schedules on
 * a {@link CronTimer}, or on node-cron for the forms only it reads (`L`, `W`, `#`). Every run also waits a stable sub-second offset, so many checks never fire in the
 * same millisecond. Overlap is not the scheduler's business: a job is due at each slot, and the
 * caller skips (and counts) a due run while the previous one is still going.
 */
export class Scheduler {
  readonly #jobs: readonly Job[];
  readonly #deps: SchedulerDeps;
  readonly #tickers = new Map<string, Ticker>();
  readonly #pending = new Set<NodeJS.Timeout>();

  constructor(jobs: readonly Job[], deps: SchedulerDeps) {
    this.#jobs = jobs;
    this.#deps = deps;
  }

  get running(): boolean {
    return this.#tickers.size > 0;
  }

  start(): void {
    for (const job of this.#jobs) {
      this.#tickers.set(job.key, this.#ticker(job));
      if (this.#deps.runAtStart !== false) this.#due(job, this.#deps.clock.nowMs());
    }
  }

  #ticker(job: Job): Ticker {
    const schedule = job.check.schedule;
    if (schedule.kind === 'every') {
      const periodMs = Math.round(schedule.everySeconds * 1000);
      const timer = new IntervalTimer(periodMs, slotOffsetMs(periodMs, stableHash(job.key)), this.#deps.clock, (slotMs) =>
        this.#due(job, slotMs),
      );
      timer.start();
      return { nextAtMs: () => timer.nextAtMs, stop: () => timer.stop() };
    }
    const pattern = compileCron(schedule.cron);
    if (pattern !== null) {
      const timer = new CronTimer(pattern, this.#deps.clock, (slotMs) => this.#due(job, slotMs));
      timer.start();
      return { nextAtMs: () => timer.nextAtMs, stop: () => timer.stop() };
    }
    const task = nodeCron().schedule(schedule.cron, (context) => this.#due(job, context.date.getTime()), {
      name: `canary:${job.key}`,
      suppressMissedWarning: true,
    });
    return { nextAtMs: () => task.getNextRun()?.getTime() ?? null, stop: () => task.destroy() };
  }

  #due(job: Job, slotMs: number): void {
    const scheduledAtMs = slotMs + spreadMs(job);
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      this.#deps.onDue(job, scheduledAtMs);
    }, Math.max(0, scheduledAtMs - this.#deps.clock.nowMs()));
    this.#pending.add(timer);
  }

  /** When the job runs next (epoch ms), or null when stopped. */
  nextRunAtMs(job: Job): number | null {
    const next = this.#tickers.get(job.key)?.nextAtMs() ?? null;
    return next === null ? null : next + spreadMs(job);
  }

  async stop(): Promise<void> {
    const tickers = [...this.#tickers.values()];
    this.#tickers.clear();
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
    await Promise.all(tickers.map((ticker) => ticker.stop()));
  }
}
