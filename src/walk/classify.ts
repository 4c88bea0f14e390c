/**
 * Every failure reason a walk decides, in one place: by phase at a deadline, by close code
 * (RFC 6455 §7.4.1, protocol.md "Close codes"), by socket error, by HTTP status on the upgrade,
 * by error frame, by completion status, and for input_hygiene's answers to bad input.
 */
import type { Phase, Reason } from '../result/reasons.ts';
import type { ReceivedEvent } from '../result/types.ts';
import type { ServerFrame } from '../protocol/frames.ts';
import { describeClose, describeHttpRefusal } from '../protocol/close-text.ts';
import { describeTlsError } from './tls-text.ts';
import { describeAgentTimeout, type AgentTimeoutNotice } from '../protocol/lifecycle.ts';

/** A decided failure: exactly one phase and one reason. */
export interface Failure {
  readonly phase: Phase;
  readonly reason: Reason;
  readonly message: string;
  readonly missingEvent?: string;
}

/** A token goes in an HTTP header: visible ASCII, space and tab only (RFC 9110 §5.5, no obs-text). */
const HEADER_SAFE = /^[\t\x20-\x7e]*$/;
/** Completion statuses that mean the agent failed. */
const ERROR_STATUSES = new Set(['error', 'failed', 'failure']);

/** Why a token cannot be used, or null when it can: it must fit in an HTTP header. */
export function unusableToken(token: string | null): Failure | null {
  if (token === null || HEADER_SAFE.test(token)) return null;
  return { phase: 'token', reason: 'token_error', message: 'the token cannot be sent in an HTTP header: it holds control or non-ASCII characters (e.g. CR or LF)' };
}

/** The failure of a token provider that threw. */
export function tokenFailure(error: unknown): Failure {
  const message = error instanceof Error ? error.message : String(error);
  return { phase: 'token', reason: 'token_error', message: `could not get a token: ${message}` };
}

/** The failure of the canary itself (a bug, not the target). */
export function canaryError(phase: Phase, error: unknown): Failure {
  return { phase, reason: 'canary_error', message: `canary error: ${error instanceof Error ? error.message : String(error)}` };
}

/** A walk that ended without an outcome: a bug in the canary. */
export function undecided(phase: Phase): Failure {
  return { phase, reason: 'canary_error', message: 'the run ended undecided' };
}

/** The run was stopped from outside (shutdown). */
export function cancelled(phase: Phase): Failure {
  return { phase, reason: 'cancelled', message: 'the canary cancelled the run (shutdown)' };
}

/** An upgrade answered with HTTP `status` instead of 101. */
export function upgradeRefused(status: number, body: string): Failure {
  const reason = status === 401 || status === 403 ? 'auth_rejected' : 'upgrade_rejected';
  return { phase: 'upgrade', reason, message: describeHttpRefusal(status, body) };
}

/** How far a handshake got when a deadline found it. */
export type HandshakeStage = 'waiting' | 'proposed' | 'processing';

const HANDSHAKE_STAGE_TEXT: Readonly<Record<HandshakeStage, string>> = {
  waiting: 'no handshake_response came after the welcome',
  proposed: 'handshake_response came, handshake_complete never did',
  processing: 'handshake_complete came; the deadline passed during processing_wait',
};

/** A deadline in phase `handshake`: the connection never became ready (never an agent failure). */
export function handshakeTimeout(what: string, stage: HandshakeStage, pendingError: ErrorFrame | null): Failure {
  if (pendingError !== null) return errorFrameFailure('handshake', pendingError);
  return { phase: 'handshake', reason: 'handshake_incomplete', message: `${what} in phase handshake: ${HANDSHAKE_STAGE_TEXT[stage]}; the connection never became ready` };
}

/**
 * A `handshake_response` after the message was sent: the window passed first (or `handshake: off`),
 * so the message went out before the server's processing phase and is lost. The connection's
 * set-up failed, not the agent.
 */
export function handshakeLate(mode: string): Failure {
  const why = mode === 'off' ? 'with handshake: off' : 'after handshake_window passed';
  return {
    phase: 'handshake',
    reason: 'handshake_incomplete',
    message: `the server proposed the third generation's handshake ${why}, so the message was sent before the connection was ready and is lost`,
  };
}

/** `handshake: require`, and no `handshake_response` came within the window after the welcome. */
export function handshakeMissing(windowMs: number): Failure {
  return { phase: 'handshake', reason: 'handshake_incomplete', message: `no handshake_response within ${windowMs} ms of the welcome, and the check requires the handshake` };
}

/** The agent gave up on its own time limit (`agent_timeout_failure`): its own reason, not `agent_error`. */
export function agentTimedOut(notice: AgentTimeoutNotice): Failure {
  const error = notice.error === null ? '' : ` (${notice.error})`;
  return { phase: 'events', reason: 'agent_timeout', message: `the agent timed out after ${describeAgentTimeout(notice)}${error}` };
}

/** The top-level completion's answer failed `expect_answer`; `why` carries a short excerpt (redacted with the result). */
export function answerMismatch(why: string): Failure {
  return { phase: 'events', reason: 'answer_mismatch', message: why };
}

/** An error frame, as the walk keeps it while its grace runs. */
export type ErrorFrame = Extract<ServerFrame, { kind: 'error' }>;

/** An error frame, decided after its grace (or at a deadline, or explained by a close). */
export function errorFrameFailure(phase: Phase, frame: ErrorFrame): Failure {
  const detail = [frame.code, frame.message].filter((part) => part !== null).join(': ');
  return { phase, reason: frame.auth ? 'auth_rejected' : 'server_error', message: `the server sent an error frame (${detail || 'no detail'})` };
}

/** The first frame after the upgrade is not the welcome: binary, not a typed JSON object, or another type. */
export function welcomeInvalid(got: 'binary' | 'unknown' | { readonly type: string }): Failure {
  const message = got === 'binary'
    ? 'the first frame after the upgrade is binary, not a JSON text frame'
    : got === 'unknown'
      ? 'the first frame after the upgrade is not a JSON object with a type'
      : `expected the welcome, got a frame of type "${got.type}"`;
  return { phase: 'welcome', reason: 'welcome_invalid', message };
}

/** The server sends pings faster than it reads our answers (`unsent` bytes wait). */
export function pingOverflow(phase: Phase, unsent: number): Failure {
  return { phase, reason: 'protocol_violation', message: `the server sent pings faster than it read our answers: ${unsent} bytes unsent` };
}

export function sendFailed(error: Error): Failure {
  return { phase: 'send', reason: 'send_failed', message: `could not send the user message: ${error.message}` };
}

/** An agent event that fails the walk as it arrives: `agent_error`, or a second start or completion of one run. */
export function eventFailure(prefix: string, name: string, duplicate: boolean): Failure | null {
  if (name === 'agent_error') return { phase: 'events', reason: 'agent_error', message: 'the agent reported agent_error' };
  if (duplicate) return { phase: 'events', reason: 'event_duplicate', message: `${prefix}${name} arrived twice` };
  return null;
}

/**
 * What a run's completion event means (`prefix` names the message when there are several): an
 * error status, an expected event still missing, or the events out of order. Null: complete.
 */
export function completionFailure(
  prefix: string,
  status: string | null,
  check: { readonly expectedEvents: readonly string[]; readonly completionEvent: string },
  runEvents: readonly ReceivedEvent[],
): Failure | null {
  if (status !== null && ERROR_STATUSES.has(status.toLowerCase())) {
    return { phase: 'events', reason: 'agent_error', message: `${prefix}${check.completionEvent} carried status "${status}"` };
  }
  const missing = firstMissing(check.expectedEvents, runEvents);
  if (missing !== null) {
    return { phase: 'events', reason: 'event_missing', message: `${prefix}${check.completionEvent} arrived before ${missing}`, missingEvent: missing };
  }
  const order = firstOutOfOrder(check.expectedEvents, runEvents);
  if (order !== null) return { phase: 'events', reason: 'event_order', message: `${prefix}${order.early} arrived before ${order.late}` };
  return null;
}

/** A `ws` error before the upgrade completed, by the phase it happened in. */
export function connectFailure(phase: Phase, error: Error): Failure {
  const code = (error as { code?: unknown }).code;
  const message = typeof code === 'string' && code.startsWith('HPE_')
    ? `the answer to the upgrade is not valid HTTP (${code}: ${error.message})`
    : phase === 'tls' ? describeTlsError(error) : `${phase}: ${error.message}`;
  return { phase, reason: connectErrorReason(phase, error), message };
}

/** A `ws` error on the open socket; reported when its close comes. */
export function openFailure(phase: Phase, error: Error): Failure {
  return { phase, reason: openErrorReason(error), message: `the canary's WebSocket library closed the connection: ${error.message}` };
}

/** The server's close in `phase`: a pending error frame explains a 1008 or any non-1011 close better. */
export function closeFailure(phase: Phase, code: number, reason: string, pendingError: ErrorFrame | null): Failure {
  const why = closeReason(code, pendingError);
  if (pendingError !== null && (why === 'server_error' || why === 'auth_rejected')) return errorFrameFailure(phase, pendingError);
  return { phase, reason: why, message: describeClose(code, reason, `in phase ${phase}`) };
}

/** Where a deadline found the walk, for {@link timeoutFailure}. */
export interface TimeoutContext {
  readonly phase: Phase;
  /** An error frame still in its grace explains the deadline. */
  readonly pendingError: ErrorFrame | null;
  readonly expectedEvents: readonly string[];
  readonly completionEvent: string;
  /** The runs of the user messages, in send order. */
  readonly runs: readonly { readonly index: number; readonly complete: boolean; readonly events: readonly ReceivedEvent[] }[];
  readonly delivered: number;
}

/** A deadline passed (`what` says which): the pending error frame, else the timeout reason of the phase it hit in. */
export function timeoutFailure(at: TimeoutContext, what: string): Failure {
  const { phase } = at;
  if (at.pendingError !== null) return errorFrameFailure(phase === 'close' ? 'events' : phase, at.pendingError);
  const reason = timeoutReason(phase);
  if (reason !== 'event_missing') return { phase, reason, message: `${what} in phase ${phase}` };
  const run = at.runs.find((r) => !r.complete) ?? at.runs[0];
  const missing = (run === undefined ? null : firstMissing(at.expectedEvents, run.events)) ?? at.completionEvent;
  const which = at.runs.length === 1 || run === undefined ? '' : ` of message ${run.index} (${at.delivered} of ${at.runs.length} delivered)`;
  return { phase, reason, message: `${what} while waiting for ${missing}${which}`, missingEvent: missing };
}

/** The reason a phase's deadline reports (issue: "the reason of the phase it hit in"). */
export function timeoutReason(phase: Phase): Reason {
  switch (phase) {
    case 'token':
      return 'token_error';
    case 'dns':
      return 'dns';
    case 'tcp':
      return 'tcp_connect';
    case 'tls':
      return 'tls';
    case 'upgrade':
      return 'handshake_timeout';
    case 'welcome':
      return 'welcome_timeout';
    case 'handshake':
      return 'handshake_incomplete';
    case 'send':
      return 'send_failed';
    case 'events':
    case 'close':
      return 'event_missing';
  }
}

/** What the server's close means, given what came before it (RFC 6455 §7.4.1, protocol.md "Close codes"). */
export function closeReason(code: number, pendingError: { readonly auth: boolean } | null): Reason {
  if (code === 1011) return 'close_1011';
  if (code === 1008 || pendingError?.auth === true) return 'auth_rejected';
  if (pendingError !== null) return 'server_error';
  if (code === 1006) return 'close_abnormal';
  return 'close_unexpected';
}

/** Reason for a socket error before the upgrade completed, by the phase it happened in. */
export function connectErrorReason(phase: Phase, error: Error): Reason {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || phase === 'dns') return 'dns';
  if (phase === 'tcp') return 'tcp_connect';
  if (phase === 'tls') return 'tls';
  if (typeof code === 'string' && code.startsWith('HPE_')) return 'protocol_violation';
  if (/Sec-WebSocket|subprotocol|Invalid Upgrade|Invalid status/i.test(error.message)) return 'protocol_violation';
  return 'close_abnormal';
}

/** Reason for a `ws` error on an open socket (a `WS_ERR_*` code from the receiver). */
export function openErrorReason(error: Error): Reason {
  const code = (error as { code?: unknown }).code;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'frame_too_large';
  if (typeof code === 'string' && code.startsWith('WS_ERR_')) return 'protocol_violation';
  return 'close_abnormal';
}

/** First expected event (other than the completion) that has not arrived, in expected order. */
export function firstMissing(expected: readonly string[], events: readonly ReceivedEvent[]): string | null {
  const seen = new Set(events.map((e) => e.name));
  return expected.find((name) => !seen.has(name)) ?? null;
}

/**
 * Checks the first arrival of each expected event is in expected order. Repeats after the first
 * arrival (thinking, tool pairs) are allowed. Returns the first pair out of order, or null.
 */
export function firstOutOfOrder(
  expected: readonly string[],
  events: readonly ReceivedEvent[],
): { readonly early: string; readonly late: string } | null {
  const firstIndex = new Map<string, number>();
  events.forEach((event, index) => {
    if (!firstIndex.has(event.name)) firstIndex.set(event.name, index);
  });
  for (let i = 1; i < expected.length; i++) {
    const before = expected[i - 1] as string;
    const after = expected[i] as string;
    const a = firstIndex.get(before);
    const b = firstIndex.get(after);
    if (a !== undefined && b !== undefined && b < a) return { early: after, late: before };
  }
  return null;
}

/**
 * What input_hygiene's bad input means when the server closed after it, and the check does not
 * accept that close: 1011 and 1006 keep their own reasons, any other code is `bad_input_mishandled`.
 */
export function badInputCloseReason(code: number): Reason {
  if (code === 1011) return 'close_1011';
  if (code === 1006) return 'close_abnormal';
  return 'bad_input_mishandled';
}
