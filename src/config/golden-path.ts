import type { GoldenPathCheck, WalkSettings, WelcomeMatcher } from './types.ts';
import { COMMON_CHECK_KEYS, type CommonCheck } from './check-common.ts';
import { describe } from './errors.ts';
import {
  failed,
  item,
  readDuration,
  readEnum,
  readList,
  readMapping,
  readMatching,
  readString,
  readUniqueList,
  resolve,
  Section,
  type Context,
  type Read,
} from './fields.ts';
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

export const WELCOME_KEYS = ['type', 'event'] as const;

export const GOLDEN_PATH_KEYS: readonly string[] = [
  ...COMMON_CHECK_KEYS,
  'handshake_timeout',
  'welcome_timeout',
  'message',
  'message_type',
  'message_field',
  'expected_events',
  'completion_event',
  'welcome',
  'max_payload',
];

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

const readMaxPayload: Read<number> = (ctx, value, field) => {
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
};

const readMessage: Read<string> = (ctx, value, field) => {
  const text = readString(ctx, value, field);
  if (text === undefined) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_MESSAGE_BYTES) return text;
  ctx.report(field, `expected at most ${MAX_MESSAGE_BYTES} bytes (the backend drops frames over 8192), got ${bytes}`);
  return undefined;
};

const readWelcome: Read<readonly WelcomeMatcher[]> = (ctx, value, field) => {
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
    const s = new Section(ctx, item(field, i), map, WELCOME_KEYS);
    const type = s.required('type', readString);
    const event = s.optional('event', readString, null);
    if (type !== undefined && event !== undefined) out.push({ type, event });
  });
  return out.length === list.length ? out : undefined;
};

/** Validates a golden_path check. */
export function validateGoldenPath(s: Section, common: CommonCheck): GoldenPathCheck | undefined {
  const walk = validateWalk(s, common);
  return walk === undefined ? undefined : { ...walk, type: 'golden_path' };
}

/**
 * Validates the walk settings (message, events, welcome, budgets) of any check type that walks
 * the golden path; the caller sets `type` and adds its own fields.
 */
export function validateWalk(s: Section, common: CommonCheck): Omit<WalkSettings, 'type'> | undefined {
  const ctx: Context = s.ctx;
  const deadlineMs = common.timeoutMs ?? Number.POSITIVE_INFINITY;
  const handshakeTimeoutMs = s.optional('handshake_timeout', readDuration, DEFAULT_HANDSHAKE_TIMEOUT_MS);
  const welcomeTimeoutMs = s.optional('welcome_timeout', readDuration, DEFAULT_WELCOME_TIMEOUT_MS);
  const message = s.optional('message', readMessage, DEFAULT_MESSAGE);
  const messageType = s.optional('message_type', readEnum(MESSAGE_TYPES), 'user_message');
  const messageField = s.optional(
    'message_field',
    readMatching(FIELD_NAME, 'a field name like "content"'),
    messageType === 'start_agent' ? 'user_request' : 'content',
  );
  const expectedEvents = s.optional('expected_events', readEvents, DEFAULT_EXPECTED_EVENTS);
  const completionSetting = s.optional('completion_event', readString, null);
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
  const welcome = s.optional('welcome', readWelcome, DEFAULT_WELCOME);
  const maxPayloadBytes = s.optional('max_payload', readMaxPayload, DEFAULT_MAX_PAYLOAD_BYTES);
  if (
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
  };
}
