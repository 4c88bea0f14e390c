/**
 * From the client library's entries to what a run carries: payload text redacted with the run's
 * secrets (as transcripts are) and cut to {@link MAX_ENTRY_TEXT_CHARS}; the list bounded in count
 * and in bytes, the run's related entries first.
 */
import type { Redactor } from '../result/redact.ts';
import { MAX_BACKEND_LOGS_BYTES, MAX_ENTRY_TEXT_CHARS, type BackendLogEntry } from '../result/backend-logs.ts';

/** An entry as the library returns it (`Entry`): its metadata (`LogEntry`) and its decoded payload. */
export interface LibraryEntry {
  readonly metadata: unknown;
  readonly data: unknown;
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Readonly<Record<string, unknown>>)[key] : undefined;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A `Date`, an RFC 3339 string or a protobuf `Timestamp` (`{seconds, nanos}`), as ISO 8601. */
function timestampOf(value: unknown): string | null {
  let ms = Number.NaN;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') ms = Date.parse(value);
  else if (value !== null && typeof value === 'object') ms = Number(field(value, 'seconds')) * 1000 + Math.floor(Number(field(value, 'nanos') ?? 0) / 1e6);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** `projects/p/logs/run.googleapis.com%2Fstderr` → `run.googleapis.com/stderr`. */
function logIdOf(logName: string | null): string | null {
  if (logName === null) return null;
  const at = logName.indexOf('/logs/');
  const id = at < 0 ? logName : logName.slice(at + '/logs/'.length);
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

function payloadText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data === undefined || data === null) return '';
  try {
    return JSON.stringify(data) ?? '';
  } catch {
    return String(data);
  }
}

/** The key two queries' copies of one entry share. */
export function entryKey(entry: LibraryEntry): string {
  const m = entry.metadata;
  return JSON.stringify([field(m, 'logName') ?? null, field(m, 'insertId') ?? null, timestampOf(field(m, 'timestamp'))]);
}

/** One entry, redacted and bounded. */
export function shapeEntry(entry: LibraryEntry, related: boolean, redactor: Redactor): BackendLogEntry {
  const m = entry.metadata;
  const payload = redactor.bounded(payloadText(entry.data), MAX_ENTRY_TEXT_CHARS);
  const severity = field(m, 'severity');
  const log = logIdOf(text(field(m, 'logName')));
  return {
    timestamp: timestampOf(field(m, 'timestamp')),
    severity: typeof severity === 'string' ? severity : typeof severity === 'number' ? String(severity) : 'DEFAULT',
    log: log === null ? null : redactor.cut(log, 300).toWellFormed(),
    trace: text(field(m, 'trace')),
    related,
    text: payload.text.toWellFormed(),
    omittedChars: payload.omittedChars,
  };
}

function byTime(a: BackendLogEntry, b: BackendLogEntry): number {
  return (a.timestamp ?? '').localeCompare(b.timestamp ?? '');
}

/**
 * The entries a run keeps: the related ones, then the others not already among them, each group
 * oldest first; at most `maxEntries`, and at most {@link MAX_BACKEND_LOGS_BYTES} of JSON.
 */
export function boundEntries(
  related: readonly LibraryEntry[],
  window: readonly LibraryEntry[],
  maxEntries: number,
  redactor: Redactor,
): { entries: BackendLogEntry[]; omitted: number } {
  const seen = new Set(related.map(entryKey));
  const others = window.filter((entry) => !seen.has(entryKey(entry)));
  const candidates = [
    ...related.map((entry) => shapeEntry(entry, true, redactor)).sort(byTime),
    ...others.map((entry) => shapeEntry(entry, false, redactor)).sort(byTime),
  ];
  const entries: BackendLogEntry[] = [];
  let bytes = 0;
  for (const entry of candidates) {
    const size = Buffer.byteLength(JSON.stringify(entry));
    if (entries.length >= maxEntries || bytes + size > MAX_BACKEND_LOGS_BYTES) break;
    entries.push(entry);
    bytes += size;
  }
  return { entries, omitted: candidates.length - entries.length };
}
