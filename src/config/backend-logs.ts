/**
 * The target's `backend_logs` section: where the backend writes its Cloud Logging entries, read
 * after a failed run (src/backend-logs/).
 */
import type { BackendLogsConfig } from './types.ts';
import { describe } from './errors.ts';
import { formatDuration } from './duration.ts';
import { readDuration, readIntegerIn, readMapping, readMatching, readString } from './fields.ts';
import { field, reader, Section, type Fields, type Reader } from './section.ts';

/** The most entries a lookup may keep (one page of the API, well within its 1,000). */
export const MAX_BACKEND_LOG_ENTRIES = 100;
/** The longest a lookup may take: it runs after a failed run, and `canary run` waits for it. */
export const MAX_BACKEND_LOGS_TIMEOUT_MS = 5000;
/** The widest margin before or after a run. */
export const MAX_BACKEND_LOGS_MARGIN_MS = 10 * 60_000;
/**
 * Characters of the user's filter. The API takes 20,000 characters
 * (https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/list); the canary adds the
 * severity, the window and the run's ids.
 */
export const MAX_BACKEND_LOGS_FILTER_CHARS = 10_000;

/** Defaults of the optional fields. */
export const BACKEND_LOGS_DEFAULTS = { maxEntries: 20, timeoutMs: 3000, beforeMs: 30_000, afterMs: 30_000 } as const;

/** A project id (https://cloud.google.com/resource-manager/docs/creating-managing-projects), or a legacy domain-scoped one. */
const PROJECT_ID = /^(?:[a-z][-a-z0-9.]*[a-z0-9]:)?[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

const readFilter: Reader<string> = reader((ctx, value, field) => {
  const text = readString(ctx, value, field);
  if (text === undefined) return undefined;
  if (text.length > MAX_BACKEND_LOGS_FILTER_CHARS) {
    ctx.report(field, `expected a Logging filter of at most ${MAX_BACKEND_LOGS_FILTER_CHARS} characters, got ${text.length}`);
    return undefined;
  }
  return text;
}, { type: 'string', minLength: 1, maxLength: MAX_BACKEND_LOGS_FILTER_CHARS });

/** The fields of `backend_logs`. */
export const BACKEND_LOGS_FIELDS = {
  project: field(readMatching(PROJECT_ID, 'a Google Cloud project id (6 to 30 lower-case letters, digits and hyphens, starting with a letter)'), {
    required: true,
    description: "The Google Cloud project holding the backend's logs. The canary's service account needs roles/logging.viewer on it.",
  }),
  filter: field(readFilter, {
    required: true,
    description:
      'A Logging query selecting the backend\'s entries, such as resource.type="cloud_run_revision" AND resource.labels.service_name="agent-backend". The canary adds severity>=WARNING and the time window.',
  }),
  max_entries: field(readIntegerIn(1, MAX_BACKEND_LOG_ENTRIES), {
    default: BACKEND_LOGS_DEFAULTS.maxEntries,
    description: `Entries kept per failed run (at most ${MAX_BACKEND_LOG_ENTRIES}); those carrying the run's trace or thread id first.`,
  }),
  timeout: field(readDuration, {
    default: formatDuration(BACKEND_LOGS_DEFAULTS.timeoutMs),
    description: `How long the lookup may take (at most ${formatDuration(MAX_BACKEND_LOGS_TIMEOUT_MS)}); past it the run gets the note "timeout". It never delays the verdict or the metrics.`,
  }),
  before: field(readDuration, {
    default: formatDuration(BACKEND_LOGS_DEFAULTS.beforeMs),
    description: `Entries from this long before the run started (at most ${formatDuration(MAX_BACKEND_LOGS_MARGIN_MS)}).`,
  }),
  after: field(readDuration, {
    default: formatDuration(BACKEND_LOGS_DEFAULTS.afterMs),
    description: `Entries up to this long after the run ended (at most ${formatDuration(MAX_BACKEND_LOGS_MARGIN_MS)}).`,
  }),
} as const satisfies Fields;

function atMost(s: Section<typeof BACKEND_LOGS_FIELDS>, key: 'timeout' | 'before' | 'after', ms: number | undefined, maxMs: number): number | undefined {
  if (ms === undefined || ms <= maxMs) return ms;
  s.ctx.report(s.field(key), `expected at most ${formatDuration(maxMs)}, got ${describe(s.map[key])}`);
  return undefined;
}

/** Reads `backend_logs`. */
export const readBackendLogs: Reader<BackendLogsConfig> = reader((ctx, value, field) => {
  const map = readMapping(ctx, value, field);
  if (map === undefined) return undefined;
  const s = new Section(ctx, field, map, BACKEND_LOGS_FIELDS);
  const project = s.required('project');
  const filter = s.required('filter');
  const maxEntries = s.optional('max_entries', BACKEND_LOGS_DEFAULTS.maxEntries);
  const timeoutMs = atMost(s, 'timeout', s.optional('timeout', BACKEND_LOGS_DEFAULTS.timeoutMs), MAX_BACKEND_LOGS_TIMEOUT_MS);
  const beforeMs = atMost(s, 'before', s.optional('before', BACKEND_LOGS_DEFAULTS.beforeMs), MAX_BACKEND_LOGS_MARGIN_MS);
  const afterMs = atMost(s, 'after', s.optional('after', BACKEND_LOGS_DEFAULTS.afterMs), MAX_BACKEND_LOGS_MARGIN_MS);
  if (project === undefined || filter === undefined || maxEntries === undefined || timeoutMs === undefined || beforeMs === undefined || afterMs === undefined) {
    return undefined;
  }
  return { project, filter, maxEntries, timeoutMs, beforeMs, afterMs };
}, { $ref: '#/$defs/backend_logs' });
