import type { CheckType } from '../../config/checks.ts';
import { describe } from '../../config/errors.ts';
import { formatDuration } from '../../config/duration.ts';
import { readDuration, readIntegerIn } from '../../config/fields.ts';
import { field, type Fields } from '../../config/section.ts';
import { WALK_FIELDS, validateWalk } from '../../config/walk.ts';

/** Fewest connections of one storm (`connections`). */
export const MIN_STORM_CONNECTIONS = 2;
/** Most connections of one storm (`connections`): a canary, not a load test. */
export const MAX_STORM_CONNECTIONS = 50;
const DEFAULT_CONNECTIONS = 5;
const DEFAULT_WINDOW_MS = 200;

const FIELDS = {
  ...WALK_FIELDS,
  connections: field(readIntegerIn(MIN_STORM_CONNECTIONS, MAX_STORM_CONNECTIONS), {
    default: DEFAULT_CONNECTIONS,
    description: `How many connections, K: ${MIN_STORM_CONNECTIONS} to ${MAX_STORM_CONNECTIONS}.`,
  }),
  window: field(readDuration, { default: '200ms', description: 'Connection i starts at i x window / (K - 1). Shorter than timeout.' }),
} as const satisfies Fields;

/**
 * handshake_storm: the walk settings, `connections` (K, 2 to 50, default 5) and `window` (the
 * connections start evenly spread over it, default 200ms; shorter than `timeout`).
 */
export const HANDSHAKE_STORM_CONFIG: CheckType<typeof FIELDS> = {
  fields: FIELDS,
  description:
    'Opens K connections (connections) within window, each with its own token; every one must reach the welcome (handshake races, close 1011). No chat message is sent.',
  validate(s, common) {
    const walk = validateWalk(s, common);
    const connections = s.optional('connections', DEFAULT_CONNECTIONS);
    let windowMs = s.optional('window', DEFAULT_WINDOW_MS);
    if (windowMs !== undefined && common.timeoutMs !== undefined && windowMs >= common.timeoutMs) {
      const shown = s.has('window') ? describe(s.map['window']) : `the default ${formatDuration(DEFAULT_WINDOW_MS)}`;
      s.ctx.report(s.field('window'), `expected less than timeout (${formatDuration(common.timeoutMs)}), got ${shown}`);
      windowMs = undefined;
    }
    if (walk === undefined || connections === undefined || windowMs === undefined) return undefined;
    return { ...walk, type: 'handshake_storm', connections, windowMs };
  },
};
