import type { DependencyHealthCheck } from './types.ts';
import type { CommonCheck } from './check-common.ts';
import { describe } from './errors.ts';
import { readDuration, readString, readUniqueList, type Read, type Section } from './fields.ts';
import { GOLDEN_PATH_KEYS, validateWalk } from './golden-path.ts';

/** Keys of a dependency_health check: the walk settings plus `endpoints` and `health_timeout`. */
export const DEPENDENCY_HEALTH_KEYS: readonly string[] = [...GOLDEN_PATH_KEYS, 'endpoints', 'health_timeout'];

/** The backend's health and readiness endpoints (protocol.md, "Endpoints"). */
export const DEFAULT_HEALTH_ENDPOINTS: readonly string[] = ['/health', '/health/ready'];
const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;

const ENDPOINT_EXPECTED = 'a path like "/health" or an http:// or https:// URL';

/** A path on the target's host (`/health`), or an absolute http(s) URL without credentials. */
const readEndpoint: Read<string> = (ctx, value, field) => {
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
};

const readEndpoints = readUniqueList(readEndpoint, { plural: `endpoints (${ENDPOINT_EXPECTED})`, singular: 'endpoint' });

/** Validates a dependency_health check. `health_timeout` is capped to the run's `timeout`. */
export function validateDependencyHealth(s: Section, common: CommonCheck): DependencyHealthCheck | undefined {
  const walk = validateWalk(s, common);
  const endpoints = s.optional('endpoints', readEndpoints, DEFAULT_HEALTH_ENDPOINTS);
  const healthTimeoutMs = s.optional('health_timeout', readDuration, DEFAULT_HEALTH_TIMEOUT_MS);
  if (walk === undefined || endpoints === undefined || healthTimeoutMs === undefined) return undefined;
  return {
    ...walk,
    type: 'dependency_health',
    endpoints,
    healthTimeoutMs: Math.min(healthTimeoutMs, walk.timeoutMs),
  };
}
