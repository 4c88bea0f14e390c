/** The reference backend: a WebSocket agent backend speaking protocol.md, with fault injection. */
export { startReferenceBackend, AGENT_SOCKET_PATHS, ECHO_SOCKET_PATH, MAX_CLIENT_PAYLOAD_BYTES } from './server.ts';
export type { ReferenceBackend, ReferenceBackendOptions } from './server.ts';
export type { ChatMessageRecord, ChatOutcome, ConnectionRecord, HandshakeRecord } from './records.ts';
export { PROCESSING_DELAY_MS } from './lifecycle.ts';
export {
  AGENT_TIMEOUT_SECONDS,
  SUB_AGENT_NAMES,
  TIMEOUT_WARNING_ELAPSED_SECONDS,
  TOP_AGENT_NAME_THIRD,
  answerFor,
} from './event-frames.ts';
export { DEFAULT_SUB_AGENTS_THIRD } from './script.ts';
export { FAULTS, FAULT_NAMES, FAULT_SYNTAX, FaultSpecError, AGENT_EVENTS, formatFaults, isThirdGeneration, mergeFaults, parseFaults } from './faults.ts';
export type { AgentEventName, CloseAfter, FaultName, FaultSet, FaultValue } from './faults.ts';
export { mintReferenceToken, REFERENCE_AUDIENCES, REFERENCE_ISSUER, REFERENCE_SECRET, REFERENCE_USER } from './token.ts';
export type { MintReferenceTokenOptions } from './token.ts';
export { verifyAccessToken, JWT_AUTH_SUBPROTOCOL } from './auth.ts';
export type { TokenSource, SubprotocolGeneration, PublicVerifyKey, VerifyKey, VerifiedClaims } from './auth.ts';
