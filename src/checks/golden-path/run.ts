import type { AnswerExpectation, TargetConfig, WalkSettings } from '../../config/types.ts';
import type { CheckResult } from '../../result/types.ts';
import { runWalk } from '../../walk/engine.ts';
import { GOLDEN_PATH_PLAN, walkPlan, type WalkPlan } from '../../walk/plan.ts';
import type { RunDeps } from '../types.ts';
import { checkAnswer } from './answer.ts';

/** The golden path's plan: the answer is checked too when the check has `expect_answer`. */
function planFor(expectation: AnswerExpectation | undefined): WalkPlan {
  if (expectation === undefined) return GOLDEN_PATH_PLAN;
  return walkPlan({ answer: (completion) => checkAnswer(expectation, completion)?.message ?? null });
}

/**
 * Walks the golden path once (`walk/engine.ts`): token → connect → upgrade → welcome → the
 * handshake (third generation) → user message → the expected events (and the answer, with
 * `expect_answer`) → close. Never throws, ends within the run's deadline plus `TEARDOWN_MS`, and
 * leaves no socket or timer behind.
 */
export function runGoldenPath(
  target: TargetConfig,
  check: WalkSettings & { readonly expectAnswer?: AnswerExpectation },
  deps: RunDeps,
): Promise<CheckResult> {
  return runWalk(target, check, deps, planFor(check.expectAnswer));
}
