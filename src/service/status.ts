import type { Job } from './jobs.ts';
import { describeSchedule } from './jobs.ts';
import type { RunStore } from './run-store.ts';
import type { CheckStatus, StatusSnapshot } from '../result/status.ts';
import { publicUrl } from '../result/url.ts';

export interface StatusSources {
  readonly jobs: readonly Job[];
  readonly store: RunStore;
  readonly version: string;
  readonly startedAtMs: number;
  readonly nowMs: number;
  /** The region the service runs in, when known (Cloud Run's `location`). */
  readonly region?: string | null;
  /** The Google Cloud project, when known (for trace links). */
  readonly projectId?: string | null;
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
    const { target } = job.target;
    const name = job.check.name;
    const runs = sources.store.recent(target, name);
    return {
      target,
      check: name,
      type: job.check.type,
      url: publicUrl(job.target.url),
      schedule: describeSchedule(job),
      running: sources.isRunning(job),
      last: runs[runs.length - 1] ?? null,
      lastSuccessAt: sources.lastSuccessAt(job),
      lastFailureRunId: sources.store.lastFailure(target, name)?.runId ?? null,
      nextRunAt: iso(sources.nextRunAtMs(job)),
      runsSkipped: sources.skipped(job),
      streak: sources.store.streak(target, name),
      ratios: sources.store.ratios(target, name, sources.nowMs),
      recent: sources.store.marks(target, name),
    };
  });
  return {
    version: sources.version,
    startedAt: new Date(sources.startedAtMs).toISOString(),
    now: new Date(sources.nowMs).toISOString(),
    region: sources.region ?? null,
    projectId: sources.projectId ?? null,
    checks,
  };
}
