import type { Phase, Reason } from '../../result/reasons.ts';
import type { ReceivedEvent } from '../../result/types.ts';

/** A decided failure: exactly one phase and one reason. */
export interface Failure {
  readonly phase: Phase;
  readonly reason: Reason;
  readonly message: string;
  readonly missingEvent?: string;
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
