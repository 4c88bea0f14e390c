import type { Job } from './jobs.ts';
import { describeSchedule } from './jobs.ts';
import type { RunStore } from './run-store.ts';
import type { CheckStatus, StatusSnapshot } from '../result/status.ts';

export interface StatusSources {
  readonly jobs: readonly Job[];
  readonly store: RunStore;
  readonly version: string;
  readonly startedAtMs: number;
  readonly nowMs: number;
  isRunning(job: Job): boolean;
  nextRunAtMs(job: Job): number | null;
  skipped(job: Job): number;
  lastSuccessAt(job: Job): string | null;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The state of every check right now, for the status page and `/status.json`. */
export function snapshot(sources: StatusSources): StatusSnapshot {
  const checks: CheckStatus[] = sources.jobs.map((job) => {
    const runs = sources.store.recent(job.target.target, job.check.name);
    return {
      target: job.target.target,
      check: job.check.name,
      type: job.check.type,
      schedule: describeSchedule(job),
      running: sources.isRunning(job),
      last: runs[runs.length - 1] ?? null,
      lastSuccessAt: sources.lastSuccessAt(job),
      lastFailureRunId: sources.store.lastFailure(job.target.target, job.check.name)?.runId ?? null,
      nextRunAt: iso(sources.nextRunAtMs(job)),
      runsSkipped: sources.skipped(job),
    };
  });
  return {
    version: sources.version,
    startedAt: new Date(sources.startedAtMs).toISOString(),
    now: new Date(sources.nowMs).toISOString(),
    checks,
  };
}
