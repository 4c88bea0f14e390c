import type { CheckResult, Transcript, TranscriptEntry } from '../result/types.ts';
import type { LogFields, LogLabels } from './logger.ts';
import type { Severity } from './severity.ts';
import { TRACE_KEY, TRACE_SAMPLED_KEY, type TraceFields } from './trace.ts';

/**
 * Most bytes a run entry's transcript takes as JSON. Cloud Logging's entry limit is 256 KB; the
 * rest of the entry is small, so this leaves room for it and for redaction's growth.
 */
export const MAX_TRANSCRIPT_LOG_BYTES = 64 * 1024;
/** Characters of frame text kept per transcript entry in the log. */
export const MAX_TRANSCRIPT_TEXT_CHARS = 512;

/** The log entry for one finished run. */
export interface RunEntry {
  readonly severity: Severity;
  readonly message: string;
  readonly labels: LogLabels;
  readonly fields: LogFields;
  /** The run's trace (`projects/<project>/traces/<traceId>`, sampled); null without a trace id or a project. */
  readonly trace: TraceFields | null;
}

/**
 * The entry for a run: INFO for success, WARNING for degraded, ERROR for failure, except a
 * `cancelled` failure (the canary shut down mid-run, which says nothing about the target), which is
 * WARNING. A failure carries its transcript, bounded to {@link MAX_TRANSCRIPT_LOG_BYTES}; other
 * results carry none. A run with a trace id carries it as `traceId`, and, when `projectId` is known,
 * as the entry's trace, which Cloud Logging links to the trace in Cloud Trace.
 */
export function runEntry(result: CheckResult, projectId: string | null = null): RunEntry {
  const fields: Record<string, unknown> = {
    type: result.type,
    result: result.result,
    phase: result.phase,
    reason: result.reason,
    detail: result.message,
    missingEvent: result.missingEvent,
    closeCode: result.closeCode,
    closeReason: result.closeReason,
    httpStatus: result.httpStatus,
    durationSeconds: result.durationSeconds,
    phases: result.phases,
    events: result.events.map((e) => ({ name: e.name, seconds: e.seconds })),
    protocol: result.protocol,
    degradations: result.degradations,
    startedAt: result.startedAt,
    tlsCertExpiresAt: result.tlsCertExpiresAt,
  };
  if (result.traceId !== undefined) fields['traceId'] = result.traceId;
  if (Object.keys(result.details).length > 0) fields['details'] = result.details;
  if (result.result === 'failure') fields['transcript'] = boundTranscript(result.transcript, MAX_TRANSCRIPT_LOG_BYTES);
  return {
    severity: severityOf(result),
    message: messageOf(result),
    labels: { target: result.target, check: result.check, run_id: result.runId },
    fields,
    trace: runTrace(result.traceId, projectId),
  };
}

/**
 * A run's trace fields (`projects/<project>/traces/<traceId>`, sampled: the walk's upgrade always
 * sends the flag, `walk/trace.ts`); null without a trace id or a project.
 */
export function runTrace(traceId: string | undefined, projectId: string | null): TraceFields | null {
  if (traceId === undefined || projectId === null || projectId === '') return null;
  return { [TRACE_KEY]: `projects/${projectId}/traces/${traceId}`, [TRACE_SAMPLED_KEY]: true };
}

function severityOf(result: CheckResult): Severity {
  switch (result.result) {
    case 'success':
      return 'INFO';
    case 'degraded':
      return 'WARNING';
    case 'failure':
      return result.reason === 'cancelled' ? 'WARNING' : 'ERROR';
  }
}

/**
 * `run success`, `run degraded: slow`, `run failed: close_1011 in events`,
 * `run failed: event_missing in events (agent_completed)`.
 */
function messageOf(result: CheckResult): string {
  switch (result.result) {
    case 'success':
      return 'run success';
    case 'degraded':
      return result.degradations.length === 0 ? 'run degraded' : `run degraded: ${result.degradations.join(', ')}`;
    case 'failure': {
      const where = result.phase === null ? '' : ` in ${result.phase}`;
      const what = result.missingEvent === null ? '' : ` (${result.missingEvent})`;
      return `run failed: ${result.reason ?? 'unknown'}${where}${what}`;
    }
  }
}

/**
 * The transcript cut to at most `maxBytes` of JSON: texts cut to {@link MAX_TRANSCRIPT_TEXT_CHARS},
 * then entries left out from the middle (the first ones, up to a quarter of the budget, and the last
 * ones survive), counted in `dropped`.
 */
export function boundTranscript(transcript: Transcript, maxBytes: number): Transcript {
  const entries = transcript.entries.map(cutText);
  const sizes = entries.map((e) => Buffer.byteLength(JSON.stringify(e)) + 1);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total <= maxBytes) return { entries, dropped: transcript.dropped };
  let used = 0;
  let head = 0;
  while (head < entries.length && used + (sizes[head] ?? 0) <= maxBytes / 4) used += sizes[head++] ?? 0;
  let tailStart = entries.length;
  while (tailStart > head && used + (sizes[tailStart - 1] ?? 0) <= maxBytes) used += sizes[--tailStart] ?? 0;
  return {
    entries: [...entries.slice(0, head), ...entries.slice(tailStart)],
    dropped: transcript.dropped + (tailStart - head),
  };
}

function cutText(entry: TranscriptEntry): TranscriptEntry {
  const text = entry.text;
  if (text === null || text.length <= MAX_TRANSCRIPT_TEXT_CHARS) return entry;
  return { ...entry, text: `${text.slice(0, MAX_TRANSCRIPT_TEXT_CHARS)}… (${text.length - MAX_TRANSCRIPT_TEXT_CHARS} more chars)` };
}
