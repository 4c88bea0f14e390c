import { createRequire } from 'node:module';
import type { Schedule } from './types.ts';

type NodeCron = typeof import('node-cron').default;

/** node-cron, loaded the first time a cron expression is read: a configuration of `every` schedules never loads it. */
export function nodeCron(): NodeCron {
  return (createRequire(import.meta.url)('node-cron') as { default: NodeCron }).default;
}

/** The shortest `every` period, milliseconds: runs are spread within a period by whole seconds. */
export const EVERY_MIN_MS = 1_000;

/** What `every` accepts: any period of at least a second. */
export const EVERY_EXPECTED = 'expected a period of at least 1s like "90s", "7m" or "1h30m"';

/** Problems with a cron expression as node-cron reads it, or null when it is valid. */
export function cronProblem(expression: string): string | null {
  const detail = nodeCron().validateDetailed(expression);
  if (detail.valid) return null;
  return detail.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'not a valid cron expression';
}

/**
 * The nominal time between two runs, seconds: the `every` period, or for a cron expression the
 * shortest gap among its next few firings.
 */
export function intervalSeconds(schedule: Schedule): number {
  if (schedule.kind === 'every') return schedule.everySeconds;
  const task = nodeCron().createTask(schedule.cron, () => undefined);
  try {
    const runs = task.getNextRuns(4).map((d) => d.getTime());
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 1; i < runs.length; i++) shortest = Math.min(shortest, ((runs[i] ?? 0) - (runs[i - 1] ?? 0)) / 1000);
    return Number.isFinite(shortest) && shortest > 0 ? shortest : 60;
  } finally {
    void task.destroy();
  }
}
