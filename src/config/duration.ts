const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The text shown when a duration does not parse. */
export const DURATION_EXPECTED = 'a duration like "30s" or "500ms"';

/**
 * Parses `<number><unit>` with unit `ms`, `s`, `m` or `h` (`500ms`, `1.5s`, `10m`).
 *
 * @returns milliseconds, rounded to a whole millisecond (so `"0s"` gives 0; callers that need a
 * positive duration check it), or `null` when `text` is not such a duration (a bare number included:
 * it would be ambiguous).
 */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (match === null) return null;
  const [, amount, unit] = match;
  if (amount === undefined || unit === undefined) return null;
  const factor = UNIT_MS[unit];
  if (factor === undefined) return null;
  const ms = Math.round(Number(amount) * factor);
  return Number.isFinite(ms) ? ms : null;
}

/** Milliseconds as the shortest exact duration text: `20s`, `10m`, `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
