import { deepFreeze, type CheckResult } from '../result/types.ts';

/** Freezes a finished result so no sink can change what the others see. */
export function freezeResult(result: CheckResult): CheckResult {
  return deepFreeze(structuredClone(result));
}
