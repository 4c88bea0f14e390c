/**
 * WebSocket close codes the canary knows by name: RFC 6455 §7.4.1 and the IANA registry
 * (1012–1015). The backend uses 1000, 1003, 1008, 1011 and 1013 (protocol.md, "Close codes").
 */
export const CLOSE_CODES: Readonly<Record<number, string>> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data (no supported subprotocol)',
  1005: 'no status received',
  1006: 'abnormal closure (no close frame)',
  1007: 'invalid frame payload data',
  1008: 'policy violation (authentication failed)',
  1009: 'message too big',
  1010: 'mandatory extension',
  1011: 'internal error',
  1012: 'service restart',
  1013: 'try again later (circuit breaker open)',
  1014: 'bad gateway',
  1015: 'TLS handshake failure',
};

/** Close codes every metric and dashboard expects to exist from start-up. */
export const ZEROED_CLOSE_CODES = ['1000', '1006', '1008', '1011'] as const;

/** A bounded label value for a close code: the code when known, else `other`. */
export function closeCodeLabel(code: number): string {
  return CLOSE_CODES[code] !== undefined ? String(code) : 'other';
}

/** Every value {@link closeCodeLabel} can return. */
export const CLOSE_CODE_LABELS: readonly string[] = [...Object.keys(CLOSE_CODES), 'other'];
