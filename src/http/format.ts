/** Human forms of times and durations for the HTML pages. */

function compact(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

function parse(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** `12s ago`, `3m ago`, `5h ago`, `2d ago`; `never` without a time; `just now` under a second (or in the future). */
export function ago(iso: string | null, nowIso: string): string {
  if (iso === null) return 'never';
  const then = parse(iso);
  const now = parse(nowIso);
  if (then === null || now === null) return 'unknown';
  const seconds = (now - then) / 1000;
  return seconds < 1 ? 'just now' : `${compact(seconds)} ago`;
}

/** `in 45s`, `in 3m`; `due` when the time has come; `—` without a time. */
export function until(iso: string | null, nowIso: string): string {
  if (iso === null) return '—';
  const then = parse(iso);
  const now = parse(nowIso);
  if (then === null || now === null) return 'unknown';
  const seconds = (then - now) / 1000;
  return seconds < 1 ? 'due' : `in ${compact(seconds)}`;
}

/** Seconds as milliseconds for people: `0.42 ms`, `12.3 ms`, `840 ms`, `2.41 s`. */
export function formatMs(seconds: number): string {
  const ms = seconds * 1000;
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
