import type { Metric } from 'prom-client';
import { closeCodeLabel } from '../protocol/close-codes.ts';
import { HEALTH_STATES, isHealthState } from '../result/health.ts';
import type { CheckResult } from '../result/types.ts';
import type { SkipReason } from '../result/sinks.ts';
import type { ConfigIndex } from './config-index.ts';
import { HISTOGRAM_PHASES, observeRun, type Families } from './families.ts';
import { ProtocolTracker } from './protocol.ts';

/** Unix time in seconds of an ISO 8601 instant, or null when it does not parse. */
function epochSeconds(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

/**
 * Turns results into samples. Label values come only from closed sets (result, phase, reason,
 * degradation, close code label, protocol variant) and from the configuration (target, check and
 * event names); messages, close reasons and HTTP statuses never become labels.
 */
export class ResultRecorder {
  readonly #families: Families;
  #index: ConfigIndex;
  readonly #protocol: ProtocolTracker;

  constructor(families: Families, index: ConfigIndex) {
    this.#families = families;
    this.#index = index;
    this.#protocol = new ProtocolTracker(families);
  }

  /**
   * Records one finished run and returns the families it may have changed (for the page cache): a
   * successful run leaves the failure, missing-event, close-code and degradation counters alone.
   * Results with reason `cancelled` are ignored (see `CanaryMetrics.record`).
   */
  record(result: CheckResult): readonly Metric[] {
    if (result.reason === 'cancelled') return [];
    const f = this.#families;
    const labels = { check: result.check, target: result.target };
    const passed = result.result !== 'failure';
    const configured = this.#index.find(result.target, result.check);
    const changed: Metric[] = [f.runs, f.up, f.lastRun, f.lastSuccess, f.duration, f.phaseDuration, f.eventLatency, f.protocolInfo, f.protocolChanges];
    if (result.degradations.length > 0) changed.push(f.degraded);
    if (!passed) changed.push(f.failures, f.eventsMissing);
    if (result.closeCode !== null) changed.push(f.wsClose);
    if ((configured?.healthEndpoints.length ?? 0) > 0) changed.push(f.dependencyHealth);
    if (result.tlsCertExpiresAt !== null) changed.push(f.tlsCertExpiry);

    f.runs.inc({ ...labels, result: result.result });
    f.up.set(labels, passed ? 1 : 0);
    const startedAt = epochSeconds(result.startedAt);
    if (startedAt !== null && Number.isFinite(result.durationSeconds)) {
      const endedAt = startedAt + result.durationSeconds;
      f.lastRun.set(labels, endedAt);
      if (passed) f.lastSuccess.set(labels, endedAt);
    }

    observeRun(f.duration, labels, result.durationSeconds, result.runId);
    for (const phase of HISTOGRAM_PHASES) {
      const seconds = result.phases[phase];
      if (seconds !== undefined) observeRun(f.phaseDuration, { ...labels, phase }, seconds, result.runId);
    }

    const eventLabels = configured?.eventLabels ?? this.#index.anyEventLabels;
    const arrived = new Set<string>();
    for (const event of result.events) {
      if (arrived.has(event.name)) continue;
      arrived.add(event.name);
      if (eventLabels.has(event.name)) observeRun(f.eventLatency, { ...labels, event: event.name }, event.seconds, result.runId);
    }

    for (const degradation of result.degradations) f.degraded.inc({ ...labels, degradation });
    if (result.result === 'failure' && result.phase !== null && result.reason !== null) {
      f.failures.inc({ ...labels, phase: result.phase, reason: result.reason });
    }
    if (result.closeCode !== null) f.wsClose.inc({ ...labels, code: closeCodeLabel(result.closeCode) });
    const messageSent = result.phases.welcome !== undefined;
    if (result.result === 'failure' && messageSent) {
      for (const event of configured?.countedEvents ?? []) {
        if (!arrived.has(event)) f.eventsMissing.inc({ ...labels, event });
      }
    }

    const health = new Map((result.health ?? []).map(({ endpoint, state }) => [endpoint, state]));
    for (const endpoint of configured?.healthEndpoints ?? []) {
      const seen = health.get(endpoint);
      if (!isHealthState(seen)) continue;
      for (const state of HEALTH_STATES) f.dependencyHealth.set({ ...labels, endpoint, state }, state === seen ? 1 : 0);
    }

    this.#protocol.observe(result.target, result.protocol);
    if (result.tlsCertExpiresAt !== null) {
      const expiresAt = epochSeconds(result.tlsCertExpiresAt);
      if (expiresAt !== null) f.tlsCertExpiry.set({ target: result.target }, expiresAt);
    }
    return changed;
  }

  /** Reads label values from a reloaded configuration from now on. */
  reindex(index: ConfigIndex): void {
    this.#index = index;
  }

  /** A due run was skipped. */
  skipped(target: string, check: string, reason: SkipReason): void {
    this.#families.skipped.inc({ check, target, reason });
  }

  /** A run started `lagSeconds` late; early starts count as no lag. */
  started(target: string, check: string, lagSeconds: number): void {
    if (Number.isFinite(lagSeconds)) this.#families.scheduleLag.observe({ check, target }, Math.max(0, lagSeconds));
  }
}
