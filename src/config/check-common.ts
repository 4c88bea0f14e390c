import type { AuthConfig, Schedule } from './types.ts';
import { formatDuration } from './duration.ts';
import { failed, readDuration, readMatching, resolve } from './fields.ts';
import { field, reader, type Fields, type Reader, type Section } from './section.ts';
import { describe } from './errors.ts';
import { cronProblem, EVERY_EXPECTED, EVERY_MIN_MS } from './schedule.ts';

/** Label values: check names and target names. */
export const LABEL = /^[a-z0-9_-]+$/;
/** A label value (`[a-z0-9_-]+`); documented once in the schema's `$defs/label`. */
export const readLabel: Reader<string> = reader(readMatching(LABEL, 'a label value matching [a-z0-9_-]+'), { $ref: '#/$defs/label' });

/**
 * Budgets for real agent runs (issue 10, item 5): the backend's runs take about 90 s end to end (92 s
 * seen on staging). The deadline leaves 60 % above that for token, connect, welcome and handshake;
 * a run 30 % slower than usual is degraded; and the default schedule starts a run only after the
 * previous one's deadline (plus its one second of teardown) has passed, so runs never overlap and
 * the scheduler never skips.
 */
export const DEFAULT_EVERY_MS = 180_000;
export const DEFAULT_TIMEOUT_MS = 150_000;
export const DEFAULT_SLOW_AFTER_MS = 120_000;

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
export const readCron: Reader<string> = reader((ctx, value, field) => {
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
}, { type: 'string', pattern: '^\\s*\\S+(\\s+\\S+){4,5}\\s*$' });

/**
 * The fields every check type declares. `type` is read before the rest (it picks the declarations);
 * the schema shows it as the variant's constant.
 */
export const COMMON_FIELDS = {
  name: field(readLabel, { required: true, description: 'Label value, unique within the file.' }),
  type: field(readMatching(/^[a-z][a-z_]*$/, 'a check type'), { required: true }),
  every: field(readDuration, { default: '3m', description: 'Run this often (any period of at least 1s, like 90s, 7m or 1h30m); longer than timeout, so runs never overlap. Either every or cron.' }),
  cron: field(readCron, { description: 'node-cron expression, 5 fields or 6 with seconds first. Either every or cron.' }),
  timeout: field(readDuration, { default: '150s', description: "The run's deadline; real agent runs take about 90 s." }),
  slow_after: field(readDuration, { default: '120s', description: 'A completed run slower than this is degraded. At most timeout.' }),
} as const satisfies Fields;

/** The JSON Schema of a check's constraints beyond its fields: `every` and `cron` exclude each other. */
export const COMMON_CHECK_SCHEMA = { not: { required: ['every', 'cron'] } } as const;

/**
 * Reads the schedule and deadlines. `every` defaults to 3 min when neither `every` nor `cron` is set;
 * `timeout` defaults to 150 s; `slow_after` to 120 s, or the timeout when that is shorter.
 */
export function readCommon(s: Section<typeof COMMON_FIELDS>, name: string | undefined): CommonCheck {
  const every = s.optional('every', null);
  const cron = s.optional('cron', null);
  if (s.has('every') && s.has('cron')) s.ctx.report(s.path, 'expected either every or cron, got both');
  let schedule: Schedule | undefined;
  if (cron !== null && cron !== undefined) schedule = { kind: 'cron', cron };
  else if (every !== undefined && cron !== undefined) {
    const everyMs = every ?? DEFAULT_EVERY_MS;
    if (everyMs < EVERY_MIN_MS) s.ctx.report(s.field('every'), `${EVERY_EXPECTED}, got ${describe(s.map['every'])}`);
    else schedule = { kind: 'every', everySeconds: everyMs / 1000 };
  }

  const timeoutMs = s.optional('timeout', DEFAULT_TIMEOUT_MS);
  let slowAfterMs = s.optional('slow_after', null);
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
