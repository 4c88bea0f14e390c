import type { TokenSource, VerifiedClaims } from './auth.ts';

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
}

/** A frozen copy for callers of `connections()`. */
export function snapshotRecord(r: MutableConnectionRecord): ConnectionRecord {
  return Object.freeze({
    ...r,
    offeredSubprotocols: Object.freeze([...r.offeredSubprotocols]),
    claims: r.claims === null ? null : Object.freeze(structuredClone(r.claims)),
    headerNames: Object.freeze([...r.headerNames]),
    messagesReceived: Object.freeze([...r.messagesReceived]),
  });
}
