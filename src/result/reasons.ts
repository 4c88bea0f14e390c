/**
 * The closed set of phases and failure reasons. This file is the single source for result types,
 * metric label values, the README's reason table and the alert rules.
 */

/** Phases of one golden-path run, in the order they happen. A failure names exactly one. */
export const PHASES = ['token', 'dns', 'tcp', 'tls', 'upgrade', 'welcome', 'handshake', 'send', 'events', 'close'] as const;
export type Phase = (typeof PHASES)[number];

/** Phases whose duration is measured and reported in `phases` (seconds, monotonic clock). */
export const TIMED_PHASES = ['token', 'dns', 'tcp', 'tls', 'upgrade', 'welcome', 'handshake', 'events'] as const;
export type TimedPhase = (typeof TIMED_PHASES)[number];

/**
 * Every failure reason, with what it means. Keys are stable label values: add freely, rename never.
 */
export const REASONS = {
  token_error: 'Could not mint or fetch an access token (bad key, auth endpoint down, no token in the answer).',
  dns: 'The target host name did not resolve.',
  tcp_connect: 'The TCP connection was refused, reset or timed out.',
  tls: 'The TLS handshake failed (certificate, protocol or timeout).',
  handshake_timeout: 'The HTTP upgrade got no answer within the handshake budget.',
  upgrade_rejected: 'The upgrade was answered with an HTTP status other than 101 (kept in httpStatus).',
  auth_rejected: 'Authentication was refused: HTTP 401/403 on the upgrade, an auth error frame, or close 1008.',
  welcome_timeout: 'The socket opened but no welcome frame arrived within `welcome_timeout`.',
  welcome_invalid: 'The first frame was not a recognisable welcome (bad JSON or an unexpected shape).',
  handshake_incomplete:
    'The connection never became ready: the third-generation lifecycle handshake (protocol.md) started or was required but `handshake_complete` never came. A set-up failure of the connection, never an agent failure.',
  send_failed: 'The user message could not be written to the socket.',
  server_error: 'The server sent an `error` or `error_message` frame.',
  agent_error: 'The agent reported `agent_error`, or completed with an error status.',
  // Its own reason rather than agent_error: the agent did not crash, it ran out of its own time
  // limit (LLM or tool latency, capacity), which on-call handles differently, and alerts and
  // dashboards can tell the two apart without parsing messages.
  agent_timeout:
    'The agent reported `agent_timeout_failure`: it ran out of its own time limit (the message gives the elapsed and limit seconds).',
  answer_mismatch: "The run completed but the completion event's result failed `expect_answer` (empty, missing text, no pattern match, or a missing field).",
  event_missing: 'An expected event never came: the deadline passed, or `agent_completed` arrived first. missingEvent names the first one.',
  event_order: 'Every expected event arrived, but not in the expected order.',
  event_duplicate: 'message_burst: one run got a second completion event or a second `agent_started`.',
  close_1011: 'The server closed with 1011 (internal error), in any phase.',
  close_abnormal: 'The socket dropped without a close frame (1006).',
  close_unexpected: 'The server closed with another code before `agent_completed`.',
  frame_too_large: 'The server sent a frame larger than maxPayload (the client closed with 1009).',
  protocol_violation: 'The server broke WebSocket framing or the handshake (RFC 6455): bad accept key, subprotocol or opcode.',
  auth_bypass: 'auth_enforcement: the backend accepted a connection it must refuse (no token, expired, wrong key, issuer or token_type, or test-bypass headers).',
  isolation_violation: "user_isolation: a connection received an event of the other identity's run, thread or user.",
  silent_agent_failure: 'dependency_health: the socket connected but no agent event ever came, while every health endpoint said healthy.',
  bad_input_mishandled: 'input_hygiene: malformed JSON or a message over max_message_size was answered in a way the check does not accept (agent events, a close other than an accepted 1009, or an answer left out of accept).',
  cancelled: 'The canary stopped the run before it ended (shutdown); says nothing about the target.',
  canary_error: 'The canary itself failed unexpectedly; a bug in the canary, not the target.',
} as const satisfies Record<string, string>;
export type Reason = keyof typeof REASONS;
export const REASON_NAMES = Object.keys(REASONS) as Reason[];

/** Why a run that completed the golden path is `degraded` rather than `success`. */
export const DEGRADATIONS = {
  slow: '`agent_completed` arrived later than `slow_after`.',
  unknown_frame: 'A frame matched no known shape (not JSON, binary, or an unknown event envelope).',
  agent_timeout_warning: 'The agent sent `agent_timeout_warning`: it completed, but came close to its own time limit.',
  dependency_unhealthy: 'dependency_health: the agent worked, but a health endpoint was not healthy (starting, unhealthy or unreachable).',
} as const satisfies Record<string, string>;
export type Degradation = keyof typeof DEGRADATIONS;

export const RESULTS = ['success', 'degraded', 'failure'] as const;
export type ResultKind = (typeof RESULTS)[number];

/**
 * The phases each reason can happen in. Metrics create at zero from start-up those of these
 * (phase, reason) pairs a configured check can really report (`sinkFactsOf` in checks/registry.ts),
 * so alerts and dashboards see every series before the first failure.
 */
export const REASON_PHASES: Readonly<Record<Reason, readonly Phase[]>> = {
  token_error: ['token'],
  dns: ['dns'],
  tcp_connect: ['tcp'],
  tls: ['tls'],
  handshake_timeout: ['upgrade'],
  upgrade_rejected: ['upgrade'],
  auth_rejected: ['upgrade', 'welcome', 'handshake', 'events'],
  welcome_timeout: ['welcome'],
  welcome_invalid: ['welcome'],
  handshake_incomplete: ['handshake'],
  send_failed: ['send'],
  server_error: ['welcome', 'handshake', 'events'],
  agent_error: ['events'],
  agent_timeout: ['events'],
  answer_mismatch: ['events'],
  event_missing: ['events'],
  event_order: ['events'],
  event_duplicate: ['events'],
  close_1011: ['welcome', 'handshake', 'send', 'events'],
  close_abnormal: ['upgrade', 'welcome', 'handshake', 'send', 'events'],
  close_unexpected: ['welcome', 'handshake', 'send', 'events'],
  frame_too_large: ['welcome', 'handshake', 'events'],
  protocol_violation: ['upgrade', 'welcome', 'handshake', 'events'],
  auth_bypass: ['welcome', 'events'],
  isolation_violation: ['events'],
  silent_agent_failure: ['events'],
  bad_input_mishandled: ['send'],
  cancelled: [],
  canary_error: [],
};
