import type { Transcript, TranscriptDirection, TranscriptEntry, TranscriptKind } from './types.ts';

export interface TranscriptLimits {
  /** Entries kept in all; the middle is dropped beyond this. */
  readonly maxEntries: number;
  /** Characters of payload text kept per entry. */
  readonly maxTextChars: number;
}

export const DEFAULT_TRANSCRIPT_LIMITS: TranscriptLimits = { maxEntries: 200, maxTextChars: 512 };

const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const SUBPROTOCOL_TOKEN_PATTERN = /jwt\.[A-Za-z0-9_\-.=]{8,}/g;
export const REDACTED = '[REDACTED]';

/**
 * Removes secrets from text: every known secret value, anything shaped like a JWT, and
 * token-bearing `jwt.` subprotocols.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out.replace(JWT_PATTERN, REDACTED).replace(SUBPROTOCOL_TOKEN_PATTERN, `jwt.${REDACTED}`);
}

/**
 * A bounded, redacted transcript. Keeps the first quarter and the most recent entries, and counts
 * what it left out in between, so both the start of a conversation and its end survive.
 */
export class TranscriptRecorder {
  readonly #limits: TranscriptLimits;
  readonly #secrets: string[] = [];
  readonly #head: TranscriptEntry[] = [];
  #tail: TranscriptEntry[] = [];
  #dropped = 0;

  constructor(limits: TranscriptLimits = DEFAULT_TRANSCRIPT_LIMITS) {
    this.#limits = limits;
  }

  /** Registers a secret value that must never appear in the transcript. */
  addSecret(secret: string | null): void {
    if (secret !== null && secret.length > 0) this.#secrets.push(secret);
  }

  get secrets(): readonly string[] {
    return this.#secrets;
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
      type: fields.type === undefined || fields.type === null ? null : redact(fields.type, this.#secrets).slice(0, 64),
      size: fields.size ?? (text === null ? 0 : Buffer.byteLength(text)),
      text: text === null ? null : this.#cut(redact(text, this.#secrets)),
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

  #cut(text: string): string {
    const max = this.#limits.maxTextChars;
    return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more chars)`;
  }

  finish(): Transcript {
    const headMax = Math.max(1, Math.floor(this.#limits.maxEntries / 4));
    const tailMax = this.#limits.maxEntries - headMax;
    const excess = Math.max(0, this.#tail.length - tailMax);
    return { entries: [...this.#head, ...this.#tail.slice(excess)], dropped: this.#dropped + excess };
  }
}
