/**
 * The Logging queries for a run (https://cloud.google.com/logging/docs/view/logging-query-language):
 * the user's filter, severity WARNING or higher, and the window from `before` ahead of the run's
 * start to `after` past its end; the related query adds the run's trace or thread id.
 */
import type { BackendLogsConfig } from '../config/types.ts';

/** What a query needs of the run. */
export interface RunWindow {
  readonly runId: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly durationSeconds: number;
  /** The W3C trace id the run sent, when it had one. */
  readonly traceId?: string;
}

/** The two queries of a lookup. */
export interface BackendLogsQueries {
  readonly resourceNames: readonly string[];
  /** Entries of the run's trace or thread in the window. */
  readonly related: string;
  /** Every entry in the window. */
  readonly window: string;
  readonly fromIso: string;
  readonly toIso: string;
}

/**
 * The thread id a walk sends unless the server proposes its own (`walk/state.ts`: `canary_<runId>`,
 * with `_<n>` per message when there are several): found by a text search of every field.
 */
export function runThreadId(runId: string): string {
  return `canary_${runId}`;
}

function quoted(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The queries for `run` under `config`. */
export function backendLogsQueries(config: BackendLogsConfig, run: RunWindow): BackendLogsQueries {
  const startMs = Date.parse(run.startedAt);
  const fromIso = new Date(startMs - config.beforeMs).toISOString();
  const toIso = new Date(startMs + Math.ceil(run.durationSeconds * 1000) + config.afterMs).toISOString();
  // The line break ends a `--` comment the user's filter may close with.
  const window = `(${config.filter}\n) AND severity>=WARNING AND timestamp>=${quoted(fromIso)} AND timestamp<=${quoted(toIso)}`;
  const ids = [quoted(runThreadId(run.runId))];
  if (run.traceId !== undefined) ids.unshift(`trace=${quoted(`projects/${config.project}/traces/${run.traceId}`)}`);
  return {
    resourceNames: [`projects/${config.project}`],
    related: `${window} AND (${ids.join(' OR ')})`,
    window,
    fromIso,
    toIso,
  };
}
