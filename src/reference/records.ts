import type { TokenSource, VerifiedClaims } from './auth.ts';

/** What became of one chat message (protocol.md, "Third generation"). */
export type ChatOutcome =
  /** It started an agent run. */
  | 'run'
  /** Third generation: it arrived before the processing phase and was silently dropped. */
  | 'before_processing'
  /** Third generation: its `payload.thread_id` was not the proposed thread; no events. */
  | 'wrong_thread'
  /** `burst_drop` or `silent_agent` swallowed it. */
  | 'ignored';

/** One chat message as the server read it. */
export interface ChatMessageRecord {
  readonly type: string;
  /** `payload.thread_id` (or a flat `thread_id`); null when absent. */
  readonly threadId: string | null;
  /** `payload.run_id` (or a flat `run_id`); null when absent. */
  readonly runId: string | null;
  readonly text: string;
  readonly outcome: ChatOutcome;
}

/** The third generation's handshake on one connection, as the server ran it. */
export interface HandshakeRecord {
  /** What `handshake_response` proposed. */
  readonly threadId: string;
  readonly runId: string;
  readonly requestId: string;
  readonly sessionToken: string;
  /** The `thread_id` of the first `handshake_acknowledged` ('' when it carried none), null until one arrives. Later ones are ignored. */
  readonly acknowledgedThreadId: string | null;
  /** Whether `handshake_complete` was sent. */
  readonly completed: boolean;
  /** Whether the processing phase began (chat messages are read from then on). */
  readonly processing: boolean;
}

/** What the reference backend saw of one upgrade request and the connection that followed. */
export interface ConnectionRecord {
  /** 1, 2, 3, ... in arrival order, per server. */
  readonly id: number;
  /** Path of the upgrade request, without the query. */
  readonly path: string;
  /** The fault spec in force (server-wide merged with `?fault=`), canonical; the raw `?fault=` text if it did not parse. */
  readonly faults: string;
  readonly offeredSubprotocols: readonly string[];
  /** The subprotocol the 101 selected; null when none was (or no 101 was sent). */
  readonly selectedSubprotocol: string | null;
  /** Names of the upgrade request's headers, lower-case. */
  readonly headerNames: readonly string[];
  /** null until authentication ran (and for refused upgrades and the echo socket). */
  readonly authOk: boolean | null;
  /** The token's `sub` once authenticated. */
  readonly userId: string | null;
  readonly tokenSource: TokenSource | null;
  /** The payload of the token the backend verified; null until then, and when the test bypass skipped verification. */
  readonly claims: VerifiedClaims | null;
  /** Client `{"type":"pong"}` frames received. */
  readonly pongsReceived: number;
  /** The `type` of each client JSON frame, in order (frames without a string `type` are not listed). */
  readonly messagesReceived: readonly string[];
  /** The environment the client named beside its token (`jwt.<env>.<token>`, `?env=`, `X-Environment`); null when none. */
  readonly environment: string | null;
  /** Third generation only: the handshake; null when none was sent. */
  readonly handshake: HandshakeRecord | null;
  /** Every chat message read after authentication, in order, with what became of it. */
  readonly chatMessages: readonly ChatMessageRecord[];
}

/** The backend's own, growing view of a record. */
export interface MutableConnectionRecord {
  readonly id: number;
  readonly path: string;
  faults: string;
  readonly offeredSubprotocols: readonly string[];
  selectedSubprotocol: string | null;
  readonly headerNames: readonly string[];
  authOk: boolean | null;
  userId: string | null;
  tokenSource: TokenSource | null;
  claims: VerifiedClaims | null;
  pongsReceived: number;
  readonly messagesReceived: string[];
  environment: string | null;
  handshake: { -readonly [K in keyof HandshakeRecord]: HandshakeRecord[K] } | null;
  readonly chatMessages: ChatMessageRecord[];
}

/** A frozen copy for callers of `connections()`. */
export function snapshotRecord(r: MutableConnectionRecord): ConnectionRecord {
  return Object.freeze({
    ...r,
    offeredSubprotocols: Object.freeze([...r.offeredSubprotocols]),
    claims: r.claims === null ? null : Object.freeze(structuredClone(r.claims)),
    headerNames: Object.freeze([...r.headerNames]),
    messagesReceived: Object.freeze([...r.messagesReceived]),
    handshake: r.handshake === null ? null : Object.freeze({ ...r.handshake }),
    chatMessages: Object.freeze(r.chatMessages.map((c) => Object.freeze({ ...c }))),
  });
}
