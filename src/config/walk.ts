import { DEFAULT_HANDSHAKE_WINDOW_MS, DEFAULT_PROCESSING_WAIT_MS, HANDSHAKE_MODES, type WalkSettings, type WelcomeMatcher } from './types.ts';
import { MAX_CLIENT_FRAME_BYTES, worstCaseUserMessageBytes } from '../protocol/frame-size.ts';
import { COMMON_FIELDS, type CommonCheck } from './check-common.ts';
import { describe } from './errors.ts';
import {
  failed,
  orReference,
  readDuration,
  readEnum,
  readList,
  readMapping,
  readMatching,
  readString,
  readUniqueList,
  resolve,
} from './fields.ts';
import { field, item, reader, Section, type Context, type Fields, type Reader } from './section.ts';
import { parseSize, SIZE_EXPECTED } from './size.ts';

/** Chat message types the backend accepts (protocol.md, "Client messages"). */
export const MESSAGE_TYPES = ['user_message', 'chat', 'message', 'user', 'user_input', 'chat_message', 'start_agent'] as const;

/** The five agent events, in order (protocol.md, "The five agent events"). */
export const DEFAULT_EXPECTED_EVENTS: readonly string[] = [
  'agent_started',
  'agent_thinking',
  'tool_executing',
  'tool_completed',
  'agent_completed',
];

/** Both welcome shapes (protocol.md, "Frames from the server before the chat starts"). */
export const DEFAULT_WELCOME: readonly WelcomeMatcher[] = [
  { type: 'connection_established', event: null },
  { type: 'system_message', event: 'connection_established' },
];

/** The fields of one `welcome` matcher. */
export const WELCOME_FIELDS = {
  type: field(readString, { required: true, description: "The welcome frame's type." }),
  event: field(reader(readString, { type: ['string', 'null'], minLength: 1 }), {
    default: null,
    description: 'When set, event (read from data, then payload, then the top level) must equal it.',
  }),
} as const satisfies Fields;

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const DEFAULT_WELCOME_TIMEOUT_MS = 30_000;
const DEFAULT_MESSAGE = 'What is my GPU spend?';
const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
/**
 * Largest `message`, UTF-8 bytes. The backend drops client frames over 8192 bytes without a word
 * (protocol.md, "Other error frames"); this leaves room for the envelope and ids.
 */
export const MAX_MESSAGE_BYTES = 4096;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const readEvents = readUniqueList(readString, { plural: 'event names', singular: 'event' });

const readMaxPayload: Reader<number> = reader((ctx, value, field) => {
  const resolved = resolve(ctx, value, field);
  if (failed(resolved)) return undefined;
  const bytes = parseSize(resolved);
  if (bytes === null) {
    ctx.report(field, `expected ${SIZE_EXPECTED}, got ${describe(resolved)}`);
    return undefined;
  }
  if (bytes <= 0) {
    ctx.report(field, `expected a size greater than 0, got ${describe(resolved)}`);
    return undefined;
  }
  return bytes;
}, {
  oneOf: [
    { type: 'integer', minimum: 1 },
    { type: 'string', pattern: orReference('[0-9]+(\\.[0-9]+)?(B|KiB|MiB|GiB|kB|KB|MB|GB)') },
  ],
});

const readMessage: Reader<string> = reader((ctx, value, field) => {
  const text = readString(ctx, value, field);
  if (text === undefined) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_MESSAGE_BYTES) return text;
  ctx.report(field, `expected at most ${MAX_MESSAGE_BYTES} bytes (the backend drops frames over 8192), got ${bytes}`);
  return undefined;
}, readString.schema);

const readWelcome: Reader<readonly WelcomeMatcher[]> = reader((ctx, value, field) => {
  const list = readList(ctx, value, field);
  if (list === undefined) return undefined;
  if (list.length === 0) {
    ctx.report(field, 'expected a non-empty list of {type, event} matchers, got an empty list');
    return undefined;
  }
  const out: WelcomeMatcher[] = [];
  list.forEach((entry, i) => {
    const map = readMapping(ctx, entry, item(field, i));
    if (map === undefined) return;
    const s = new Section(ctx, item(field, i), map, WELCOME_FIELDS);
    const type = s.required('type');
    const event = s.optional('event', null);
    if (type !== undefined && event !== undefined) out.push({ type, event });
  });
  return out.length === list.length ? out : undefined;
}, { type: 'array', minItems: 1, items: { $ref: '#/$defs/welcome_matcher' } });

/** The fields of every check type that walks the golden path: the common ones and the walk settings. */
export const WALK_FIELDS = {
  ...COMMON_FIELDS,
  handshake_timeout: field(readDuration, { default: '10s', description: 'Connect to HTTP 101; capped to timeout.' }),
  welcome_timeout: field(readDuration, { default: '30s', description: 'HTTP 101 to the welcome frame; capped to timeout.' }),
  message: field(readMessage, { default: DEFAULT_MESSAGE, description: `The chat message sent (at most ${MAX_MESSAGE_BYTES} UTF-8 bytes).` }),
  message_type: field(readEnum(MESSAGE_TYPES), { default: 'user_message' }),
  message_field: field(readMatching(FIELD_NAME, 'a field name like "content"'), {
    description: 'Field of payload carrying the text; default content, or user_request for start_agent.',
  }),
  expected_events: field(readEvents, { default: DEFAULT_EXPECTED_EVENTS, description: 'Agent events expected, in order.' }),
  completion_event: field(readString, { default: 'agent_completed', description: 'The event that ends the run; one of expected_events.' }),
  welcome: field(readWelcome, {
    default: DEFAULT_WELCOME.map((m) => (m.event === null ? { type: m.type } : m)),
    description: 'How the welcome frame is recognised: any matcher whose fields all match.',
  }),
  max_payload: field(readMaxPayload, { default: '1MiB', description: 'Largest frame accepted from the server: bytes, or a size like "1MiB".' }),
  handshake: field(readEnum(HANDSHAKE_MODES), {
    default: 'auto',
    description: "The third generation's lifecycle handshake: auto detects it, require fails runs without it (handshake_incomplete), off never waits for it.",
  }),
  handshake_window: field(readDuration, {
    default: '1s',
    description: 'With handshake: auto or require, how long to wait for handshake_response after the welcome before taking the backend for an earlier generation; unset, 1s or a quarter of timeout if shorter; capped to timeout.',
  }),
  processing_wait: field(readDuration, {
    default: '500ms',
    description: "Wait between handshake_complete and the chat message (the official client's 500 ms); capped to timeout.",
  }),
} as const satisfies Fields;

/**
 * Validates the walk settings (message, events, welcome, budgets) of any check type that walks
 * the golden path; the caller sets `type` and adds its own fields.
 */
export function validateWalk(s: Section<typeof WALK_FIELDS>, common: CommonCheck): Omit<WalkSettings, 'type'> | undefined {
  const ctx: Context = s.ctx;
  const deadlineMs = common.timeoutMs ?? Number.POSITIVE_INFINITY;
  const handshakeTimeoutMs = s.optional('handshake_timeout', DEFAULT_HANDSHAKE_TIMEOUT_MS);
  const welcomeTimeoutMs = s.optional('welcome_timeout', DEFAULT_WELCOME_TIMEOUT_MS);
  const message = s.optional('message', DEFAULT_MESSAGE);
  const messageType = s.optional('message_type', 'user_message');
  const messageField = s.optional('message_field', messageType === 'start_agent' ? 'user_request' : 'content');
  const expectedEvents = s.optional('expected_events', DEFAULT_EXPECTED_EVENTS);
  const completionSetting = s.optional('completion_event', null);
  let completionEvent = completionSetting ?? (completionSetting === null ? 'agent_completed' : undefined);
  if (expectedEvents !== undefined && completionEvent !== undefined && !expectedEvents.includes(completionEvent)) {
    ctx.report(
      s.field('completion_event'),
      completionSetting === null
        ? 'is required when expected_events does not include agent_completed'
        : `expected one of expected_events (${expectedEvents.join(', ')}), got ${describe(completionEvent)}`,
    );
    completionEvent = undefined;
  }
  const welcome = s.optional('welcome', DEFAULT_WELCOME);
  const maxPayloadBytes = s.optional('max_payload', DEFAULT_MAX_PAYLOAD_BYTES);
  const handshake = s.optional('handshake', 'auto');
  // Unset, the window leaves an earlier generation at least three quarters of a short timeout.
  const handshakeWindowMs = s.optional('handshake_window', Math.min(DEFAULT_HANDSHAKE_WINDOW_MS, deadlineMs / 4));
  const processingWaitMs = s.optional('processing_wait', DEFAULT_PROCESSING_WAIT_MS);
  const frameFits = message === undefined || messageType === undefined || messageField === undefined || messageFrameFits(s, message, messageType, messageField);
  if (
    !frameFits ||
    handshake === undefined ||
    handshakeWindowMs === undefined ||
    processingWaitMs === undefined ||
    common.name === undefined ||
    common.schedule === undefined ||
    common.timeoutMs === undefined ||
    common.slowAfterMs === undefined ||
    handshakeTimeoutMs === undefined ||
    welcomeTimeoutMs === undefined ||
    message === undefined ||
    messageType === undefined ||
    messageField === undefined ||
    expectedEvents === undefined ||
    completionEvent === undefined ||
    welcome === undefined ||
    maxPayloadBytes === undefined
  ) {
    return undefined;
  }
  return {
    name: common.name,
    schedule: common.schedule,
    timeoutMs: common.timeoutMs,
    slowAfterMs: common.slowAfterMs,
    handshakeTimeoutMs: Math.min(handshakeTimeoutMs, deadlineMs),
    welcomeTimeoutMs: Math.min(welcomeTimeoutMs, deadlineMs),
    message,
    messageType,
    messageField,
    expectedEvents,
    completionEvent,
    welcome,
    maxPayloadBytes,
    handshake,
    handshakeWindowMs: Math.min(handshakeWindowMs, deadlineMs),
    processingWaitMs: Math.min(processingWaitMs, deadlineMs),
  };
}

/**
 * Reports `message` when the chat frame it makes, JSON-encoded with room for the server's thread and
 * run ids, exceeds the backend's 8192-byte frame limit (issue 10: the 4096-character cap is checked
 * before escaping; quotes, backslashes and newlines double once encoded).
 */
function messageFrameFits(s: Section<typeof WALK_FIELDS>, message: string, messageType: string, messageField: string): boolean {
  const bytes = worstCaseUserMessageBytes(messageType, messageField, message);
  if (bytes <= MAX_CLIENT_FRAME_BYTES) return true;
  s.ctx.report(
    s.field('message'),
    `expected a message whose encoded ${messageType} frame fits the backend's ${MAX_CLIENT_FRAME_BYTES}-byte limit, got ${bytes} bytes (JSON escaping doubles quotes, backslashes and newlines)`,
  );
  return false;
}
