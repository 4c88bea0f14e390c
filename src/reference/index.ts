/** The reference backend: a WebSocket agent backend speaking protocol.md, with fault injection. */
export { startReferenceBackend, AGENT_SOCKET_PATHS, ECHO_SOCKET_PATH, MAX_CLIENT_PAYLOAD_BYTES } from './server.ts';
export type { ReferenceBackend, ReferenceBackendOptions } from './server.ts';
export type { ConnectionRecord } from './records.ts';
export { FAULTS, FAULT_NAMES, FAULT_SYNTAX, FaultSpecError, AGENT_EVENTS, formatFaults, mergeFaults, parseFaults } from './faults.ts';
export type { AgentEventName, CloseAfter, FaultName, FaultSet, FaultValue } from './faults.ts';
export { mintReferenceToken, REFERENCE_AUDIENCES, REFERENCE_ISSUER, REFERENCE_SECRET, REFERENCE_USER } from './token.ts';
export type { MintReferenceTokenOptions } from './token.ts';
export { verifyAccessToken, JWT_AUTH_SUBPROTOCOL } from './auth.ts';
export type { TokenSource, SubprotocolGeneration, PublicVerifyKey, VerifyKey, VerifiedClaims } from './auth.ts';
