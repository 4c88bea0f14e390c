/** Small statistics and number formatting for the benchmark's figures. */

/** The median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The largest of `values`; NaN when empty. */
export function max(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let best = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > best) best = value;
  return best;
}

/** The `q`-quantile (0..1) of `values` by nearest rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** `value` with `digits` decimals and `unit`, or "n/a" when it is not a finite number. */
export function fixed(value: number, digits: number, unit = ''): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)}${unit}` : 'n/a';
}

/** Milliseconds with a precision that suits their size: 0.42 ms, 8.3 ms, 131 ms, 1.24 s. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const size = Math.abs(value);
  if (size >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (size >= 100) return `${value.toFixed(0)} ms`;
  if (size >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

/** Bytes as KiB or MiB (binary units), e.g. 2.70 MiB. */
export function bytes(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 1024 * 1024) return `${(value / (1024 * 1024)).toFixed(2)} MiB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${value.toFixed(0)} B`;
}

/** Megabytes (10^6 bytes, as the RSS figures) from kibibytes as /proc reports them. */
export function megabytesFromKib(kib: number): string {
  return Number.isFinite(kib) ? `${((kib * 1024) / 1e6).toFixed(0)} MB` : 'n/a';
}

/** `canary / reference` as "1.62×", or "—" when the reference is zero or unknown. */
export function ratio(canary: number, reference: number): string {
  if (!Number.isFinite(canary) || !Number.isFinite(reference) || reference === 0) return '—';
  return `${(canary / reference).toFixed(2)}×`;
}
