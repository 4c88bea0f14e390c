import type { CheckResult } from '../result/types.ts';

/** The `--json` line for one run. Field names are a contract for pipelines. */
export function toJsonRecord(result: CheckResult, withTranscript: boolean): Record<string, unknown> {
  const record: Record<string, unknown> = {
    check: result.check,
    target: result.target,
    url: result.url ?? null,
    type: result.type,
    runId: result.runId,
    result: result.result,
    phase: result.phase,
    reason: result.reason,
    message: result.message,
    missingEvent: result.missingEvent,
    degradations: result.degradations,
    closeCode: result.closeCode,
    closeReason: result.closeReason,
    httpStatus: result.httpStatus,
    events: result.events.map((e) => ({ name: e.name, seconds: round(e.seconds) })),
    eventsDropped: result.eventsDropped,
    phases: Object.fromEntries(Object.entries(result.phases).map(([k, v]) => [k, round(v)])),
    durationSeconds: round(result.durationSeconds),
    protocol: result.protocol,
    startedAt: result.startedAt,
    traceId: result.traceId ?? null,
    tlsCertExpiresAt: result.tlsCertExpiresAt,
    details: result.details,
  };
  if (result.backendLogs !== undefined) record['backendLogs'] = result.backendLogs;
  if (withTranscript) record['transcript'] = result.transcript;
  return record;
}

function round(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

export function toJsonLine(result: CheckResult, withTranscript: boolean): string {
  return JSON.stringify(toJsonRecord(result, withTranscript));
}
