const SIZE = /^(\d+(?:\.\d+)?)(B|KiB|MiB|GiB|kB|KB|MB|GB)$/;
const UNIT_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  kB: 1000,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

/** The text shown when a size does not parse. */
export const SIZE_EXPECTED = 'a size like "1MiB" or "64KiB", or a whole number of bytes';

/**
 * Parses a byte size: a whole number of bytes, or `<number><unit>` with unit `B`, `KiB`, `MiB`,
 * `GiB` (powers of 1024) or `kB`/`KB`, `MB`, `GB` (powers of 1000).
 *
 * @returns bytes, rounded to a whole byte, or `null` when `value` is neither.
 */
export function parseSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value !== 'string') return null;
  const match = SIZE.exec(value);
  if (match === null) return null;
  const [, amount, unit] = match;
  if (amount === undefined || unit === undefined) return null;
  const factor = UNIT_BYTES[unit];
  if (factor === undefined) return null;
  const bytes = Math.round(Number(amount) * factor);
  return Number.isSafeInteger(bytes) ? bytes : null;
}
