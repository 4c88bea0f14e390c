import type { CheckResult } from './types.ts';

/** One check of one target as the status page and `/status.json` show it. */
export interface CheckStatus {
  readonly target: string;
  readonly check: string;
  readonly type: string;
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
}

/** The whole service state at one moment. */
export interface StatusSnapshot {
  readonly version: string;
  readonly startedAt: string;
  readonly now: string;
  readonly checks: readonly CheckStatus[];
}
