import { LABELS_KEY } from './line-writer.ts';
import { SPAN_ID_KEY, TRACE_KEY, TRACE_SAMPLED_KEY } from './trace.ts';

/** Severity as shown on a terminal: five columns, so messages line up. */
const SHORT_SEVERITY: Readonly<Record<string, string>> = {
  DEBUG: 'DEBUG',
  INFO: 'INFO ',
  WARNING: 'WARN ',
  ERROR: 'ERROR',
  CRITICAL: 'CRIT ',
};

/** Keys that are shown in the line's head, or not at all. */
const HIDDEN_KEYS = new Set([
  'severity',
  'time',
  'message',
  'serviceContext',
  'transcript',
  LABELS_KEY,
  TRACE_KEY,
  SPAN_ID_KEY,
  TRACE_SAMPLED_KEY,
]);

const INDENT = '    ';

/**
 * One log entry as text for a terminal:
 * `HH:MM:SS SEVER message  label=value … field=value …` (local time; labels first; null and empty
 * fields left out; nested values compacted as `key:value,…`), then, indented below, the lines of a
 * `transcript` field and of an error's stack. Fractions are rounded for reading. Control characters are escaped, so a hostile frame
 * cannot drive the terminal.
 */
export function formatPretty(entry: Readonly<Record<string, unknown>>): string {
  const severity = typeof entry['severity'] === 'string' ? entry['severity'] : 'DEFAULT';
  const head = `${clockTime(entry['time'])} ${SHORT_SEVERITY[severity] ?? severity} ${escapeControls(String(entry['message'] ?? ''))}`;
  const pairs: string[] = [];
  const labels = entry[LABELS_KEY];
  if (isRecord(labels)) for (const [key, value] of Object.entries(labels)) pushPair(pairs, key, value);
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN_KEYS.has(key)) continue;
    if (key === 'err' && isRecord(value)) {
      pushPair(pairs, key, typeof value['message'] === 'string' ? value['message'] : value);
      continue;
    }
    pushPair(pairs, key, value);
  }
  const lines = [pairs.length === 0 ? head : `${head}  ${pairs.join(' ')}`];
  const transcript = entry['transcript'];
  if (isRecord(transcript)) lines.push(...transcriptLines(transcript));
  const err = entry['err'];
  if (isRecord(err) && typeof err['stack'] === 'string') {
    lines.push(...err['stack'].split('\n').slice(1).map((l) => `${INDENT}${escapeControls(l.trim())}`));
  }
  return lines.join('\n');
}

function clockTime(time: unknown): string {
  const date = typeof time === 'string' ? new Date(time) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) return '--:--:--';
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function pushPair(pairs: string[], key: string, value: unknown): void {
  const shown = compact(value, false);
  if (shown !== null) pairs.push(`${escapeControls(key)}=${shown}`);
}

/** A value in `key=value` form; null for what is not worth a column (null, empty). */
function compact(value: unknown, nested: boolean): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return quoteIfNeeded(value, nested);
  if (typeof value === 'number') return roundForReading(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => (isRecord(item) ? tuple(item) : compact(item, true))).filter((i) => i !== null);
    return items.length === 0 ? null : items.join(',');
  }
  if (isRecord(value)) {
    const items = Object.entries(value)
      .map(([k, v]) => {
        const shown = isRecord(v) || Array.isArray(v) ? escapeControls(JSON.stringify(v)) : compact(v, true);
        return shown === null ? null : `${escapeControls(k)}:${shown}`;
      })
      .filter((i) => i !== null);
    return items.length === 0 ? null : items.join(',');
  }
  return null;
}

/**
 * A fraction as a person reads it (the JSON output keeps every digit): at most three decimals from
 * 1 up, three significant digits below (`0.0058853140000001075` → `0.00589`, `2.71828` → `2.718`).
 */
function roundForReading(n: number): string {
  if (Number.isInteger(n) || !Number.isFinite(n)) return String(n);
  return String(Math.abs(n) >= 1 ? Math.round(n * 1000) / 1000 : Number(n.toPrecision(3)));
}

/** An object inside a list, such as an event `{ name, seconds }`, as `agent_started:0.12`. */
function tuple(item: Readonly<Record<string, unknown>>): string | null {
  const parts = Object.values(item).map((v) => (isRecord(v) || Array.isArray(v) ? escapeControls(JSON.stringify(v)) : compact(v, true)));
  const shown = parts.filter((p) => p !== null);
  return shown.length === 0 ? null : shown.join(':');
}

function quoteIfNeeded(text: string, nested: boolean): string {
  const plain = nested ? /^[^\s"=,:\\]+$/ : /^[^\s"=\\]+$/;
  return plain.test(text) && !HAS_CONTROL.test(text) ? text : escapeControls(JSON.stringify(text));
}

const DIRECTION_MARK: Readonly<Record<string, string>> = { in: '<', out: '>', local: '*' };
const MAX_PRETTY_TEXT_CHARS = 200;

function transcriptLines(transcript: Readonly<Record<string, unknown>>): string[] {
  const entries = Array.isArray(transcript['entries']) ? transcript['entries'] : [];
  const lines: string[] = [];
  for (const raw of entries) {
    if (!isRecord(raw)) continue;
    const tMs = typeof raw['tMs'] === 'number' ? raw['tMs'] : 0;
    const mark = DIRECTION_MARK[String(raw['dir'])] ?? '?';
    const kind = String(raw['kind'] ?? '');
    const text = typeof raw['text'] === 'string' ? raw['text'] : null;
    const size = typeof raw['size'] === 'number' ? raw['size'] : 0;
    const body = text === null ? `(${size} bytes)` : shorten(text);
    lines.push(`${INDENT}${`${tMs.toFixed(1)}ms`.padStart(10)} ${mark} ${kind.padEnd(7)} ${escapeControls(body)}`);
  }
  const dropped = typeof transcript['dropped'] === 'number' ? transcript['dropped'] : 0;
  if (dropped > 0) lines.push(`${INDENT}(${dropped} transcript entries left out from the middle)`);
  return lines;
}

function shorten(text: string): string {
  return text.length <= MAX_PRETTY_TEXT_CHARS ? text : `${text.slice(0, MAX_PRETTY_TEXT_CHARS)}… (${text.length - MAX_PRETTY_TEXT_CHARS} more chars)`;
}

// C0 and C1 control characters, DEL, and the line/paragraph separators.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
