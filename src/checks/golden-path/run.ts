import type { TargetConfig, WalkSettings } from '../../config/types.ts';
import type { CheckResult } from '../../result/types.ts';
import { runWalk } from '../../walk/engine.ts';
import { GOLDEN_PATH_PLAN } from '../../walk/plan.ts';
import type { RunDeps } from '../types.ts';

/**
 * Walks the golden path once (`walk/engine.ts`): token → connect → upgrade → welcome → user
 * message → the expected events → close. Never throws, ends within the run's deadline plus
 * `TEARDOWN_MS`, and leaves no socket or timer behind.
 */
export function runGoldenPath(target: TargetConfig, check: WalkSettings, deps: RunDeps): Promise<CheckResult> {
  return runWalk(target, check, deps, GOLDEN_PATH_PLAN);
}
