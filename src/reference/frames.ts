/**
 * The connection-level frames the reference backend sends (keepalive, acks, errors), built as
 * protocol.md shows them, and the time formats every frame uses. Builders are pure: the time
 * (`nowMs`, epoch milliseconds) and the ids come in as arguments. The welcomes and the third
 * generation's handshake are in welcome-frames.ts, agent events in event-frames.ts.
 */
import type { AuthErrorCode } from './auth.ts';

/** A JSON frame as sent on the wire. */
export type Frame = Readonly<Record<string, unknown>>;

/** Environment name the backend reports in welcomes and error frames. */
export const REFERENCE_ENVIRONMENT = 'reference';
/** `max_message_size` the backend advertises: client messages over this many UTF-8 bytes are dropped. */
export const MAX_MESSAGE_SIZE_BYTES = 8192;

/** Seconds since the epoch as a float, the backend's numeric `timestamp`. */
export function epochSeconds(nowMs: number): number {
  return nowMs / 1000;
}

/** Python's `datetime.isoformat()` of an aware UTC time: `2025-09-08T20:26:57.648000+00:00`. */
export function isoPython(nowMs: number): string {
  return `${isoNaive(nowMs)}+00:00`;
}

/** Python's `datetime.isoformat()` of a naive UTC time: `2025-09-08T20:27:02.100000`. */
export function isoNaive(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000');
}

/** The server's keepalive ping, sent before the welcome and every heartbeat interval. */
export function pingFrame(nowMs: number): Frame {
  const ts = epochSeconds(nowMs);
  return { type: 'ping', data: { timestamp: ts }, timestamp: ts };
}

/** Answer to a client `ping`. */
export function pongFrame(nowMs: number): Frame {
  return { type: 'pong', timestamp: epochSeconds(nowMs) };
}

/** Answer to a client `heartbeat`. */
export function heartbeatAckFrame(nowMs: number): Frame {
  return { type: 'heartbeat_ack', status: 'healthy', timestamp: epochSeconds(nowMs) };
}

/** The newer server's idle heartbeat. */
export function heartbeatFrame(connectionId: string, nowMs: number): Frame {
  const ts = epochSeconds(nowMs);
  return { type: 'heartbeat', data: { connection_id: connectionId, timestamp: ts }, timestamp: ts };
}

/** Answer to a client message of a type the backend does not route. */
export function ackFrame(receivedType: string, nowMs: number): Frame {
  return { type: 'ack', received_type: receivedType, status: 'acknowledged', timestamp: epochSeconds(nowMs) };
}

/** The backend's structured error frame (auth failures, bad JSON). */
export function errorMessageFrame(errorCode: string, errorMessage: string, nowMs: number): Frame {
  return {
    type: 'error_message',
    error_code: errorCode,
    error_message: errorMessage,
    details: { environment: REFERENCE_ENVIRONMENT },
    timestamp: epochSeconds(nowMs),
    recovery_suggestions: null,
  };
}

const AUTH_ERROR_TEXT: Readonly<Record<AuthErrorCode, string>> = {
  NO_TOKEN: 'Authentication token required',
  VALIDATION_FAILED: 'Invalid or expired token',
  AUTH_FAILED: 'Invalid or expired token',
};

/** The error frame of a refused token, sent before the close 1008 (protocol.md, "Authentication"). */
export function authErrorFrame(code: AuthErrorCode, nowMs: number): Frame {
  return errorMessageFrame(code, AUTH_ERROR_TEXT[code], nowMs);
}

/** The plain error frame of a failed agent execution. */
export function errorFrame(): Frame {
  return { type: 'error', message: 'Agent execution failed' };
}
