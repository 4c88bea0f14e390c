import type { BackendLogs } from './backend-logs.ts';
import type { EndpointHealth } from './health.ts';
import type { Degradation, Phase, Reason, ResultKind, TimedPhase } from './reasons.ts';

/** Which welcome frame shape the server used (protocol.md, "Frames from the server"). */
export type WelcomeShape = 'system_message' | 'connection_established' | 'custom' | 'none';
/** Where the agent events carried their fields (protocol.md, "The five agent events"). */
export type Envelope = 'payload' | 'data' | 'flat' | 'system_message' | 'mixed' | 'none';
/** The subprotocol the server selected, as a bounded label. Never the token itself. */
export type SubprotocolLabel = 'jwt-auth' | 'jwt' | 'none' | 'other';

/**
 * Whether the server walked the connection through the third generation's lifecycle handshake
 * (protocol.md, "Third generation"): `lifecycle` when a `handshake_response` came, `none` otherwise.
 */
export type HandshakeLabel = 'lifecycle' | 'none';

export interface ProtocolVariant {
  readonly welcome: WelcomeShape;
  readonly envelope: Envelope;
  readonly subprotocol: SubprotocolLabel;
  /** Absent means `none`: the run saw no handshake (every result built before the walk sets it). */
  readonly handshake?: HandshakeLabel;
}

/** One agent event as received, `seconds` after the user message was sent. */
export interface ReceivedEvent {
  readonly name: string;
  readonly seconds: number;
}

export type TranscriptDirection = 'in' | 'out' | 'local';
/** `http`: a plain HTTP request or answer beside the socket (dependency_health's health GETs). */
export type TranscriptKind = 'upgrade' | 'open' | 'text' | 'binary' | 'ping' | 'pong' | 'close' | 'error' | 'http';

/** One frame (or connection step) in a run's transcript. Text is cut and redacted. */
export interface TranscriptEntry {
  readonly dir: TranscriptDirection;
  /** Milliseconds since the run started, monotonic clock. */
  readonly tMs: number;
  readonly kind: TranscriptKind;
  /** The JSON `type` field of a text frame, when it has one. */
  readonly type: string | null;
  /** Size of the frame payload in bytes. */
  readonly size: number;
  readonly text: string | null;
}

export interface Transcript {
  readonly entries: readonly TranscriptEntry[];
  /** How many entries were left out (from the middle) to keep the transcript bounded. */
  readonly dropped: number;
}

/**
 * The outcome of one run of one check. Immutable (deep-frozen). This is the contract every sink
 * (CLI output, metrics, logs, status page) reads; a sink never reaches back into the engine.
 */
export interface CheckResult {
  readonly runId: string;
  readonly check: string;
  readonly target: string;
  /**
   * The target's address: scheme, host, port and path only, never a query string or credentials
   * (`publicUrl`). Set on every result `runCheck` returns; absent only on results built by hand.
   */
  readonly url?: string;
  readonly type: string;
  readonly result: ResultKind;
  /** Set exactly when `result` is `failure`. */
  readonly phase: Phase | null;
  /** Set exactly when `result` is `failure`. */
  readonly reason: Reason | null;
  /** A sentence for people. Never a label. */
  readonly message: string | null;
  /** Why a `degraded` run is degraded; empty otherwise. */
  readonly degradations: readonly Degradation[];
  /** For `event_missing`: the first expected event that did not arrive. */
  readonly missingEvent: string | null;
  /** The close code when the socket closed before the outcome was known (1006: no close frame). */
  readonly closeCode: number | null;
  readonly closeReason: string | null;
  /** HTTP status of a refused upgrade. */
  readonly httpStatus: number | null;
  /** The agent events kept, in arrival order: at most the engine's bound (`MAX_EVENTS_KEPT`, 1,000) per run. */
  readonly events: readonly ReceivedEvent[];
  /** Agent events that arrived beyond that bound: counted, not kept. */
  readonly eventsDropped: number;
  /** Seconds per timed phase that ran. */
  readonly phases: Readonly<Partial<Record<TimedPhase, number>>>;
  readonly durationSeconds: number;
  readonly protocol: ProtocolVariant;
  /** Wall-clock start, ISO 8601. */
  readonly startedAt: string;
  /**
   * The W3C trace id (32 lower-case hex digits) the run's upgrade sent in `traceparent`; set on
   * every result of a walk (a multi-walk check: the walk it shows), absent on results without one.
   */
  readonly traceId?: string;
  /** Expiry of the server certificate (wss), ISO 8601, when one was seen. */
  readonly tlsCertExpiresAt: string | null;
  readonly transcript: Transcript;
  /** Check-type specific facts (counts, ratios) for checks beyond the golden path. */
  readonly details: Readonly<Record<string, number | string | boolean | null>>;
  /**
   * Each health endpoint's state, typed, for the sinks (dependency_health only; absent otherwise).
   * `details` shows the same states to people under `health:<endpoint>`.
   */
  readonly health?: readonly EndpointHealth[];
  /**
   * The backend's own log entries around a failed run (target `backend_logs`), or a note saying why
   * none could be read. Attached after the result was recorded (`withBackendLogs`); absent before
   * and on every other run.
   */
  readonly backendLogs?: BackendLogs;
}

/** `result` with the backend's entries attached: a new frozen result (the old one is unchanged). */
export function withBackendLogs(result: CheckResult, backendLogs: BackendLogs): CheckResult {
  return deepFreeze(structuredClone({ ...result, backendLogs }));
}

/**
 * A deep copy of a data value, frozen: plain objects and arrays are copied member by member (far
 * cheaper than `structuredClone`), anything else (a Date, a Map) through `structuredClone`.
 */
export function frozenCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Object.freeze(value.map((item: unknown) => frozenCopy(item))) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return deepFreeze(structuredClone(value));
  const copy: Record<string, unknown> = {};
  for (const key in value) if (Object.hasOwn(value, key)) copy[key] = frozenCopy((value as Record<string, unknown>)[key]);
  return Object.freeze(copy) as T;
}

/** Recursively freezes a plain data value. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    // for-in rather than Object.values: no array of the values per object frozen
    for (const key in value) if (Object.hasOwn(value, key)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
