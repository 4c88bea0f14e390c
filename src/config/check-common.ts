import type { AuthConfig, Schedule } from './types.ts';
import { formatDuration } from './duration.ts';
import { failed, readDuration, resolve, Section, type Read } from './fields.ts';
import { describe } from './errors.ts';
import { cronProblem, EVERY_EXPECTED, everyPattern } from './schedule.ts';

/** Keys every check type accepts. */
export const COMMON_CHECK_KEYS = ['name', 'type', 'every', 'cron', 'timeout', 'slow_after'] as const;

const DEFAULT_EVERY_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 90_000;
const DEFAULT_SLOW_AFTER_MS = 30_000;

/** The fields every check has; `undefined` where the value was invalid (already reported). */
export interface CommonCheck {
  readonly name: string | undefined;
  readonly schedule: Schedule | undefined;
  /** The run's deadline, milliseconds. */
  readonly timeoutMs: number | undefined;
  /** Degraded beyond this, milliseconds; at most `timeoutMs`. */
  readonly slowAfterMs: number | undefined;
}

/** A node-cron expression: 5 fields, or 6 with seconds first. */
export const readCron: Read<string> = (ctx, value, field) => {
  const resolved = resolve(ctx, value, field);
  if (failed(resolved)) return undefined;
  const text = typeof resolved === 'string' ? resolved.trim() : '';
  const count = text === '' ? 0 : text.split(/\s+/).length;
  if (count !== 5 && count !== 6) {
    ctx.report(field, `expected a cron expression with 5 or 6 fields like "*/5 * * * *", got ${describe(resolved)}`);
    return undefined;
  }
  const problem = cronProblem(text);
  if (problem === null) return text;
  ctx.report(field, `expected a valid cron expression, got ${describe(resolved)} (${problem})`);
  return undefined;
};

/**
 * Reads the schedule and deadlines. `every` defaults to 60 s when neither `every` nor `cron` is set;
 * `timeout` defaults to 90 s; `slow_after` to 30 s, or the timeout when that is shorter.
 */
export function readCommon(s: Section, name: string | undefined): CommonCheck {
  const every = s.optional('every', readDuration, null);
  const cron = s.optional('cron', readCron, null);
  if (s.has('every') && s.has('cron')) s.ctx.report(s.path, 'expected either every or cron, got both');
  let schedule: Schedule | undefined;
  if (cron !== null && cron !== undefined) schedule = { kind: 'cron', cron };
  else if (every !== undefined && cron !== undefined) {
    const everySeconds = (every ?? DEFAULT_EVERY_MS) / 1000;
    if (everyPattern(everySeconds, 0) === null) s.ctx.report(s.field('every'), `${EVERY_EXPECTED}, got ${describe(s.map['every'])}`);
    else schedule = { kind: 'every', everySeconds };
  }

  const timeoutMs = s.optional('timeout', readDuration, DEFAULT_TIMEOUT_MS);
  let slowAfterMs = s.optional('slow_after', readDuration, null);
  if (slowAfterMs === null) slowAfterMs = Math.min(DEFAULT_SLOW_AFTER_MS, timeoutMs ?? DEFAULT_SLOW_AFTER_MS);
  else if (slowAfterMs !== undefined && timeoutMs !== undefined && slowAfterMs > timeoutMs) {
    s.ctx.report(
      s.field('slow_after'),
      `expected at most timeout (${formatDuration(timeoutMs)}), got ${describe(s.map['slow_after'])}`,
    );
    slowAfterMs = undefined;
  }
  return { name, schedule, timeoutMs, slowAfterMs };
}

/**
 * What a check's validation may know of its target besides the check itself (auth_enforcement
 * reads the auth type). A field is `undefined` when the target's value was invalid (already reported).
 */
export interface CheckScope {
  readonly auth: AuthConfig | undefined;
}
