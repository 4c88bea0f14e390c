/**
 * What a failed run carries of its backend's own log: the entries read from Cloud Logging, or a
 * note saying why none could be read. Attached to the run after its result is recorded.
 */

/** One of the backend's entries, shaped for people: redacted and bounded. */
export interface BackendLogEntry {
  /** When the backend wrote it, ISO 8601; null when the API gave none. */
  readonly timestamp: string | null;
  /** Cloud Logging severity: WARNING, ERROR, CRITICAL, ALERT or EMERGENCY. */
  readonly severity: string;
  /** The log's id (`run.googleapis.com/stderr`), decoded from the entry's `logName`. */
  readonly log: string | null;
  /** The entry's trace (`projects/<project>/traces/<id>`), when it has one. */
  readonly trace: string | null;
  /** It carries the run's trace id or thread id: listed before the others. */
  readonly related: boolean;
  /** The payload as text (`textPayload`, or the JSON of `jsonPayload`), redacted and cut to {@link MAX_ENTRY_TEXT_CHARS}. */
  readonly text: string;
  /** Characters of the payload text cut off. */
  readonly omittedChars: number;
}

/** Characters of each entry's payload text kept (2 KiB of ASCII). */
export const MAX_ENTRY_TEXT_CHARS = 2048;
/** Bytes of JSON all entries of a run take at most; entries past it are counted in `omitted`. */
export const MAX_BACKEND_LOGS_BYTES = 64 * 1024;

/**
 * Why the backend's entries are missing: the API did not answer within the timeout, the canary's
 * service account may not read them (`roles/logging.viewer`), or any other error. Stable codes;
 * the message is for people.
 */
export type BackendLogsNoteCode = 'timeout' | 'permission_denied' | 'error';

/** A note on a run whose backend entries could not be read: a stable code and a sentence for people. */
export interface BackendLogsNote {
  readonly code: BackendLogsNoteCode;
  readonly message: string;
}

/** The backend's side of one failed run. */
export interface BackendLogs {
  readonly project: string;
  /** The run's related entries first, then the others; each group oldest first. */
  readonly entries: readonly BackendLogEntry[];
  /** Entries read but left out to keep within the bounds. */
  readonly omitted: number;
  /** The window read, ISO 8601. */
  readonly from: string;
  readonly to: string;
  /** Set when the read failed or timed out; the entries are then empty. */
  readonly note: BackendLogsNote | null;
  /** How long the read took, seconds. */
  readonly durationSeconds: number;
}
