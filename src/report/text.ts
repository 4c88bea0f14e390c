import type { BackendLogs } from '../result/backend-logs.ts';
import type { CheckResult, TranscriptEntry } from '../result/types.ts';
import { TIMED_PHASES } from '../result/reasons.ts';

export interface TextStyle {
  readonly color: boolean;
}

const WATERFALL_WIDTH = 32;
const TRANSCRIPT_TAIL = 12;
/** Backend entries shown in text output, and characters of each one's payload. */
const BACKEND_ENTRIES_SHOWN = 5;
const BACKEND_TEXT_CHARS = 200;

function paint(style: TextStyle, code: string, text: string): string {
  return style.color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** C0 and C1 controls (ESC among them) a hostile server could use to rewrite the operator's terminal; shown as U+FFFD. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Server-derived text made safe to print: no control characters, newlines as spaces. */
function plain(text: string): string {
  return text.replaceAll('\n', ' ').replace(CONTROL, '\ufffd');
}

function ms(seconds: number): string {
  const value = seconds * 1000;
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

/** Phase bars laid out on one time axis, so where the time went is visible at a glance. */
export function waterfall(result: CheckResult): string[] {
  const spans: { name: string; start: number; seconds: number }[] = [];
  let start = 0;
  for (const phase of TIMED_PHASES) {
    const seconds = result.phases[phase];
    if (seconds === undefined) continue;
    spans.push({ name: phase, start, seconds });
    start += seconds;
  }
  const total = Math.max(start, 1e-9);
  return spans.map(({ name, start: from, seconds }) => {
    const offset = Math.min(WATERFALL_WIDTH - 1, Math.floor((from / total) * WATERFALL_WIDTH));
    const width = Math.max(1, Math.round((seconds / total) * WATERFALL_WIDTH));
    const bar = ' '.repeat(offset) + '█'.repeat(Math.min(width, WATERFALL_WIDTH - offset));
    return `    ${name.padEnd(8)} ${bar.padEnd(WATERFALL_WIDTH)} ${ms(seconds).padStart(9)}`;
  });
}

function transcriptLine(entry: TranscriptEntry): string {
  const arrow = entry.dir === 'in' ? '<-' : entry.dir === 'out' ? '->' : '..';
  const type = entry.type === null ? entry.kind : `${entry.kind} ${entry.type}`;
  const text = entry.text === null ? '' : `  ${plain(entry.text)}`;
  return `    +${entry.tMs.toFixed(1).padStart(8)}ms ${arrow} ${plain(type)} (${entry.size} B)${text}`;
}

/** A human summary of one run: outcome, reason, waterfall, events and, for failures, the transcript's end. */
export function formatText(result: CheckResult, style: TextStyle): string {
  const lines: string[] = [];
  const mark =
    result.result === 'success'
      ? paint(style, '32', '✔ success')
      : result.result === 'degraded'
        ? paint(style, '33', '▲ degraded')
        : paint(style, '31', '✘ failure');
  lines.push(`${mark}  ${result.target}/${result.check}  ${result.durationSeconds.toFixed(3)}s  run ${result.runId}`);
  if (result.url !== undefined) lines.push(`  url      ${plain(result.url)}`);
  if (result.result === 'failure') {
    lines.push(`  reason   ${paint(style, '1', `${result.reason ?? ''}`)} in phase ${result.phase ?? ''}: ${plain(result.message ?? '')}`);
  }
  if (result.degradations.length > 0) lines.push(`  degraded ${result.degradations.join(', ')}`);
  if (result.closeCode !== null) {
    lines.push(`  close    ${result.closeCode}${result.closeReason === null ? '' : ` "${plain(result.closeReason)}"`}`);
  }
  if (result.httpStatus !== null) lines.push(`  http     ${result.httpStatus}`);
  const bars = waterfall(result);
  if (bars.length > 0) lines.push('  phases', ...bars);
  if (result.events.length > 0) {
    lines.push('  events');
    for (const event of result.events) lines.push(`    ${plain(event.name).padEnd(18)} +${event.seconds.toFixed(3)}s`);
  }
  if (result.missingEvent !== null) lines.push(`  missing  ${result.missingEvent}`);
  const { welcome, envelope, subprotocol } = result.protocol;
  lines.push(`  protocol welcome=${welcome} envelope=${envelope} subprotocol=${subprotocol}`);
  for (const [key, value] of Object.entries(result.details)) lines.push(`  ${plain(key).padEnd(8)} ${plain(String(value))}`);
  if (result.result === 'failure') {
    const entries = result.transcript.entries;
    const shown = entries.slice(-TRANSCRIPT_TAIL);
    lines.push(`  transcript (last ${shown.length} of ${entries.length + result.transcript.dropped})`);
    for (const entry of shown) lines.push(transcriptLine(entry));
  }
  if (result.backendLogs !== undefined) lines.push(...backendLines(result.backendLogs));
  return lines.join('\n');
}

/** The backend's entries in short: the first few, one line each, or the note. */
function backendLines(logs: BackendLogs): string[] {
  if (logs.note !== null) return [`  backend logs (${plain(logs.project)}): ${logs.note.code}: ${plain(logs.note.message)}`];
  const shown = logs.entries.slice(0, BACKEND_ENTRIES_SHOWN);
  const more = logs.entries.length - shown.length + logs.omitted;
  const lines = [`  backend logs (${plain(logs.project)}): ${logs.entries.length} entries${more > 0 ? `, ${more} not shown` : ''}`];
  for (const entry of shown) {
    const text = entry.text.length > BACKEND_TEXT_CHARS ? `${entry.text.slice(0, BACKEND_TEXT_CHARS)}…` : entry.text;
    lines.push(`    ${entry.timestamp ?? '-'} ${entry.severity.padEnd(8)}${entry.related ? ' *' : '  '} ${plain(text)}`);
  }
  return lines;
}
