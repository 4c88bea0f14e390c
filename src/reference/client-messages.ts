/**
 * Reading what a client sends on an agent socket: JSON or not, which types start a run or are
 * control frames, and a chat message's text, thread and run ids (protocol.md, "Client messages").
 */
import type { RawData } from 'ws';
import type { ChatMessageRecord, ChatOutcome } from './records.ts';

/** Client message types that start an agent run with their text in `content`, `text` or `message`. */
export const CHAT_MESSAGE_TYPES: readonly string[] = ['user_message', 'chat', 'message', 'user', 'user_input', 'chat_message'];
/** Client frames the third generation reads before its processing phase; everything else is dropped silently. */
export const CONTROL_MESSAGE_TYPES: readonly string[] = ['ping', 'pong', 'heartbeat', 'handshake_acknowledged'];

/** A client frame: parsed JSON, or text that did not parse. */
export type ClientMessage = { readonly kind: 'invalid_json' } | { readonly kind: 'json'; readonly value: unknown };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The first of `values` that is a string, else null. */
export function firstString(...values: unknown[]): string | null {
  for (const v of values) if (typeof v === 'string') return v;
  return null;
}

/** Whether a client frame of this `type` asks for an agent run. */
export function isChatType(type: string): boolean {
  return CHAT_MESSAGE_TYPES.includes(type) || type === 'start_agent';
}

/** The text of a chat message: `payload.content|text|message` (flat without a payload), `user_request` for `start_agent`. */
export function chatText(msg: Record<string, unknown>, payload: Record<string, unknown> | null): string {
  if (msg['type'] === 'start_agent') return firstString(payload?.['user_request'], msg['user_request']) ?? '';
  const text = payload ? firstString(payload['content'], payload['text'], payload['message']) : firstString(msg['content'], msg['text'], msg['message']);
  return text ?? '';
}

/** A chat message as the connection records it, with what became of it. */
export function chatRecord(msg: Record<string, unknown>, outcome: ChatOutcome): ChatMessageRecord {
  const payload = isRecord(msg['payload']) ? msg['payload'] : null;
  return {
    type: typeof msg['type'] === 'string' ? msg['type'] : '',
    threadId: firstString(payload?.['thread_id'], msg['thread_id']),
    runId: firstString(payload?.['run_id'], msg['run_id']),
    text: chatText(msg, payload),
    outcome,
  };
}

/** Reads a client frame; the type is recorded even when the frame is not acted on. */
export function parseClientMessage(text: string): ClientMessage {
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'invalid_json' };
  }
}
