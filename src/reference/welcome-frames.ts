/**
 * What a connection gets before any run: the welcome of each generation (and the faults' broken
 * ones) and the third generation's handshake frames (protocol.md, "Third generation"). Builders
 * are pure: the time (`nowMs`, epoch milliseconds) and the ids come in as arguments.
 */
import { isThirdGeneration, type FaultSet } from './faults.ts';
import { MAX_MESSAGE_SIZE_BYTES, REFERENCE_ENVIRONMENT, epochSeconds, isoPython, type Frame } from './frames.ts';

/** `handshake_response`'s `message`. */
export const HANDSHAKE_MESSAGE = 'Handshake complete';
/** The golden path the newer welcome advertises. */
export const GOLDEN_PATH_EVENTS = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'] as const;
/** The frame `bad_welcome` sends instead of the welcome: truncated JSON. */
export const BAD_WELCOME_TEXT = '{"type": "system_message", "data": {';

/** The older welcome: a `system_message` whose `data.event` is `connection_established`. */
export function welcomeOldFrame(connectionId: string, userId: string, heartbeatIntervalSeconds: number, nowMs: number): Frame {
  return {
    type: 'system_message',
    data: {
      event: 'connection_established',
      connection_id: connectionId,
      user_id: userId,
      server_time: isoPython(nowMs),
      connection_ready: true,
      environment: REFERENCE_ENVIRONMENT,
      startup_complete: true,
      config: { heartbeat_interval: heartbeatIntervalSeconds, max_message_size: MAX_MESSAGE_SIZE_BYTES },
      factory_pattern_enabled: true,
    },
    timestamp: epochSeconds(nowMs),
    server_id: null,
    correlation_id: null,
  };
}

/** The session the third generation's server proposes in `handshake_response`. */
export interface ProposedSession {
  readonly threadId: string;
  readonly runId: string;
  readonly requestId: string;
  readonly sessionToken: string;
}

/** Third generation: the server proposes a thread (protocol.md, "Third generation"). */
export function handshakeResponseFrame(session: ProposedSession, nowMs: number): Frame {
  return {
    type: 'handshake_response',
    thread_id: session.threadId,
    run_id: session.runId,
    request_id: session.requestId,
    session_token: session.sessionToken,
    timestamp: epochSeconds(nowMs),
    message: HANDSHAKE_MESSAGE,
  };
}

/** Third generation: the answer to a matching `handshake_acknowledged`, exactly as protocol.md shows it. */
export function handshakeCompleteFrame(): Frame {
  return { type: 'handshake_complete' };
}

/** The newer welcome: type `connection_established`. */
export function welcomeNewFrame(connectionId: string, userId: string, nowMs: number): Frame {
  return {
    type: 'connection_established',
    data: {
      mode: 'main',
      user_id: userId,
      connection_id: connectionId,
      golden_path_events: [...GOLDEN_PATH_EVENTS],
      features: {},
      timestamp: new Date(nowMs).toISOString(),
    },
    timestamp: epochSeconds(nowMs),
  };
}

/** What `wrong_welcome` sends instead of the welcome. */
export function wrongWelcomeFrame(): Frame {
  return { type: 'hello' };
}

/** Whether a connection gets the newer welcome: under `welcome=new`, and in the third generation unless `welcome=old`. */
export function usesNewWelcome(faults: FaultSet): boolean {
  return faults.welcome === 'new' || (faults.welcome === undefined && isThirdGeneration(faults));
}

/**
 * The welcome a connection with these faults sends, as wire text: `valid` for the real one, not for
 * `bad_welcome` (truncated JSON) or `wrong_welcome`; null under `no_welcome`.
 */
export function welcomeFor(
  faults: FaultSet,
  connectionId: string,
  userId: string,
  heartbeatIntervalSeconds: number,
  nowMs: number,
): { readonly text: string; readonly valid: boolean } | null {
  if (faults.no_welcome === true) return null;
  if (faults.bad_welcome === true) return { text: BAD_WELCOME_TEXT, valid: false };
  if (faults.wrong_welcome === true) return { text: JSON.stringify(wrongWelcomeFrame()), valid: false };
  const frame = usesNewWelcome(faults) ? welcomeNewFrame(connectionId, userId, nowMs) : welcomeOldFrame(connectionId, userId, heartbeatIntervalSeconds, nowMs);
  return { text: JSON.stringify(frame), valid: true };
}
