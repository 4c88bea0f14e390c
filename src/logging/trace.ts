/**
 * Trace context from HTTP request headers, as the Cloud Logging special fields that tie a log entry
 * to its request and trace: https://cloud.google.com/logging/docs/structured-logging#special-payload-fields
 */

/** The entry's trace resource name. */
export const TRACE_KEY = 'logging.googleapis.com/trace';
/** The entry's span within the trace. */
export const SPAN_ID_KEY = 'logging.googleapis.com/spanId';
/** Whether the trace was sampled (kept by Cloud Trace). */
export const TRACE_SAMPLED_KEY = 'logging.googleapis.com/trace_sampled';

/** The trace fields of one log entry, ready to spread into it. */
export interface TraceFields {
  /** `projects/<PROJECT_ID>/traces/<TRACE_ID>`, the trace id as 32 lower-case hex digits. */
  readonly [TRACE_KEY]: string;
  /** The span id as 16 lower-case hex digits; absent when the header carried none. */
  readonly [SPAN_ID_KEY]?: string;
  readonly [TRACE_SAMPLED_KEY]: boolean;
}

/** Request headers as Node gives them (`IncomingHttpHeaders`); names are matched in any case. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

interface ParsedTrace {
  readonly traceId: string;
  readonly spanId: string | null;
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const X_CLOUD_TRACE = /^([0-9a-fA-F]{32})(?:\/(\d{1,20}))?(?:;o=(\d))?$/;
const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * W3C `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header): version ff, an
 * all-zero trace or parent id, and extra fields after version 00 are invalid.
 */
function parseTraceparent(value: string): ParsedTrace | null {
  const match = TRACEPARENT.exec(value.trim());
  if (match === null) return null;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === undefined || traceId === undefined || spanId === undefined || flags === undefined) return null;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=OPTIONS`
 * (https://cloud.google.com/trace/docs/trace-context#legacy-http-header). The span id there is a
 * decimal unsigned 64-bit number; Cloud Logging wants it as 16 hex digits, so it is converted.
 */
function parseXCloudTrace(value: string): ParsedTrace | null {
  const match = X_CLOUD_TRACE.exec(value.trim());
  if (match === null) return null;
  const [, traceId, decimalSpan, options] = match;
  if (traceId === undefined || /^0+$/.test(traceId)) return null;
  let spanId: string | null = null;
  if (decimalSpan !== undefined) {
    const span = BigInt(decimalSpan);
    if (span > 0n && span <= MAX_UINT64) spanId = span.toString(16).padStart(16, '0');
  }
  return { traceId: traceId.toLowerCase(), spanId, sampled: options === '1' };
}

function toFields(parsed: ParsedTrace, projectId: string): TraceFields {
  const trace = `projects/${projectId}/traces/${parsed.traceId}`;
  return parsed.spanId === null
    ? { [TRACE_KEY]: trace, [TRACE_SAMPLED_KEY]: parsed.sampled }
    : { [TRACE_KEY]: trace, [SPAN_ID_KEY]: parsed.spanId, [TRACE_SAMPLED_KEY]: parsed.sampled };
}

function header(headers: HeaderMap, name: string): string | null {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    const first = typeof value === 'string' ? value : value[0];
    return first === undefined || first === '' ? null : first;
  }
  return null;
}

/**
 * The trace fields for a request: from `traceparent` when it is valid, else from
 * `X-Cloud-Trace-Context` (the order @google-cloud/logging uses). Null when neither header holds a
 * valid trace id, or when the project id is unknown (the trace field needs it to link the trace).
 */
export function traceFromHeaders(headers: HeaderMap, projectId: string | null): TraceFields | null {
  if (projectId === null || projectId === '') return null;
  const traceparent = header(headers, 'traceparent');
  const cloud = header(headers, 'x-cloud-trace-context');
  const parsed =
    (traceparent === null ? null : parseTraceparent(traceparent)) ?? (cloud === null ? null : parseXCloudTrace(cloud));
  return parsed === null ? null : toFields(parsed, projectId);
}

/**
 * The trace fields from one header value whose name was not kept (such as the admin request event's
 * `traceHeader`): a `traceparent` value or an `X-Cloud-Trace-Context` value, told apart by shape.
 */
export function traceFromHeaderValue(value: string | null, projectId: string | null): TraceFields | null {
  if (value === null || projectId === null || projectId === '') return null;
  const parsed = parseTraceparent(value) ?? parseXCloudTrace(value);
  return parsed === null ? null : toFields(parsed, projectId);
}
