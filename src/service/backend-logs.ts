/**
 * The service's side of `backend_logs`: a result sink that, for a failed run of a target with
 * `backend_logs`, reads the backend's entries after the result was recorded (the verdict, metrics
 * and the run's log entry never wait for it), attaches them to the stored run and logs them in a
 * second entry, `backend logs for run <id>`, with the run's labels and trace.
 */
import type { BackendLogsConfig } from '../config/types.ts';
import { wantsBackendLogs, type BackendLogs, type BackendLogsReader } from '../backend-logs/index.ts';
import type { CanaryLogger } from '../logging/index.ts';
import { runTrace } from '../logging/run-entry.ts';
import type { ResultSink } from '../result/sinks.ts';
import { withBackendLogs, type CheckResult } from '../result/types.ts';
import type { RunStore } from './run-store.ts';

/** What the sink is given: nothing global. */
export interface BackendLogsSinkDeps {
  readonly reader: BackendLogsReader;
  readonly store: RunStore;
  readonly logger: CanaryLogger;
  /** The `backend_logs` of the run's target as configured now, or undefined. */
  readonly configOf: (result: CheckResult) => BackendLogsConfig | undefined;
  /** Every secret the run may have used, for redaction. */
  readonly secrets: () => readonly string[];
}

/** The sink, and what shutdown waits for. */
export interface BackendLogsSink extends ResultSink {
  /** Resolves when every lookup started so far has ended, or after `maxWaitMs`, whichever comes first. */
  settled(maxWaitMs: number): Promise<void>;
}

/** The second log entry of a failed run: its backend's entries, or the note. */
function logLookup(logger: CanaryLogger, result: CheckResult, logs: BackendLogs): void {
  const entry = logger.child({
    labels: { target: result.target, check: result.check, run_id: result.runId },
    trace: runTrace(result.traceId, logger.projectId),
  });
  const message = `backend logs for run ${result.runId}`;
  if (logs.note === null) entry.info(`${message}: ${logs.entries.length} entries`, { backendLogs: logs });
  else entry.warning(`${message}: ${logs.note.code}`, { backendLogs: logs });
}

/** A sink that reads and attaches the backend's entries of failed runs; never throws, never rejects. */
export function createBackendLogsSink(deps: BackendLogsSinkDeps): BackendLogsSink {
  const pending = new Set<Promise<void>>();
  return {
    record(result) {
      if (!wantsBackendLogs(result)) return;
      const config = deps.configOf(result);
      if (config === undefined) return;
      const lookup = deps.reader
        .read(config, result, deps.secrets())
        .then((logs) => {
          deps.store.replace(result.runId, (stored) => withBackendLogs(stored, logs));
          logLookup(deps.logger, result, logs);
        })
        .catch((error: unknown) => deps.logger.error('backend logs not attached', { error: String(error) }))
        .finally(() => pending.delete(lookup));
      pending.add(lookup);
    },
    async settled(maxWaitMs) {
      if (pending.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxWaitMs);
      });
      await Promise.race([Promise.all([...pending]), giveUp]);
      clearTimeout(timer);
    },
  };
}
