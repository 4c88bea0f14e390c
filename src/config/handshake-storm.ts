import type { HandshakeStormCheck } from './types.ts';
import type { CommonCheck } from './check-common.ts';
import { describe } from './errors.ts';
import { formatDuration } from './duration.ts';
import { failed, readDuration, resolve, Section, type Read } from './fields.ts';
import { GOLDEN_PATH_KEYS, validateWalk } from './golden-path.ts';

/** Keys of a handshake_storm check: the walk settings plus its own. */
export const HANDSHAKE_STORM_KEYS: readonly string[] = [...GOLDEN_PATH_KEYS, 'connections', 'window'];

/** Fewest connections of one storm (`connections`). */
export const MIN_STORM_CONNECTIONS = 2;
/** Most connections of one storm (`connections`): a canary, not a load test. */
export const MAX_STORM_CONNECTIONS = 50;
const DEFAULT_CONNECTIONS = 5;
const DEFAULT_WINDOW_MS = 200;

/** A whole number from `min` to `max`: a YAML integer, or a string that is one after interpolation. */
export function readIntegerIn(min: number, max: number): Read<number> {
  return (ctx, value, field) => {
    const resolved = resolve(ctx, value, field);
    if (failed(resolved)) return undefined;
    const n = typeof resolved === 'number' ? resolved : typeof resolved === 'string' && /^\d+$/.test(resolved) ? Number(resolved) : Number.NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    ctx.report(field, `expected an integer from ${min} to ${max}, got ${describe(resolved)}`);
    return undefined;
  };
}

/**
 * Validates a handshake_storm check: the walk settings, `connections` (K, 2 to 50, default 5) and
 * `window` (the connections start evenly spread over it, default 200ms; shorter than `timeout`).
 */
export function validateHandshakeStorm(s: Section, common: CommonCheck): HandshakeStormCheck | undefined {
  const walk = validateWalk(s, common);
  const connections = s.optional('connections', readIntegerIn(MIN_STORM_CONNECTIONS, MAX_STORM_CONNECTIONS), DEFAULT_CONNECTIONS);
  let windowMs = s.optional('window', readDuration, DEFAULT_WINDOW_MS);
  if (windowMs !== undefined && common.timeoutMs !== undefined && windowMs >= common.timeoutMs) {
    const shown = s.has('window') ? describe(s.map['window']) : `the default ${formatDuration(DEFAULT_WINDOW_MS)}`;
    s.ctx.report(s.field('window'), `expected less than timeout (${formatDuration(common.timeoutMs)}), got ${shown}`);
    windowMs = undefined;
  }
  if (walk === undefined || connections === undefined || windowMs === undefined) return undefined;
  return { ...walk, type: 'handshake_storm', connections, windowMs };
}
