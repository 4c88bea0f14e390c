/**
 * Test doubles for the logging tests: an in-memory destination, a fixed clock, and the shared
 * hand-made check results.
 */
import { Writable } from 'node:stream';

/** A real Writable that keeps what it is given; confirms each write at once, or after `delayMs`, or never when `stuck`. */
export class MemoryDestination extends Writable {
  readonly chunks: string[] = [];
  /** Writes whose callback has been called. */
  confirmed = 0;
  readonly #delayMs: number | null;
  readonly #stuck: boolean;

  constructor(options: { delayMs?: number; stuck?: boolean } = {}) {
    super({ decodeStrings: false });
    this.#delayMs = options.delayMs ?? null;
    this.#stuck = options.stuck ?? false;
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? chunk : String(chunk));
    if (this.#stuck) return;
    const confirm = (): void => {
      this.confirmed += 1;
      callback();
    };
    if (this.#delayMs === null) confirm();
    else setTimeout(confirm, this.#delayMs);
  }

  /** Everything written, as one string. */
  text(): string {
    return this.chunks.join('');
  }

  /** Written lines, without the final empty one. */
  lines(): string[] {
    return this.text().split('\n').filter((line, i, all) => !(i === all.length - 1 && line === ''));
  }

  /** Each line parsed as a JSON object. */
  entries(): Record<string, unknown>[] {
    return this.lines().map((line) => {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`not an object: ${line}`);
      return value as Record<string, unknown>;
    });
  }
}

/** 2025-01-02T03:04:05.678Z. */
export const FIXED_CLOCK = { nowMs: (): number => Date.UTC(2025, 0, 2, 3, 4, 5, 678) };
export const FIXED_TIME = '2025-01-02T03:04:05.678Z';

export { checkResult, failedResult, transcriptEntry } from '../support/results.ts';
