/**
 * Every failure reason a walk decides, in one place: by phase at a deadline, by close code
 * (RFC 6455 §7.4.1, protocol.md "Close codes"), by socket error, by HTTP status on the upgrade,
 * by error frame, by completion status, and for input_hygiene's answers to bad input.
 */
import type { Phase, Reason } from '../result/reasons.ts';
import type { ReceivedEvent } from '../result/types.ts';

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

/** The run was stopped from outside (shutdown). */
export function cancelled(phase: Phase): Failure {
  return { phase, reason: 'cancelled', message: 'the canary cancelled the run (shutdown)' };
}

/** An upgrade answered with HTTP `status` instead of 101. */
export function upgradeRefused(status: number): Failure {
  const reason = status === 401 || status === 403 ? 'auth_rejected' : 'upgrade_rejected';
  return { phase: 'upgrade', reason, message: `the upgrade was refused with HTTP ${status}` };
}

/** An error frame, decided after its grace (or at a deadline, or explained by a close). */
export function errorFrameFailure(phase: Phase, frame: { readonly auth: boolean; readonly code: string | null; readonly message: string | null }): Failure {
  const detail = [frame.code, frame.message].filter((part) => part !== null).join(': ');
  return { phase, reason: frame.auth ? 'auth_rejected' : 'server_error', message: `the server sent an error frame (${detail || 'no detail'})` };
}

/** Whether a completion event's status means the agent failed. */
export function isErrorStatus(status: string | null): boolean {
  return status !== null && ERROR_STATUSES.has(status.toLowerCase());
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
