/**
 * The size of what the canary sends. The backend drops client frames over 8192 bytes without a word
 * (protocol.md, "Other error frames"), and its `message` cap (4096 characters) is checked before
 * JSON encoding: quotes, backslashes and newlines take two bytes once escaped, other control
 * characters six, so a legal message can still make an oversized frame. What counts is the encoded
 * frame.
 */

/** The largest client frame the backend reads, in bytes (protocol.md, "Other error frames"). */
export const MAX_CLIENT_FRAME_BYTES = 8192;

/** UTF-8 bytes of `frame` as the canary sends it: `JSON.stringify`, no whitespace. */
export function encodedMessageBytes(frame: unknown): number {
  return Buffer.byteLength(JSON.stringify(frame) ?? '', 'utf8');
}

/** What a chat message frame carries (protocol.md, "Client messages" and "Third generation"). */
export interface UserMessageParts {
  /** The frame's `type`: `user_message`, `chat`, ... */
  readonly type: string;
  /** The payload field carrying the text: `content`, or `user_request` for `start_agent`. */
  readonly field: string;
  readonly text: string;
  readonly threadId: string | null;
  readonly runId: string | null;
  /** ISO 8601; the third generation's official client sends one, earlier generations none. */
  readonly timestamp?: string;
  /**
   * The run's W3C trace id (32 hex digits), as `payload.trace_id`: the same trace as the upgrade's
   * `traceparent`. Backends ignore fields they do not read; the reference backend does.
   */
  readonly traceId?: string;
}

/** The chat message frame `{type, payload: {<field>: text, thread_id, run_id[, trace_id][, timestamp]}}`. */
export function userMessageFrame(parts: UserMessageParts): Record<string, unknown> {
  const payload: Record<string, unknown> = { [parts.field]: parts.text, thread_id: parts.threadId, run_id: parts.runId };
  if (parts.traceId !== undefined) payload['trace_id'] = parts.traceId;
  if (parts.timestamp !== undefined) payload['timestamp'] = parts.timestamp;
  return { type: parts.type, payload };
}

/**
 * Room the config check leaves for what only the server decides: a thread id and a run id of up to
 * 128 characters each (staging's are about 30), an ISO timestamp, and the run's trace id.
 */
const PLACEHOLDER_ID = 'x'.repeat(128);
const PLACEHOLDER_TRACE_ID = '0'.repeat(32);
const PLACEHOLDER_TIMESTAMP = '2025-10-09T19:37:20.123Z';

/** The largest frame `text` can make as a chat message of `type`/`field`, whatever ids the server proposes. */
export function worstCaseUserMessageBytes(type: string, field: string, text: string): number {
  return encodedMessageBytes(userMessageFrame({ type, field, text, threadId: PLACEHOLDER_ID, runId: PLACEHOLDER_ID, timestamp: PLACEHOLDER_TIMESTAMP, traceId: PLACEHOLDER_TRACE_ID }));
}
