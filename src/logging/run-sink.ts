import type { ResultSink } from '../result/sinks.ts';
import type { CanaryLogger } from './logger.ts';
import { runEntry } from './run-entry.ts';

/**
 * A sink that logs one structured entry per finished run (see {@link runEntry}), labelled
 * `{target, check, run_id}`; a failed run's transcript rides in the same entry as `transcript`;
 * with the logger's project known, the entry's trace links the run's trace (`runEntry`).
 * Never throws: if an entry cannot be built, a bare ERROR entry with the run's labels says so.
 */
export function createRunLogSink(logger: CanaryLogger): ResultSink {
  return {
    record(result) {
      try {
        const entry = runEntry(result, logger.projectId);
        logger.child({ labels: entry.labels, trace: entry.trace }).log(entry.severity, entry.message, entry.fields);
      } catch (error) {
        try {
          logger
            .child({ labels: { target: result.target, check: result.check, run_id: result.runId } })
            .error('run not logged', { err: error });
        } catch {
          // A sink never throws; the output itself has failed.
        }
      }
    },
  };
}
