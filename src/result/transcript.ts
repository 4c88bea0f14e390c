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
 * An entry as recorded: its text redacted and cut only when the transcript is finished, so a
 * frame costs no redaction on arrival. Text longer than the cut window is cut and redacted at
 * once instead, so an entry never holds on to a large frame.
 */
interface RecordedEntry extends TranscriptEntry {
  /** Whether `text` is already cut and redacted (true) or the text as received (false). */
  readonly formatted: boolean;
}

/**
 * A bounded, redacted transcript. Keeps the first quarter and the most recent entries, and counts
 * what it left out in between, so both the start of a conversation and its end survive. Entries
 * are redacted with every secret known when the transcript is finished.
 */
export class TranscriptRecorder {
  readonly #limits: TranscriptLimits;
  readonly #redactor: Redactor;
  readonly #head: RecordedEntry[] = [];
  #tail: RecordedEntry[] = [];
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
    const type = fields.type ?? null;
    const overlap = this.#redactor.overlapChars;
    const recorded: RecordedEntry = {
      dir,
      tMs: Math.round(tMs * 1000) / 1000,
      kind,
      type,
      size: fields.size ?? (text === null ? 0 : Buffer.byteLength(text)),
      text,
      formatted: false,
    };
    const long = (text !== null && text.length > this.#limits.maxTextChars + overlap) || (type !== null && type.length > MAX_TYPE_CHARS + overlap);
    const entry = long ? { ...this.#format(recorded), formatted: true } : recorded;
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

  #format(entry: RecordedEntry): TranscriptEntry {
    const { dir, tMs, kind, size, type, text } = entry;
    if (entry.formatted) return { dir, tMs, kind, type, size, text };
    return {
      dir,
      tMs,
      kind,
      type: type === null ? null : this.#redactor.bounded(type, MAX_TYPE_CHARS).text,
      size,
      text: text === null ? null : this.#redactor.cut(text, this.#limits.maxTextChars),
    };
  }

  finish(): Transcript {
    const headMax = Math.max(1, Math.floor(this.#limits.maxEntries / 4));
    const tailMax = this.#limits.maxEntries - headMax;
    const excess = Math.max(0, this.#tail.length - tailMax);
    const kept = [...this.#head, ...this.#tail.slice(excess)];
    return { entries: kept.map((entry) => this.#format(entry)), dropped: this.#dropped + excess };
  }
}
