import type { ResultKind } from './reasons.ts';
import type { CheckResult } from './types.ts';

/** The current run of equal outcomes of a check: failing (failures) or passing (success or degraded). */
export interface Streak {
  readonly failing: boolean;
  /** Runs in the streak, the service has seen since it started. */
  readonly runs: number;
  /** ISO start of the streak's first run: failing since, or passing since. */
  readonly since: string;
  readonly firstRunId: string;
  /** The streak began with the first run this process saw: it may have begun before the service started. */
  readonly fromStart: boolean;
}

/** Runs within a window and how many of them did not fail (success or degraded). */
export interface RunRatio {
  readonly runs: number;
  readonly ok: number;
  /** `ok / runs`, 0 to 1; null without runs. */
  readonly ratio: number | null;
}

/** One run in the history strip. */
export interface RunMark {
  readonly runId: string;
  readonly result: ResultKind;
  readonly reason: CheckResult['reason'];
  readonly startedAt: string;
}

/** One check of one target as the status page and `/status.json` show it. */
export interface CheckStatus {
  readonly target: string;
  readonly check: string;
  readonly type: string;
  /** The target's address: scheme, host, port and path only (see `publicUrl`). */
  readonly url: string;
  /** Human form of the schedule, such as `every 60s` or `cron 0 * * * *`. */
  readonly schedule: string;
  readonly running: boolean;
  readonly last: CheckResult | null;
  /** ISO time of the last success or degraded run. */
  readonly lastSuccessAt: string | null;
  /** Run id of the most recent failure still in the run store. */
  readonly lastFailureRunId: string | null;
  /** ISO time of the next scheduled run. */
  readonly nextRunAt: string | null;
  readonly runsSkipped: number;
  /** Null before the first run. */
  readonly streak: Streak | null;
  /** Success ratio over the last hour and the last day, of the runs seen since the service started. */
  readonly ratios: { readonly hour: RunRatio; readonly day: RunRatio };
  /** The newest kept runs, oldest first (at most `RECENT_RUNS_SHOWN`). */
  readonly recent: readonly RunMark[];
}

/** The whole service state at one moment. */
export interface StatusSnapshot {
  readonly version: string;
  /** When the service started: history (streaks, ratios, recent runs) covers only since then. */
  readonly startedAt: string;
  readonly now: string;
  /** The region the service runs in, when it knows it (Cloud Run), else null. */
  readonly region: string | null;
  /** The Google Cloud project the service logs to, when known: the status page links traces with it. Absent: unknown. */
  readonly projectId?: string | null;
  readonly checks: readonly CheckStatus[];
}
