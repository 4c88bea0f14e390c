import type { CheckResult } from './types.ts';

/** Receives every finished run. Sinks never throw and never reach back into the engine. */
export interface ResultSink {
  record(result: CheckResult): void;
}

/** Why a due run did not start. Bounded: a metric label. */
export const SKIP_REASONS = ['overlap'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** What the scheduler reports besides results. */
export interface ScheduleSink {
  /** A due run was skipped. */
  skipped(target: string, check: string, reason: SkipReason): void;
  /** A run started `lagSeconds` after its scheduled time. */
  started(target: string, check: string, lagSeconds: number): void;
}
