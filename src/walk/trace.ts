/**
 * The trace context a walk sends on its upgrade: a W3C `traceparent`
 * (https://www.w3.org/TR/trace-context/#traceparent-header), version 00, sampled, with a fresh
 * trace id per walk, so the backend's front end (Cloud Run) joins its request to the canary's run
 * in Cloud Trace and Cloud Logging.
 */
import { randomBytes } from 'node:crypto';

/** One walk's trace context. */
export interface TraceContext {
  /** 32 lower-case hex digits, never all zero. */
  readonly traceId: string;
  /** The upgrade request's span: 16 lower-case hex digits, never all zero. */
  readonly spanId: string;
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** A fresh trace id and span id. */
export function newTraceContext(): TraceContext {
  return { traceId: nonZeroHex(16), spanId: nonZeroHex(8) };
}

/** `00-<trace id>-<span id>-01`: version 00, the sampled flag set. */
export function traceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-01`;
}
