/**
 * Every metric family the canary exposes: name, type, help and labels. Names, types and labels are
 * a contract with alert rules and dashboards: add freely, rename never.
 */
import { Counter, Gauge, Histogram, type OpenMetricsContentType, type Registry } from 'prom-client';
import type { TimedPhase } from '../result/reasons.ts';

/** The labels of `canary_protocol_info`: the target and each part of the protocol variant it spoke. */
export const PROTOCOL_LABELS = ['target', 'welcome', 'envelope', 'subprotocol', 'handshake'] as const;
export type ProtocolLabel = (typeof PROTOCOL_LABELS)[number];

/**
 * Buckets (seconds) for whole runs and the time to the completion event: an agent run needs no
 * millisecond buckets. Real agent runs take about 90 s; 120 s is the latency budget of
 * `CanaryGoldenPathSlow` and the default `slow_after`, the default deadline is 150 s, so 60, 120
 * and 300 tell a usual run from a slow one and one at its deadline; 1 and 10 keep a local or fast
 * backend readable.
 */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [1, 10, 30, 60, 120, 300];

/**
 * Buckets (seconds) for the connection's set-up phases that get a histogram
 * ({@link HISTOGRAM_PHASES}): a decade apart from 50 ms, since an upgrade or welcome takes tens
 * of milliseconds on a warm backend and seconds on a cold start; no phase here lasts minutes.
 */
export const PHASE_BUCKETS_SECONDS: readonly number[] = [0.05, 0.5, 5];

/**
 * The phases timed in `canary_phase_duration_seconds`: where the backend's side of the set-up is
 * slow (the gateway and authentication, its start-up, the third generation's lifecycle handshake).
 * `token`, `dns`, `tcp` and `tls` take milliseconds and are in each run's result (status page
 * waterfall, run page, log entry); `events` is the completion event's latency in
 * `canary_event_latency_seconds`.
 */
export const HISTOGRAM_PHASES = ['upgrade', 'welcome', 'handshake'] as const satisfies readonly TimedPhase[];

/**
 * The {@link HISTOGRAM_PHASES} created at zero for every check, since every walk reaches them;
 * `handshake` appears with the first run against a third-generation backend.
 */
export const ZEROED_PHASES = ['upgrade', 'welcome'] as const satisfies readonly (typeof HISTOGRAM_PHASES)[number][];

/**
 * Buckets (seconds) for how late the scheduler started a run: under 10 ms is a quiet timer, up to
 * 100 ms a busy event loop, beyond a second a blocked or overloaded process.
 */
export const SCHEDULE_LAG_BUCKETS_SECONDS: readonly number[] = [0.01, 0.1, 1];

type CheckLabel = 'check' | 'target';

/** The prom-client instruments behind every family, typed by their label names. */
export interface Families {
  readonly up: Gauge<CheckLabel>;
  readonly runs: Counter<CheckLabel | 'result'>;
  readonly failures: Counter<CheckLabel | 'phase' | 'reason'>;
  readonly degraded: Counter<CheckLabel | 'degradation'>;
  readonly duration: Histogram<CheckLabel>;
  readonly phaseDuration: Histogram<CheckLabel | 'phase'>;
  readonly eventLatency: Histogram<CheckLabel | 'event'>;
  readonly eventsMissing: Counter<CheckLabel | 'event'>;
  readonly wsClose: Counter<CheckLabel | 'code'>;
  readonly lastRun: Gauge<CheckLabel>;
  readonly lastSuccess: Gauge<CheckLabel>;
  readonly scheduleLag: Histogram<CheckLabel>;
  readonly skipped: Counter<CheckLabel | 'reason'>;
  readonly tlsCertExpiry: Gauge<'target'>;
  readonly protocolInfo: Gauge<ProtocolLabel>;
  readonly protocolChanges: Counter<'target'>;
  readonly checkTimeout: Gauge<CheckLabel>;
  readonly checkInterval: Gauge<CheckLabel>;
  readonly configInfo: Gauge<'target' | 'check' | 'type'>;
  readonly buildInfo: Gauge<'version' | 'revision'>;
  readonly dependencyHealth: Gauge<CheckLabel | 'endpoint' | 'state'>;
  readonly reloadSuccessful: Gauge;
  readonly reloadSuccessTime: Gauge;
  readonly reloads: Counter<'result'>;
}

/**
 * Creates every family on `registry`, which must be an OpenMetrics registry: prom-client keeps
 * exemplars only there (the run-timing histograms carry a `run_id` exemplar).
 */
export function createFamilies(registry: Registry<OpenMetricsContentType>): Families {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    new Gauge<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[],
    enableExemplars: boolean,
  ): Histogram<L> => new Histogram<L>({ name, help, labelNames, buckets: [...buckets], registers, enableExemplars });

  const check = ['check', 'target'] as const;
  return {
    up: gauge('canary_check_up', 'Whether the last run of the check passed: 1 for success or degraded, 0 for failure.', check),
    runs: counter('canary_check_runs_total', 'Runs of the check that reached a verdict, by result (success, degraded, failure).', [...check, 'result']),
    failures: counter(
      'canary_check_failures_total',
      'Failed runs of the check, by the phase that failed and the reason (see the README reason table).',
      [...check, 'phase', 'reason'],
    ),
    degraded: counter(
      'canary_check_degraded_total',
      'Degradations seen in degraded runs of the check, one per degradation (slow, unknown_frame).',
      [...check, 'degradation'],
    ),
    duration: histogram(
      'canary_check_duration_seconds',
      'Wall time of one run of the check in seconds, from the token request to the verdict.',
      check,
      DURATION_BUCKETS_SECONDS,
      true,
    ),
    phaseDuration: histogram(
      'canary_phase_duration_seconds',
      'Time spent in each completed set-up phase of a run in seconds (upgrade, welcome, handshake).',
      [...check, 'phase'],
      PHASE_BUCKETS_SECONDS,
      true,
    ),
    eventLatency: histogram(
      'canary_event_latency_seconds',
      'Seconds from sending the user message to the first arrival of the completion event.',
      [...check, 'event'],
      DURATION_BUCKETS_SECONDS,
      true,
    ),
    eventsMissing: counter(
      'canary_events_missing_total',
      'Failed runs whose user message was sent but in which this expected agent event never arrived.',
      [...check, 'event'],
    ),
    wsClose: counter(
      'canary_ws_close_total',
      'WebSocket closes that ended a run before its verdict, by close code (RFC 6455 section 7.4; other for unknown codes).',
      [...check, 'code'],
    ),
    lastRun: gauge('canary_last_run_timestamp_seconds', 'Unix time in seconds at which the last run of the check ended.', check),
    lastSuccess: gauge(
      'canary_last_success_timestamp_seconds',
      'Unix time in seconds at which the last successful or degraded run of the check ended.',
      check,
    ),
    scheduleLag: histogram(
      'canary_schedule_lag_seconds',
      'Seconds between the time a run was due and the time it started.',
      check,
      SCHEDULE_LAG_BUCKETS_SECONDS,
      false,
    ),
    skipped: counter('canary_runs_skipped_total', 'Due runs that did not start, by reason (overlap: the previous run was still going).', [
      ...check,
      'reason',
    ]),
    tlsCertExpiry: gauge(
      'canary_tls_cert_expiry_timestamp_seconds',
      'Unix time in seconds at which the certificate the wss target last presented expires.',
      ['target'],
    ),
    protocolInfo: gauge(
      'canary_protocol_info',
      'Always 1: the protocol variant (welcome shape, event envelope, subprotocol, lifecycle handshake or none) the target spoke in its last run that got a welcome.',
      [...PROTOCOL_LABELS],
    ),
    protocolChanges: counter(
      'canary_protocol_changes_total',
      'Times the protocol variant of the target differed from the one of its previous run that got a welcome.',
      ['target'],
    ),
    checkTimeout: gauge('canary_check_timeout_seconds', 'The configured deadline of one run of the check, in seconds.', check),
    checkInterval: gauge('canary_check_interval_seconds', 'The nominal time between two scheduled runs of the check, in seconds.', check),
    configInfo: gauge('canary_config_info', 'Always 1: one series per configured check, with its type.', ['target', 'check', 'type']),
    buildInfo: gauge('canary_build_info', 'Always 1: the version and source revision of the running canary.', ['version', 'revision']),
    dependencyHealth: gauge(
      'canary_dependency_health',
      'State of each configured health endpoint at the last dependency_health run: 1 for its state (healthy, starting, unhealthy, unreachable), 0 for the others.',
      [...check, 'endpoint', 'state'],
    ),
    reloadSuccessful: gauge('canary_config_last_reload_successful', 'Whether the last configuration reload (SIGHUP or POST /-/reload) succeeded: 1 yes (and at start), 0 no.', []),
    reloadSuccessTime: gauge(
      'canary_config_last_reload_success_timestamp_seconds',
      'Unix time in seconds of the last successful configuration load (the start, or a reload).',
      [],
    ),
    reloads: counter('canary_config_reloads_total', 'Configuration reloads (SIGHUP or POST /-/reload), by result (success, failure).', ['result']),
  };
}

/** The exemplar label of a run, or nothing when OpenMetrics' 128-character limit would be broken. */
function runExemplar(runId: string): Readonly<Record<'run_id', string>> | null {
  return `run_id${runId}`.length <= 128 ? { run_id: runId } : null;
}

/**
 * Observes `value` (seconds) with a `run_id` exemplar. Non-finite and negative values are dropped:
 * a sink never throws, and prom-client throws on them.
 */
export function observeRun<L extends string>(
  histogram: Histogram<L>,
  labels: Partial<Record<L, string>>,
  value: number,
  runId: string,
): void {
  if (!Number.isFinite(value) || value < 0) return;
  const exemplar = runExemplar(runId);
  // prom-client's typings tie exemplar label names to the metric's label names; they are independent.
  const exemplarLabels = exemplar as Partial<Record<L, string>> | null;
  histogram.observe(exemplarLabels === null ? { labels, value } : { labels, value, exemplarLabels });
}
