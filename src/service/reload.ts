import type { Config } from '../config/types.ts';
import { jobsOf, type Job } from './jobs.ts';

/** A move from one set of jobs to the next. */
export interface JobsDiff {
  /** The next jobs, where an unchanged job is the very object already running (so it keeps its schedule). */
  readonly jobs: readonly Job[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: number;
}

/** A job as compared across reloads: its target (without the list of its checks) and its check. */
function fingerprint(job: Job): string {
  const { checks: _checks, ...target } = job.target;
  return JSON.stringify([target, job.check]);
}

/** Compares the running jobs with a new configuration's: unchanged jobs are kept as they are. */
export function diffJobs(current: readonly Job[], next: Config): JobsDiff {
  const byKey = new Map(current.map((job) => [job.key, job]));
  const nextJobs = jobsOf(next);
  const added: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  const jobs = nextJobs.map((job) => {
    const old = byKey.get(job.key);
    if (old === undefined) added.push(job.key);
    else if (fingerprint(old) !== fingerprint(job)) changed.push(job.key);
    else {
      unchanged++;
      return old;
    }
    return job;
  });
  const nextKeys = new Set(nextJobs.map((job) => job.key));
  const removed = current.filter((job) => !nextKeys.has(job.key)).map((job) => job.key);
  return { jobs, added, removed, changed, unchanged };
}
