/**
 * The third wire generation's lifecycle handshake (protocol.md, "Third generation (October 2025):
 * the lifecycle handshake"): the server proposes a thread in `handshake_response`, the client
 * acknowledges it with the same `thread_id`, the server answers `handshake_complete`, and only
 * after its processing phase begins does it read chat messages.
 */

/** What `handshake_response` proposes. `sessionToken` is a secret like the access token. */
export interface HandshakeProposal {
  readonly threadId: string;
  readonly runId: string | null;
  readonly requestId: string | null;
  readonly sessionToken: string | null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Reads a `handshake_response` (fields at the top level, or under `payload`/`data`), or null when
 * it names no thread: a proposal without a thread cannot be acknowledged.
 */
export function readHandshakeProposal(read: (field: string) => unknown): HandshakeProposal | null {
  const threadId = str(read('thread_id'));
  if (threadId === null) return null;
  return { threadId, runId: str(read('run_id')), requestId: str(read('request_id')), sessionToken: str(read('session_token')) };
}

/** The acknowledgement the official client sends: the proposed thread id, echoed. */
export function handshakeAcknowledgement(proposal: HandshakeProposal, nowMs: number): string {
  return JSON.stringify({ type: 'handshake_acknowledged', thread_id: proposal.threadId, timestamp: new Date(nowMs).toISOString() });
}

/** An `agent_timeout_warning` or `agent_timeout_failure`, with the seconds it reported (null when absent). */
export interface AgentTimeoutNotice {
  readonly final: boolean;
  readonly elapsedSeconds: number | null;
  readonly limitSeconds: number | null;
  readonly error: string | null;
}

function seconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Reads an agent timeout notice of the third generation (fields under `payload`, `data` or the top level). */
export function readAgentTimeout(type: 'agent_timeout_warning' | 'agent_timeout_failure', read: (field: string) => unknown): AgentTimeoutNotice {
  const final = type === 'agent_timeout_failure';
  return {
    final,
    elapsedSeconds: seconds(read('elapsed_seconds')) ?? (final ? seconds(read('timeout_seconds')) : null),
    limitSeconds: seconds(read('total_timeout_seconds')) ?? seconds(read('timeout_seconds')),
    error: str(read('error')),
  };
}

/** The human form of a timeout notice for a result message: "after 96 of 120 s". */
export function describeAgentTimeout(notice: AgentTimeoutNotice): string {
  const elapsed = notice.elapsedSeconds === null ? '?' : String(notice.elapsedSeconds);
  const limit = notice.limitSeconds === null ? '?' : String(notice.limitSeconds);
  return `${elapsed} of ${limit} s`;
}
