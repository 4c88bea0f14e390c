import type { Degradation, Phase, Reason, ResultKind, TimedPhase } from '../result/reasons.ts';
import type { CheckResult, ReceivedEvent } from '../result/types.ts';
import type { CheckStatus, RunMark, RunRatio, StatusSnapshot, Streak } from '../result/status.ts';

/**
 * Events of the last run shown per check in `/status.json`, the first ones received; the run's view
 * (`/runs/:id`) has them all. Keeps the body bounded whatever a target sends.
 */
export const MAX_STATUS_EVENTS = 100;

/** A check's state on the status page: its last result, or `pending` before its first run. */
export type CheckState = ResultKind | 'pending';

/** One check in `/status.json`. Every key is always present; what is unknown is null. */
export interface CheckStatusView {
  readonly target: string;
  readonly check: string;
  readonly type: string;
  /** Scheme, host, port and path of the target; never its query string or credentials. */
  readonly url: string;
  readonly schedule: string;
  readonly state: CheckState;
  /** A run of this check is in flight now (its `state` is still the previous run's). */
  readonly running: boolean;
  readonly lastRunId: string | null;
  /** Wall-clock start of the last run, ISO 8601. */
  readonly lastRunAt: string | null;
  readonly reason: Reason | null;
  readonly phase: Phase | null;
  readonly message: string | null;
  readonly degradations: readonly Degradation[];
  readonly closeCode: number | null;
  readonly closeReason: string | null;
  readonly httpStatus: number | null;
  readonly missingEvent: string | null;
  /** Seconds per timed phase and in all, of the last run; null before the first run. */
  readonly timings: { readonly phases: Readonly<Partial<Record<TimedPhase, number>>>; readonly durationSeconds: number } | null;
  readonly events: readonly ReceivedEvent[];
  /** Events of the last run beyond the kept bound, counted only. */
  readonly eventsDropped: number;
  readonly lastSuccessAt: string | null;
  readonly lastFailureRunId: string | null;
  readonly nextRunAt: string | null;
  readonly runsSkipped: number;
  /** Failing (or passing) since when and for how many runs; null before the first run. */
  readonly streak: Streak | null;
  /** Of the runs seen since the service started, within the last hour and day. */
  readonly successRatio: { readonly hour: RunRatio; readonly day: RunRatio };
  /** The newest kept runs, oldest first, each with its `/runs/:id`. */
  readonly recent: readonly RunMark[];
}

/** How many checks are in each state. */
export type StateCounts = Readonly<Record<CheckState, number>> & { readonly total: number };

/** The body of `/status.json`. */
export interface StatusView {
  readonly version: string;
  readonly startedAt: string;
  /** Seconds since `startedAt`: how much history there can be. */
  readonly uptimeSeconds: number;
  readonly now: string;
  readonly region: string | null;
  readonly summary: StateCounts;
  readonly checks: readonly CheckStatusView[];
}

/** The state a check shows. */
export function stateOf(status: CheckStatus): CheckState {
  return status.last === null ? 'pending' : status.last.result;
}

/** Counts checks per state. */
export function countStates(checks: readonly CheckStatus[]): StateCounts {
  const counts: Record<CheckState, number> = { failure: 0, degraded: 0, success: 0, pending: 0 };
  for (const status of checks) counts[stateOf(status)]++;
  return { ...counts, total: checks.length };
}

type LastRunKey = 'lastRunId' | 'lastRunAt' | 'reason' | 'phase' | 'message' | 'degradations' | 'closeCode' | 'closeReason' | 'httpStatus' | 'missingEvent' | 'timings' | 'events' | 'eventsDropped';

function lastFields(last: CheckResult | null): Pick<CheckStatusView, LastRunKey> {
  if (last === null) {
    return {
      lastRunId: null, lastRunAt: null, reason: null, phase: null, message: null, degradations: [],
      closeCode: null, closeReason: null, httpStatus: null, missingEvent: null, timings: null, events: [], eventsDropped: 0,
    };
  }
  return {
    lastRunId: last.runId,
    lastRunAt: last.startedAt,
    reason: last.reason,
    phase: last.phase,
    message: last.message,
    degradations: last.degradations,
    closeCode: last.closeCode,
    closeReason: last.closeReason,
    httpStatus: last.httpStatus,
    missingEvent: last.missingEvent,
    timings: { phases: last.phases, durationSeconds: last.durationSeconds },
    events: last.events.slice(0, MAX_STATUS_EVENTS),
    eventsDropped: last.eventsDropped,
  };
}

/** One check as `/status.json` shows it: the last run's outcome without its transcript. */
export function checkStatusView(status: CheckStatus): CheckStatusView {
  return {
    target: status.target,
    check: status.check,
    type: status.type,
    url: status.url,
    schedule: status.schedule,
    state: stateOf(status),
    running: status.running,
    ...lastFields(status.last),
    lastSuccessAt: status.lastSuccessAt,
    lastFailureRunId: status.lastFailureRunId,
    nextRunAt: status.nextRunAt,
    runsSkipped: status.runsSkipped,
    streak: status.streak,
    successRatio: status.ratios,
    recent: status.recent,
  };
}

/** The body of `/status.json`, checks in the snapshot's order. */
export function statusView(snapshot: StatusSnapshot): StatusView {
  return {
    version: snapshot.version,
    startedAt: snapshot.startedAt,
    uptimeSeconds: Math.max(0, Math.floor((Date.parse(snapshot.now) - Date.parse(snapshot.startedAt)) / 1000)),
    now: snapshot.now,
    region: snapshot.region,
    summary: countStates(snapshot.checks),
    checks: snapshot.checks.map(checkStatusView),
  };
}
