import type { Clock } from '../clock.ts';
import type { Job } from './jobs.ts';
import { Scheduler } from './scheduler.ts';

export interface JobSchedulesDeps {
  readonly clock: Clock;
  /** A job is due; `scheduledAtMs` is when it should have started (epoch ms), for lag. */
  readonly onDue: (job: Job, scheduledAtMs: number) => void;
}

/**
 * One {@link Scheduler} per job, so a reload can stop the schedules of removed and changed jobs and
 * start those of new ones while every unchanged job keeps its own, undisturbed.
 */
export class JobSchedules {
  readonly #deps: JobSchedulesDeps;
  readonly #byKey = new Map<string, { readonly job: Job; readonly scheduler: Scheduler }>();
  #running = false;

  constructor(deps: JobSchedulesDeps) {
    this.#deps = deps;
  }

  /** Started and not stopped. */
  get running(): boolean {
    return this.#running;
  }

  /** Schedules `jobs`; with `runAtStart` each also runs once now (spread like any run). */
  start(jobs: readonly Job[], runAtStart: boolean): void {
    this.#running = true;
    this.#add(jobs, runAtStart);
  }

  #add(jobs: readonly Job[], runAtStart: boolean): void {
    for (const job of jobs) {
      const scheduler = new Scheduler([job], { clock: this.#deps.clock, onDue: this.#deps.onDue, runAtStart });
      this.#byKey.set(job.key, { job, scheduler });
      scheduler.start();
    }
  }

  /**
   * Moves to `jobs`: a job whose object is already scheduled keeps its schedule; every other
   * scheduled job stops, and every job not yet scheduled starts and runs once now.
   */
  async replace(jobs: readonly Job[]): Promise<void> {
    const wanted = new Set(jobs);
    const stopping: Promise<void>[] = [];
    for (const [key, entry] of this.#byKey) {
      if (wanted.has(entry.job)) continue;
      this.#byKey.delete(key);
      stopping.push(entry.scheduler.stop());
    }
    await Promise.all(stopping);
    if (this.#running) this.#add(jobs.filter((job) => this.#byKey.get(job.key)?.job !== job), true);
  }

  /** When the job runs next (epoch ms), or null when it is not scheduled. */
  nextRunAtMs(job: Job): number | null {
    return this.#byKey.get(job.key)?.scheduler.nextRunAtMs(job) ?? null;
  }

  async stop(): Promise<void> {
    this.#running = false;
    const all = [...this.#byKey.values()];
    this.#byKey.clear();
    await Promise.all(all.map((entry) => entry.scheduler.stop()));
  }
}
