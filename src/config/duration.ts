const AMOUNT = String.raw`(\d+(?:\.\d+)?)`;
/** One or more `<number><unit>` parts, units in the order h, m, s, ms, each at most once. */
const DURATION = new RegExp(String.raw`^(?=\d)(?:${AMOUNT}h)?(?:${AMOUNT}m(?!s))?(?:${AMOUNT}s)?(?:${AMOUNT}ms)?$`);
const PART_MS = [3_600_000, 60_000, 1_000, 1] as const;

/** The text shown when a duration does not parse. */
export const DURATION_EXPECTED = 'a duration like "30s" or "500ms"';

/**
 * Parses `<number><unit>` with unit `ms`, `s`, `m` or `h` (`500ms`, `1.5s`, `10m`), or several such
 * parts from the largest unit down, each unit at most once (`1m30s`, `1h30m`, `2s500ms`), as
 * Prometheus and Go write durations.
 *
 * @returns milliseconds, rounded to a whole millisecond (so `"0s"` gives 0; callers that need a
 * positive duration check it), or `null` when `text` is not such a duration (a bare number included:
 * it would be ambiguous).
 */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (match === null) return null;
  let ms = 0;
  PART_MS.forEach((factor, i) => {
    const amount = match[i + 1];
    if (amount !== undefined) ms += Number(amount) * factor;
  });
  ms = Math.round(ms);
  return Number.isFinite(ms) ? ms : null;
}

/** Milliseconds as the shortest exact duration text: `20s`, `10m`, `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
