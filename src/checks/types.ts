import type { CheckConfig, TargetConfig } from '../config/types.ts';
import type { TokenProvider } from '../auth/provider.ts';
import type { Clock } from '../engine/clock.ts';
import type { TranscriptLimits } from '../result/transcript.ts';
import type { CheckResult } from '../result/types.ts';

/** What a check run is given. Nothing global: the clock, tokens and cancellation come in here. */
export interface RunDeps {
  readonly runId: string;
  readonly clock: Clock;
  readonly tokens: TokenProvider;
  /** Aborts the run from outside (service shutdown): the run ends as `cancelled`. */
  readonly signal?: AbortSignal;
  readonly transcriptLimits?: TranscriptLimits;
}

/** A check type: runs one check once and never throws. */
export type CheckRunner<C extends CheckConfig = CheckConfig> = (
  target: TargetConfig,
  check: C,
  deps: RunDeps,
) => Promise<CheckResult>;
