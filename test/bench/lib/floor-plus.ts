/**
 * The floor plus what any canary built on this stack must do each run, done with the libraries
 * alone and no canary code: a fresh JWT signed by jose (a new `jti` each run, the HMAC key
 * imported once, as the canary keeps it), the floor's exchange with it (floor.ts), the run's
 * samples in prom-client (the families, label sets and `run_id` exemplars the canary records for a
 * successful run: one run counter, three gauges, the duration, two set-up phases and five events)
 * and one structured log line through pino (the run's verdict, phases and events, as the canary's
 * run entry carries them) to the same `/dev/null` stream the canary logs to here.
 *
 * Its CPU per run against the floor's is what the libraries cost a canary before its own checking,
 * recording and redaction: the part of the CPU goal's allowance no canary on this stack can spend.
 */
import { createWriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose/jwt/sign';
import { pino } from 'pino';
import { Counter, Gauge, Histogram, Registry, type OpenMetricsContentType } from 'prom-client';
import { REFERENCE_ISSUER, REFERENCE_SECRET } from '../../../src/reference/index.ts';
import { floorExchange, type FloorExchange } from './floor.ts';

const EVENTS = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'] as const;
const LABELS = { check: 'golden_path', target: 'bench' } as const;
const TTL_SECONDS = 600;
/** The audience the benchmark's target file configures (config.ts). */
const AUDIENCE = 'netra-platform';

/** One run of the floor plus the libraries' share; resolves with the floor's exchange once the run is logged. */
export type FloorPlusRun = () => Promise<FloorExchange>;

/** Sets up the key, the registry and the logger once, and returns one run. */
export async function createFloorPlus(url: string): Promise<FloorPlusRun> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(REFERENCE_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const registers = [registry];
  const check = ['check', 'target'] as const;
  const runs = new Counter({ name: 'floor_runs_total', help: 'runs', labelNames: [...check, 'result'], registers });
  const up = new Gauge({ name: 'floor_up', help: 'up', labelNames: check, registers });
  const lastRun = new Gauge({ name: 'floor_last_run', help: 'last run', labelNames: check, registers });
  const lastSuccess = new Gauge({ name: 'floor_last_success', help: 'last success', labelNames: check, registers });
  const durationBuckets = [1, 10, 30, 60, 120, 300];
  // Histogram<string>: prom-client's typings tie exemplar label names to the metric's; they are independent.
  const duration = new Histogram<string>({ name: 'floor_duration_seconds', help: 'duration', labelNames: check, buckets: durationBuckets, registers, enableExemplars: true });
  const phases = new Histogram<string>({ name: 'floor_phase_seconds', help: 'phases', labelNames: [...check, 'phase'], buckets: [0.05, 0.5, 5], registers, enableExemplars: true });
  const events = new Histogram<string>({ name: 'floor_event_seconds', help: 'events', labelNames: [...check, 'event'], buckets: durationBuckets, registers, enableExemplars: true });
  const logger = pino(
    {
      messageKey: 'message',
      base: null,
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: () => ({ severity: 'INFO' }) },
    },
    createWriteStream('/dev/null'),
  );

  return async () => {
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const iat = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ token_type: 'access' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('canary-bench')
      .setIssuedAt(iat)
      .setExpirationTime(iat + TTL_SECONDS)
      .setJti(randomUUID())
      .setIssuer(REFERENCE_ISSUER)
      .setAudience(AUDIENCE)
      .sign(key);
    const tokenAt = performance.now();
    const exchange = await floorExchange(url, token);
    const endAt = performance.now();
    const runId = randomUUID().replaceAll('-', '').slice(0, 16);
    const exemplarLabels = { run_id: runId };
    const seconds = (ms: number): number => ms / 1000;
    const seen = exchange.frames.map((frame) => ({ name: /"type":"([a-z_]+)"/.exec(frame.text)?.[1] ?? '', seconds: seconds(frame.atMs - exchange.sendAtMs) }));
    const arrived = seen.filter((event) => (EVENTS as readonly string[]).includes(event.name));
    const phaseSeconds = { token: seconds(tokenAt - t0), upgrade: seconds((exchange.sendAtMs - tokenAt) / 2), welcome: seconds((exchange.sendAtMs - tokenAt) / 2), events: seconds(endAt - exchange.sendAtMs) };
    const durationSeconds = seconds(endAt - t0);

    runs.inc({ ...LABELS, result: 'success' });
    up.set(LABELS, 1);
    const endedAt = Date.now() / 1000;
    lastRun.set(LABELS, endedAt);
    lastSuccess.set(LABELS, endedAt);
    duration.observe({ labels: LABELS, value: durationSeconds, exemplarLabels });
    phases.observe({ labels: { ...LABELS, phase: 'upgrade' }, value: phaseSeconds.upgrade, exemplarLabels });
    phases.observe({ labels: { ...LABELS, phase: 'welcome' }, value: phaseSeconds.welcome, exemplarLabels });
    for (const event of arrived) events.observe({ labels: { ...LABELS, event: event.name }, value: event.seconds, exemplarLabels });

    logger.info(
      {
        'logging.googleapis.com/labels': { ...LABELS, run_id: runId },
        type: 'golden_path',
        result: 'success',
        phase: null,
        reason: null,
        durationSeconds,
        phases: phaseSeconds,
        events: arrived,
        protocol: { welcome: 'system_message', envelope: 'data', subprotocol: 'none', handshake: 'none' },
        degradations: [],
        startedAt,
      },
      `golden_path on bench: success in ${durationSeconds.toFixed(3)} s`,
    );
    return exchange;
  };
}
