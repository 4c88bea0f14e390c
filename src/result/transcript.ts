import { Redactor } from './redact.ts';
import type { Transcript, TranscriptDirection, TranscriptEntry, TranscriptKind } from './types.ts';

export interface TranscriptLimits {
  /** Entries kept in all; the middle is dropped beyond this. */
  readonly maxEntries: number;
  /** Characters of payload text kept per entry. */
  readonly maxTextChars: number;
}

const MAX_TYPE_CHARS = 64;

export const DEFAULT_TRANSCRIPT_LIMITS: TranscriptLimits = { maxEntries: 200, maxTextChars: 512 };

export { REDACTED, redact } from './redact.ts';

/**
 * A bounded, redacted transcript. Keeps the first quarter and the most recent entries, and counts
 * what it left out in between, so both the start of a conversation and its end survive.
 */
export class TranscriptRecorder {
  readonly #limits: TranscriptLimits;
  readonly #redactor: Redactor;
  readonly #head: TranscriptEntry[] = [];
  #tail: TranscriptEntry[] = [];
  #dropped = 0;

  constructor(limits: TranscriptLimits = DEFAULT_TRANSCRIPT_LIMITS, redactor: Redactor = new Redactor()) {
    this.#limits = limits;
    this.#redactor = redactor;
  }

  /** Registers a secret value (in every form, see {@link Redactor.add}) that must never appear in the run's result. */
  addSecret(secret: string | null): void {
    this.#redactor.add(secret);
  }

  get secrets(): readonly string[] {
    return this.#redactor.secrets;
  }

  /** The run's redactor: every secret registered so far, and the token shapes. */
  get redactor(): Redactor {
    return this.#redactor;
  }

  record(
    dir: TranscriptDirection,
    tMs: number,
    kind: TranscriptKind,
    fields: { type?: string | null; size?: number; text?: string | null } = {},
  ): void {
    const text = fields.text ?? null;
    const entry: TranscriptEntry = {
      dir,
      tMs: Math.round(tMs * 1000) / 1000,
      kind,
      type: fields.type === undefined || fields.type === null ? null : this.#redactor.bounded(fields.type, MAX_TYPE_CHARS).text,
      size: fields.size ?? (text === null ? 0 : Buffer.byteLength(text)),
      text: text === null ? null : this.#redactor.cut(text, this.#limits.maxTextChars),
    };
    const headMax = Math.max(1, Math.floor(this.#limits.maxEntries / 4));
    if (this.#head.length < headMax) {
      this.#head.push(entry);
      return;
    }
    this.#tail.push(entry);
    const tailMax = this.#limits.maxEntries - headMax;
    if (this.#tail.length > tailMax * 2) {
      const excess = this.#tail.length - tailMax;
      this.#dropped += excess;
      this.#tail = this.#tail.slice(excess);
    }
  }

  finish(): Transcript {
    const headMax = Math.max(1, Math.floor(this.#limits.maxEntries / 4));
    const tailMax = this.#limits.maxEntries - headMax;
    const excess = Math.max(0, this.#tail.length - tailMax);
    return { entries: [...this.#head, ...this.#tail.slice(excess)], dropped: this.#dropped + excess };
  }
}
