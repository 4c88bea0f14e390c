import type { CheckConfig, TargetConfig } from '../config/types.ts';
import type { CheckResult } from '../result/types.ts';
import type { WalkDeps } from '../walk/plan.ts';

/**
 * What a check run is given: its run id, the clock, the tokens and its one deadline (`signal`,
 * required: the run's timeout combined with shutdown; see `walk/deadline.ts`). How a check type
 * adapts its walks is the `WalkPlan` it hands `runWalk`, not part of the deps.
 */
export type RunDeps = WalkDeps;

/** A check type: runs one check once and never throws. */
export type CheckRunner<C extends CheckConfig = CheckConfig> = (
  target: TargetConfig,
  check: C,
  deps: RunDeps,
) => Promise<CheckResult>;
