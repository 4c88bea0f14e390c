import type { CheckConfig, Config, TargetConfig } from '../config/types.ts';

/** One check of one target: the unit the scheduler runs. */
export interface Job {
  readonly key: string;
  readonly target: TargetConfig;
  readonly check: CheckConfig;
}

export function jobKey(target: string, check: string): string {
  return `${target}/${check}`;
}

export function jobsOf(config: Config): Job[] {
  return config.targets.flatMap((target) =>
    target.checks.map((check) => ({ key: jobKey(target.target, check.name), target, check })),
  );
}

/** FNV-1a, 32 bit: a stable number per job, so its place in the schedule survives restarts. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** A job's schedule for people: `every 60s` or `cron 0 * * * *`. */
export function describeSchedule(job: Job): string {
  const schedule = job.check.schedule;
  return schedule.kind === 'every' ? `every ${schedule.everySeconds}s` : `cron ${schedule.cron}`;
}
