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

/** Random bytes drawn at once for this many trace contexts (24 bytes each), as node's `randomUUID` caches entropy. */
const POOLED_CONTEXTS = 128;

/** Random bytes for trace contexts, used up front to back; refilled when spent. */
const pool = { bytes: Buffer.alloc(0), offset: 0 };

function nonZeroHex(bytes: number): string {
  for (;;) {
    if (pool.offset + bytes > pool.bytes.length) {
      pool.bytes = randomBytes(24 * POOLED_CONTEXTS);
      pool.offset = 0;
    }
    const hex = pool.bytes.toString('hex', pool.offset, pool.offset + bytes);
    pool.offset += bytes;
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
