import cron from 'node-cron';
import type { Schedule } from './types.ts';

/** What `every` accepts: a period that divides a minute, an hour or a day evenly. */
export const EVERY_EXPECTED =
  'expected a period that divides a minute, an hour or a day evenly (1s-30s like 10s, 1m-30m like 5m, 1h-12h like 6h, or 24h)';

function evenly(step: number, range: number, offset: number): string {
  if (step === 1) return '*';
  const values: number[] = [];
  for (let value = offset % step; value < range; value += step) values.push(value);
  return values.join(',');
}

/**
 * The six-field node-cron pattern for `every` (seconds first), started `seed` seconds into the
 * period so that checks with the same period do not all fire at once. Null when the period does
 * not divide a minute, an hour or a day evenly (cron cannot express it).
 */
export function everyPattern(everySeconds: number, seed: number): string | null {
  if (!Number.isInteger(everySeconds) || everySeconds < 1) return null;
  const s = seed % 60;
  if (everySeconds < 60) return 60 % everySeconds === 0 ? `${evenly(everySeconds, 60, seed)} * * * * *` : null;
  if (everySeconds % 60 !== 0) return null;
  const minutes = everySeconds / 60;
  const m = Math.floor(seed / 60) % 60;
  if (minutes < 60) return 60 % minutes === 0 ? `${s} ${evenly(minutes, 60, m)} * * * *` : null;
  if (minutes % 60 !== 0) return null;
  const hours = minutes / 60;
  const h = Math.floor(seed / 3600) % 24;
  if (hours <= 24 && 24 % hours === 0) return `${s} ${m} ${hours === 24 ? h : evenly(hours, 24, h)} * * *`;
  return null;
}

/** Problems with a cron expression as node-cron reads it, or null when it is valid. */
export function cronProblem(expression: string): string | null {
  const detail = cron.validateDetailed(expression);
  if (detail.valid) return null;
  return detail.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'not a valid cron expression';
}

/**
 * The nominal time between two runs, seconds: the `every` period, or for a cron expression the
 * shortest gap among its next few firings.
 */
export function intervalSeconds(schedule: Schedule): number {
  if (schedule.kind === 'every') return schedule.everySeconds;
  const task = cron.createTask(schedule.cron, () => undefined);
  try {
    const runs = task.getNextRuns(4).map((d) => d.getTime());
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 1; i < runs.length; i++) shortest = Math.min(shortest, ((runs[i] ?? 0) - (runs[i - 1] ?? 0)) / 1000);
    return Number.isFinite(shortest) && shortest > 0 ? shortest : 60;
  } finally {
    void task.destroy();
  }
}
