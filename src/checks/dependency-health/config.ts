import type { CheckType } from '../../config/checks.ts';
import { describe } from '../../config/errors.ts';
import { orReference, readDuration, readString, readUniqueList } from '../../config/fields.ts';
import { field, reader, type Fields, type Reader } from '../../config/section.ts';
import { WALK_FIELDS, validateWalk } from '../../config/walk.ts';

/** The backend's health and readiness endpoints (protocol.md, "Endpoints"). */
export const DEFAULT_HEALTH_ENDPOINTS: readonly string[] = ['/health', '/health/ready'];
const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;

const ENDPOINT_EXPECTED = 'a path like "/health" or an http:// or https:// URL';

/** A path on the target's host (`/health`), or an absolute http(s) URL without credentials. */
const readEndpoint: Reader<string> = reader((ctx, value, field) => {
  const text = readString(ctx, value, field);
  if (text === undefined) return undefined;
  if (text.startsWith('/') && !text.startsWith('//') && !/\s/.test(text)) return text;
  const url = URL.parse(text);
  if (url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '') {
    if (url.username === '' && url.password === '') return text;
    ctx.report(field, `expected a URL without credentials (it becomes a metric label), got ${describe(text)}`);
    return undefined;
  }
  ctx.report(field, `expected ${ENDPOINT_EXPECTED}, got ${describe(text)}`);
  return undefined;
}, { type: 'string', pattern: orReference('/(?!/).*|https?://.+') });

const readEndpoints = readUniqueList(readEndpoint, { plural: `endpoints (${ENDPOINT_EXPECTED})`, singular: 'endpoint' });

const FIELDS = {
  ...WALK_FIELDS,
  endpoints: field(readEndpoints, {
    default: DEFAULT_HEALTH_ENDPOINTS,
    description: 'Paths on the target host (ws -> http, wss -> https) or absolute http(s) URLs; each is a metric label.',
  }),
  health_timeout: field(readDuration, { default: '5s', description: 'Budget of each health GET; capped to timeout.' }),
} as const satisfies Fields;

/** dependency_health: the walk settings, `endpoints` and `health_timeout` (capped to the run's `timeout`). */
export const DEPENDENCY_HEALTH_CONFIG: CheckType<typeof FIELDS> = {
  fields: FIELDS,
  description:
    'GET the health endpoints and walk the golden path; no agent event while every endpoint says healthy is silent_agent_failure, an unhealthy endpoint next to a working agent is degraded.',
  validate(s, common) {
    const walk = validateWalk(s, common);
    const endpoints = s.optional('endpoints', DEFAULT_HEALTH_ENDPOINTS);
    const healthTimeoutMs = s.optional('health_timeout', DEFAULT_HEALTH_TIMEOUT_MS);
    if (walk === undefined || endpoints === undefined || healthTimeoutMs === undefined) return undefined;
    return { ...walk, type: 'dependency_health', endpoints, healthTimeoutMs: Math.min(healthTimeoutMs, walk.timeoutMs) };
  },
};
