import type { CheckResult } from '../result/types.ts';

/** Whether a run's backend entries are read: a failure, not a shutdown's cancellation (which says nothing of the backend). */
export function wantsBackendLogs(result: CheckResult): boolean {
  return result.result === 'failure' && result.reason !== 'cancelled';
}
