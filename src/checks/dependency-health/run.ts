/**
 * dependency_health: the backend's health endpoints, classified, next to one walk of the golden
 * path. Catches the incident reports' "the socket connects but the agent never runs when a
 * dependency is down" (protocol.md, "Close codes"): no agent event and no error while every
 * health endpoint says healthy.
 */
import type { DependencyHealthCheck, TargetConfig } from '../../config/types.ts';
import { isBypassHeader } from '../../protocol/frames.ts';
import { healthDetailKey } from '../../result/health.ts';
import { redact } from '../../result/transcript.ts';
import type { CheckResult, Transcript, TranscriptEntry } from '../../result/types.ts';
import { VERSION } from '../../version.ts';
import { freezeResult } from '../../walk/result.ts';
import { runGoldenPath } from '../golden-path/run.ts';
import type { RunDeps } from '../types.ts';
import { healthUrl, probeHealth, type HealthProbe } from './probe.ts';

/** One health GET as it happened: the answer, the URL, and when it was sent and answered (ms since the run started). */
export interface TimedProbe extends HealthProbe {
  readonly url: string;
  readonly sentMs: number;
  readonly answeredMs: number;
}

/** Secrets redacted from the health entries of the transcript. */
type Secrets = readonly string[];

/** The walk's transcript with each health GET and its answer (kind `http`) merged in by time. */
function withHealth(transcript: Transcript, probes: readonly TimedProbe[], secrets: Secrets): Transcript {
  const http = probes.flatMap((probe): TranscriptEntry[] => [
    { dir: 'out', tMs: round(probe.sentMs), kind: 'http', type: null, size: 0, text: redact(`GET ${probe.url}`, secrets) },
    { dir: 'in', tMs: round(probe.answeredMs), kind: 'http', type: null, size: 0, text: redact(`${probe.state}: ${probe.detail}`, secrets) },
  ]);
  const entries = [...transcript.entries, ...http].sort((a, b) => a.tMs - b.tMs);
  return { entries, dropped: transcript.dropped };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/**
 * The verdict: a walk that failed with `event_missing` before any agent event (so with no error
 * frame either) while every endpoint said healthy is `silent_agent_failure`; any other failed walk
 * keeps its reason; a walk that passed is degraded with `dependency_unhealthy` when an endpoint
 * was not healthy. `health` carries each endpoint's state for the sinks and `details` shows it to
 * people under `health:<endpoint>`; the transcript is the walk's with each health GET and answer
 * merged in (kind `http`, redacted with `secrets`).
 */
export function dependencyHealthResult(
  walk: CheckResult,
  probes: readonly TimedProbe[],
  durationSeconds: number,
  secrets: Secrets = [],
): CheckResult {
  const details = Object.fromEntries(probes.map((probe) => [healthDetailKey(probe.endpoint), probe.state]));
  const health = probes.map(({ endpoint, state }) => ({ endpoint, state }));
  const allHealthy = probes.every((probe) => probe.state === 'healthy');
  const common = {
    details,
    health,
    durationSeconds: Math.max(walk.durationSeconds, durationSeconds),
    transcript: withHealth(walk.transcript, probes, secrets),
  };
  if (walk.result === 'failure') {
    if (walk.reason === 'event_missing' && walk.events.length === 0 && allHealthy) {
      const endpoints = listed(probes.map((probe) => probe.endpoint));
      return freezeResult({
        ...walk,
        ...common,
        phase: 'events',
        reason: 'silent_agent_failure',
        message: `the socket connected but no agent event came while ${endpoints} said healthy`,
      });
    }
    return freezeResult({ ...walk, ...common });
  }
  if (allHealthy) return freezeResult({ ...walk, ...common });
  return freezeResult({ ...walk, ...common, result: 'degraded', degradations: [...walk.degradations, 'dependency_unhealthy'] });
}

/**
 * Runs one dependency_health check: GETs every endpoint (each within `health_timeout`, with the
 * target's TLS settings and extra headers) while walking the golden path, then decides with
 * {@link dependencyHealthResult}. Ends within `timeout` plus the walk's teardown bound.
 * Never throws.
 */
export async function runDependencyHealth(target: TargetConfig, check: DependencyHealthCheck, deps: RunDeps): Promise<CheckResult> {
  const startMono = deps.clock.monoMs();
  const headers: Record<string, string> = { 'user-agent': `canary/${VERSION}`, accept: 'application/json' };
  for (const [name, value] of Object.entries(target.headers)) if (!isBypassHeader(name)) headers[name] = value;
  const sinceStart = (): number => deps.clock.monoMs() - startMono;
  const probes = Promise.all(
    check.endpoints.map(async (endpoint): Promise<TimedProbe> => {
      const url = healthUrl(target.url, endpoint);
      const sentMs = sinceStart();
      const probe = await probeHealth(endpoint, url, {
        timeoutMs: check.healthTimeoutMs,
        tls: target.tls,
        headers,
        signal: deps.signal,
      });
      return { ...probe, url: url.toString(), sentMs, answeredMs: sinceStart() };
    }),
  );
  const [walk, answers] = await Promise.all([runGoldenPath(target, check, deps), probes]);
  return dependencyHealthResult(walk, answers, sinceStart() / 1000, deps.tokens.secrets);
}
