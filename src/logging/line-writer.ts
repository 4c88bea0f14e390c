import { Redactor } from '../result/redact.ts';
import { SPAN_ID_KEY, TRACE_KEY, TRACE_SAMPLED_KEY } from './trace.ts';

/** Key of the Cloud Logging entry labels (a string → string map). */
export const LABELS_KEY = 'logging.googleapis.com/labels';

/**
 * The largest JSON line written. Cloud Logging refuses entries over 256 KB
 * (https://cloud.google.com/logging/quotas); the agent adds its own metadata, so lines stop well
 * short of it. A longer line is replaced by its envelope (severity, time, message, labels, trace)
 * and `truncated: { originalBytes }`.
 */
export const MAX_LINE_BYTES = 200 * 1024;

/** What a {@link LineWriter} writes to, and how. */
export interface LineWriterOptions {
  readonly destination: NodeJS.WritableStream;
  /** Secret values that must never be written; asked for each line, so secrets added later count. */
  readonly secrets: () => readonly string[];
  /** Turns one JSON line into what is written (the pretty format); identity when absent. */
  readonly format?: (entry: Record<string, unknown>) => string;
  /** `flush()` resolves at the latest after this long, flushed or not. */
  readonly flushTimeoutMs: number;
  /** Default: {@link MAX_LINE_BYTES}. */
  readonly maxLineBytes?: number;
}

/**
 * The stream pino writes to. Every line is formatted, then redacted (known secrets in every form
 * {@link Redactor} knows, anything JWT- or token-shaped, in one linear scan), then size-checked,
 * and only then written to the destination. Keeps count of writes the destination has not
 * confirmed, for {@link LineWriter.flush}.
 */
export class LineWriter {
  readonly #options: LineWriterOptions;
  readonly #maxLineBytes: number;
  #written = 0;
  #confirmed = 0;
  #waiters: { readonly upTo: number; readonly resolve: () => void }[] = [];
  /** The redactor of the secret list last asked for, reused while the list is the same. */
  #redactor: { readonly secrets: readonly string[]; readonly redactor: Redactor } | null = null;

  constructor(options: LineWriterOptions) {
    this.#options = options;
    this.#maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  /** Called by pino with one newline-terminated JSON line. */
  write(line: string): void {
    let out: string;
    try {
      out = this.#prepare(line);
    } catch {
      out = this.#prepareFallback(line);
    }
    this.#written += 1;
    this.#options.destination.write(out, () => this.#done());
  }

  /** A redactor of the secrets as they are now: the last one when the list has not changed. */
  #currentRedactor(): Redactor {
    const secrets = this.#options.secrets();
    const last = this.#redactor;
    if (last !== null && last.secrets.length === secrets.length && last.secrets.every((secret, i) => secret === secrets[i])) return last.redactor;
    const redactor = new Redactor(secrets);
    this.#redactor = { secrets: [...secrets], redactor };
    return redactor;
  }

  #prepare(line: string): string {
    const redactor = this.#currentRedactor();
    const format = this.#options.format;
    if (format !== undefined) {
      const text = format(parseEntry(line));
      return `${redactor.redact(text)}\n`;
    }
    if (Buffer.byteLength(line) > this.#maxLineBytes) return `${envelopeOf(line, redactor)}\n`;
    const redacted = redactor.redact(line);
    return Buffer.byteLength(redacted) <= this.#maxLineBytes ? redacted : `${envelopeOf(line, redactor)}\n`;
  }

  /**
   * A line that could not be formatted is still written as JSON, redacted. If even the secret list
   * cannot be read, the entry is withheld and a line says so: nothing unredacted is ever written.
   */
  #prepareFallback(line: string): string {
    let redactor: Redactor;
    try {
      redactor = new Redactor(this.#options.secrets());
    } catch {
      return `${JSON.stringify({ severity: 'ERROR', message: 'log entry withheld: the secret list could not be read' })}\n`;
    }
    const redacted = redactor.redact(line);
    return redacted.endsWith('\n') ? redacted : `${redacted}\n`;
  }

  #done(): void {
    this.#confirmed += 1;
    const ready = this.#waiters.filter((w) => w.upTo <= this.#confirmed);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.upTo > this.#confirmed);
    for (const waiter of ready) waiter.resolve();
  }

  /**
   * Resolves once the destination has confirmed every line written before the call (later lines
   * do not hold it up), or after `flushTimeoutMs`, whichever comes first. Never rejects.
   */
  flush(): Promise<void> {
    const upTo = this.#written;
    if (this.#confirmed >= upTo) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#options.flushTimeoutMs);
      this.#waiters.push({
        upTo,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

function parseEntry(line: string): Record<string, unknown> {
  const value: unknown = JSON.parse(line);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

const ENVELOPE_KEYS = ['severity', 'time', LABELS_KEY, TRACE_KEY, SPAN_ID_KEY, TRACE_SAMPLED_KEY, 'serviceContext'];
const MAX_ENVELOPE_MESSAGE_CHARS = 4096;

/** The entry cut down to what identifies it, for a line over the size limit. */
function envelopeOf(line: string, redactor: Redactor): string {
  const entry = parseEntry(line);
  const kept: Record<string, unknown> = {};
  for (const key of ENVELOPE_KEYS) if (key in entry) kept[key] = entry[key];
  const message = typeof entry['message'] === 'string' ? entry['message'] : '';
  kept['truncated'] = { originalBytes: Buffer.byteLength(line) };
  kept['message'] = redactor.cut(message, MAX_ENVELOPE_MESSAGE_CHARS, () => '…');
  return redactor.redact(JSON.stringify(kept));
}
