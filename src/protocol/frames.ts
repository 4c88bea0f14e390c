import type { Envelope, WelcomeShape } from '../result/types.ts';
import { readAgentTimeout, readHandshakeProposal, type AgentTimeoutNotice, type HandshakeProposal } from './lifecycle.ts';

/** Error codes that mean "authentication failed" (protocol.md, "Authentication"). */
export const AUTH_ERROR_CODES: ReadonlySet<string> = new Set([
  'NO_TOKEN',
  'INVALID_FORMAT',
  'VALIDATION_FAILED',
  'AUTH_SERVICE_ERROR',
  'WEBSOCKET_AUTH_ERROR',
  'AUTH_FAILED',
]);

/** How the welcome frame is recognised (protocol.md, "Frames from the server before the chat starts"): any matcher whose fields all match. */
export interface WelcomeMatcher {
  /** The frame's `type`. */
  readonly type: string;
  /** When set, `event` read from `data`, then `payload`, then the top level, must equal it. */
  readonly event: string | null;
}

/** Frame types that carry no meaning for the golden path and are accepted anywhere. */
const KEEPALIVE_TYPES: ReadonlySet<string> = new Set(['ping', 'pong', 'heartbeat', 'heartbeat_ack', 'ack']);

/** A server frame, normalised over every variant in protocol.md. */
export type ServerFrame =
  | { readonly kind: 'welcome'; readonly shape: WelcomeShape; readonly maxMessageSize: number | null }
  | {
      readonly kind: 'event';
      readonly name: string;
      readonly envelope: Exclude<Envelope, 'mixed' | 'none'>;
      readonly status: string | null;
      readonly runId: string | null;
      readonly threadId: string | null;
      readonly userId: string | null;
      /** The agent that sent it (`agent_name`), when named: the third generation's sub-agents each have one. */
      readonly agentName: string | null;
      /** The whole frame, for checks of its content (the completion's answer). */
      readonly body: JsonObject;
    }
  /** The third generation's `handshake_response`: the thread the server proposes. */
  | { readonly kind: 'handshake'; readonly proposal: HandshakeProposal }
  | { readonly kind: 'handshake_complete' }
  /** `agent_timeout_warning` or `agent_timeout_failure` (third generation). */
  | { readonly kind: 'agent_timeout'; readonly notice: AgentTimeoutNotice; readonly runId: string | null; readonly threadId: string | null }
  | { readonly kind: 'error'; readonly code: string | null; readonly message: string | null; readonly auth: boolean }
  | { readonly kind: 'ping' }
  | { readonly kind: 'keepalive'; readonly type: string }
  /** Valid JSON with a string `type` that is none of the above: accepted, ignored. */
  | { readonly kind: 'other'; readonly type: string }
  /** Not JSON, not an object, or no string `type`: matches no known shape. */
  | { readonly kind: 'unknown' };

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Reads a field from `payload`, then `data`, then the top level (protocol.md, "The five agent events"). */
export function readField(frame: JsonObject, field: string): unknown {
  // unrolled: an event frame is read here half a dozen times, and an array of the two holders per read is garbage
  const payload = frame['payload'];
  if (isObject(payload) && payload[field] !== undefined) return payload[field];
  const data = frame['data'];
  if (isObject(data) && data[field] !== undefined) return data[field];
  return frame[field];
}

/** What {@link parseFrameJson} returns for text that is not JSON. */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/** A text frame's JSON value, parsed once for every reader below, or {@link NOT_JSON}. */
export function parseFrameJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/**
 * The `session_token` of a `handshake_response` frame (its parsed JSON), wherever it sits and
 * whether or not the frame is a usable proposal: a secret to register before the frame is
 * recorded anywhere.
 */
export function handshakeSessionToken(value: unknown): string | null {
  return isObject(value) && value['type'] === 'handshake_response' ? str(readField(value, 'session_token')) : null;
}

/** The JSON `type` of a text frame (its parsed JSON), or null. Used for transcripts. */
export function frameType(value: unknown): string | null {
  return isObject(value) ? str(value['type']) : null;
}

function envelopeOf(frame: JsonObject): 'payload' | 'data' | 'flat' {
  if (isObject(frame['payload'])) return 'payload';
  if (isObject(frame['data'])) return 'data';
  return 'flat';
}

function matchesWelcome(frame: JsonObject, type: string, matchers: readonly WelcomeMatcher[]): boolean {
  for (let i = 0; i < matchers.length; i++) {
    const m = matchers[i] as WelcomeMatcher;
    if (m.type === type && (m.event === null || readField(frame, 'event') === m.event)) return true;
  }
  return false;
}

function welcomeShape(type: string): WelcomeShape {
  if (type === 'system_message' || type === 'connection_established') return type;
  return 'custom';
}

function maxMessageSize(frame: JsonObject): number | null {
  const config = readField(frame, 'config');
  const size = isObject(config) ? config['max_message_size'] : undefined;
  return typeof size === 'number' && Number.isFinite(size) && size > 0 ? size : null;
}

/** Names that are agent events: the expected ones plus `agent_error`. */
export function agentEventNames(expected: readonly string[]): ReadonlySet<string> {
  return new Set([...expected, 'agent_error']);
}

/**
 * Classifies one text frame from the server.
 * @param eventNames agent event names to recognise (see {@link agentEventNames})
 */
export function parseServerFrame(text: string, welcome: readonly WelcomeMatcher[], eventNames: ReadonlySet<string>): ServerFrame {
  return classifyServerFrame(parseFrameJson(text), welcome, eventNames);
}

/** {@link parseServerFrame} of a frame already parsed with {@link parseFrameJson}. */
export function classifyServerFrame(value: unknown, welcome: readonly WelcomeMatcher[], eventNames: ReadonlySet<string>): ServerFrame {
  if (!isObject(value)) return { kind: 'unknown' };
  const type = str(value['type']);
  if (type === null) return { kind: 'unknown' };

  if (matchesWelcome(value, type, welcome)) {
    return { kind: 'welcome', shape: welcomeShape(type), maxMessageSize: maxMessageSize(value) };
  }
  if (type === 'error' || type === 'error_message') {
    const code = str(readField(value, 'error_code')) ?? str(readField(value, 'code'));
    const message = str(readField(value, 'error_message')) ?? str(readField(value, 'message'));
    return { kind: 'error', code, message, auth: code !== null && AUTH_ERROR_CODES.has(code) };
  }
  const wrapped = type === 'system_message' ? str(value['event']) : null;
  const name = wrapped ?? type;
  if (eventNames.has(name)) {
    const context = readField(value, 'user_context');
    return {
      kind: 'event',
      name,
      envelope: wrapped !== null ? 'system_message' : envelopeOf(value),
      status: str(readField(value, 'status')),
      runId: str(readField(value, 'run_id')),
      threadId: str(readField(value, 'thread_id')),
      userId: str(readField(value, 'user_id')) ?? (isObject(context) ? str(context['user_id']) : null),
      agentName: str(readField(value, 'agent_name')),
      body: value,
    };
  }
  if (type === 'handshake_response') {
    const proposal = readHandshakeProposal((field) => readField(value, field));
    if (proposal !== null) return { kind: 'handshake', proposal };
  }
  if (type === 'handshake_complete') return { kind: 'handshake_complete' };
  if (type === 'agent_timeout_warning' || type === 'agent_timeout_failure') {
    return {
      kind: 'agent_timeout',
      notice: readAgentTimeout(type, (field) => readField(value, field)),
      runId: str(readField(value, 'run_id')),
      threadId: str(readField(value, 'thread_id')),
    };
  }
  if (type === 'ping') return { kind: 'ping' };
  if (KEEPALIVE_TYPES.has(type)) return { kind: 'keepalive', type };
  return { kind: 'other', type };
}

/**
 * True for upgrade headers the backend treats as a test bypass (protocol.md, "Test bypass headers"):
 * any header whose name contains `test` or `e2e`. The canary never sends them on normal checks.
 */
export function isBypassHeader(name: string): boolean {
  return /test|e2e/i.test(name);
}

