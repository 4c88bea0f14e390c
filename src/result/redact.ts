/**
 * Redaction of secrets from text that leaves the engine: results, transcripts, logs. One linear
 * scan per text (no backtracking regular expression), run on bounded text: a caller that keeps
 * `n` characters scans `n` plus an overlap long enough for any known secret, so a secret or token
 * straddling the cut is still caught.
 */

/** What a secret or token is replaced with. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not redacted as literals (they would match ordinary text). */
export const MIN_SECRET_CHARS = 4;

/** Characters a JWT-shaped run may hold (base64url, RFC 7515 §2). */
function isB64url(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x5f;
}

/** Characters a token after `jwt.` / `bearer.` (or `Bearer `) may hold: base64url, `.`, `=`, and the RFC 6750 b64token extras. */
function isTokenChar(code: number): boolean {
  return isB64url(code) || code === 0x2e || code === 0x3d || code === 0x7e || code === 0x2b || code === 0x2f;
}

/**
 * Subprotocol and header prefixes that carry a token after them (protocol.md, "Authentication"
 * and "Authentication additions"), lower case, with the separator that follows them.
 */
const TOKEN_PREFIXES: readonly { readonly word: string; readonly separator: number }[] = [
  { word: 'jwt', separator: 0x2e },
  { word: 'jwt-auth', separator: 0x2e },
  { word: 'bearer', separator: 0x2e },
  { word: 'staging-auth', separator: 0x2e },
  { word: 'bearer', separator: 0x20 },
];

/** Shortest token after a prefix that is redacted when the text is whole (as the older pattern). */
const MIN_PREFIXED_TOKEN_CHARS = 8;
/** Shortest first and second JWT segment (after `eyJ` the first needs 4 more). */
const MIN_JWT_SEGMENT_CHARS = 4;

/** A half-open range of the text to replace with {@link REDACTED}. */
interface Span {
  start: number;
  end: number;
}

function endsWithWord(text: string, end: number, word: string): boolean {
  const start = end - word.length;
  if (start < 0) return false;
  for (let k = 0; k < word.length; k++) {
    let code = text.charCodeAt(start + k);
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code !== word.charCodeAt(k)) return false;
  }
  return true;
}

function runEnd(text: string, from: number, accept: (code: number) => boolean): number {
  let i = from;
  while (i < text.length && accept(text.charCodeAt(i))) i++;
  return i;
}

/**
 * JWT-shaped text: `eyJ` + base64url (7 chars or more in all) `.` base64url (4 or more), then
 * `.` base64url if present (a JWS without its signature, or a token the server cut, is still
 * redacted). Every start inside a run that fails fails the same way, so the scan skips the run:
 * linear. When `cut`, a candidate that reaches the end of the text is redacted whole.
 */
function jwtSpans(text: string, cut: boolean, out: Span[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const at = text.indexOf('eyJ', i);
    if (at < 0) return;
    const end1 = runEnd(text, at + 3, isB64url);
    if (end1 === n) {
      if (cut) out.push({ start: at, end: n });
      return;
    }
    if (end1 - at < 3 + MIN_JWT_SEGMENT_CHARS || text.charCodeAt(end1) !== 0x2e) {
      i = end1 + 1;
      continue;
    }
    const end2 = runEnd(text, end1 + 1, isB64url);
    if (end2 - end1 - 1 < MIN_JWT_SEGMENT_CHARS) {
      if (cut && end2 === n) out.push({ start: at, end: n });
      i = end1 + 1;
      continue;
    }
    const end = end2 < n && text.charCodeAt(end2) === 0x2e ? runEnd(text, end2 + 1, isB64url) : end2;
    out.push({ start: at, end });
    i = end;
  }
}

/**
 * Whether the character before a separator can end a prefix word (`jwt`, `jwt-auth`, `bearer`,
 * `staging-auth`: t, h or r, any case), so most separators are passed over without a comparison.
 */
function mayEndPrefix(code: number): boolean {
  const lower = code | 0x20;
  return lower === 0x74 || lower === 0x68 || lower === 0x72;
}

function prefixedAt(text: string, i: number, code: number): boolean {
  for (const p of TOKEN_PREFIXES) if (p.separator === code && endsWithWord(text, i, p.word)) return true;
  return false;
}

/**
 * Token-bearing prefixes: `jwt.<token>`, `jwt.<env>.<token>`, `jwt-auth.<token>`,
 * `bearer.<token>`, `staging-auth.<token>`, `Bearer <token>` (any case). The prefix is kept, the
 * token after it redacted. Each position is looked at once and a token run is skipped whole: linear.
 */
function prefixedSpans(text: string, cut: boolean, out: Span[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    if ((code !== 0x2e && code !== 0x20) || i === 0 || !mayEndPrefix(text.charCodeAt(i - 1)) || !prefixedAt(text, i, code)) {
      i++;
      continue;
    }
    const end = runEnd(text, i + 1, isTokenChar);
    if (end - i - 1 >= MIN_PREFIXED_TOKEN_CHARS || (cut && end === n && end > i + 1)) out.push({ start: i + 1, end });
    i = Math.max(end, i + 1);
  }
}

function literalSpans(text: string, forms: readonly string[], out: Span[]): void {
  for (const form of forms) {
    if (form.length > text.length) continue;
    let at = text.indexOf(form);
    while (at >= 0) {
      out.push({ start: at, end: at + form.length });
      at = text.indexOf(form, at + form.length);
    }
  }
}

/**
 * Writes `text[0, keep)` with every span replaced by {@link REDACTED} (overlapping or adjacent
 * spans by one); a span that starts before `keep` is replaced whole even when it reaches past it.
 */
function rewrite(text: string, spans: Span[], keep: number): string {
  if (spans.length === 0) return text.length <= keep ? text : text.slice(0, keep);
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  let k = 0;
  while (k < spans.length) {
    const first = spans[k] as Span;
    if (first.start >= keep) break;
    let end = first.end;
    k++;
    while (k < spans.length && (spans[k] as Span).start <= end) {
      end = Math.max(end, (spans[k] as Span).end);
      k++;
    }
    out += text.slice(pos, first.start) + REDACTED;
    pos = end;
  }
  if (pos < keep) out += text.slice(pos, keep);
  return out;
}

/** The forms a secret may take in text the canary or the server wrote. */
export function secretForms(secret: string): string[] {
  const forms = [secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret, 'utf8').toString('base64url')];
  return forms.filter((form) => form.length >= MIN_SECRET_CHARS);
}

/** A text cut to a bound, redacted. */
export interface BoundedText {
  /** The first `maxChars` characters of the input, redacted (a token straddling the cut redacted whole). */
  readonly text: string;
  /** How many characters of the input were left out (0 when it fit). */
  readonly omittedChars: number;
}

/**
 * The redactor of one run (or of one log line): the literal secrets it knows, each in every form
 * it may appear ({@link secretForms}: raw, JSON-escaped, base64url as in the `jwt.<b64url>`
 * subprotocol), plus JWT-shaped and token-bearing subprotocol or header text. Cost: linear in the
 * scanned text for the shapes, plus one `indexOf` scan per secret form.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  readonly #knownForms = new Set<string>();
  readonly #forms: string[] = [];
  #longest = 0;

  constructor(secrets: Iterable<string | null> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Registers a secret (a token, a session token, a configured credential); null and short values are ignored. */
  add(secret: string | null): void {
    if (secret === null || secret.length < MIN_SECRET_CHARS || this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    for (const form of secretForms(secret)) {
      if (this.#knownForms.has(form)) continue;
      this.#knownForms.add(form);
      // kept longest first (as a stable sort by length would), inserted in place rather than sorted again per secret
      let at = this.#forms.length;
      while (at > 0 && (this.#forms[at - 1] as string).length < form.length) at--;
      this.#forms.splice(at, 0, form);
    }
    this.#longest = this.#forms[0]?.length ?? 0;
  }

  /** The secrets registered, as given. */
  get secrets(): readonly string[] {
    return [...this.#secrets];
  }

  /** Characters scanned past a cut so a secret or token straddling it is still recognised. */
  get overlapChars(): number {
    return Math.max(this.#longest, 64);
  }

  /** The whole text, redacted. */
  redact(text: string): string {
    return this.#scan(text, text.length, false);
  }

  /**
   * The first `maxChars` characters of `text`, redacted, scanning at most `maxChars` plus
   * {@link overlapChars}: the cost is bounded by the bound, not by the input.
   */
  bounded(text: string, maxChars: number): BoundedText {
    const keep = Math.max(0, maxChars);
    if (text.length <= keep) return { text: this.redact(text), omittedChars: 0 };
    const windowEnd = keep + this.overlapChars;
    const window = text.length <= windowEnd ? text : text.slice(0, windowEnd);
    return { text: this.#scan(window, keep, window.length < text.length), omittedChars: text.length - keep };
  }

  /** {@link bounded}, with `marker(omittedChars)` appended when something was left out. */
  cut(text: string, maxChars: number, marker: (omittedChars: number) => string = (n) => `… (${n} more chars)`): string {
    // most texts fit: redacted whole, without the BoundedText of `bounded`
    if (text.length <= Math.max(0, maxChars)) return this.redact(text);
    const bounded = this.bounded(text, maxChars);
    return bounded.omittedChars === 0 ? bounded.text : `${bounded.text}${marker(bounded.omittedChars)}`;
  }

  #scan(text: string, keep: number, cut: boolean): string {
    const spans: Span[] = [];
    literalSpans(text, this.#forms, spans);
    jwtSpans(text, cut, spans);
    prefixedSpans(text, cut, spans);
    return rewrite(text, spans, keep);
  }
}

/** Redacts `text` with `secrets` as literals (in every form) and the token shapes; see {@link Redactor}. */
export function redact(text: string, secrets: readonly string[]): string {
  return new Redactor(secrets).redact(text);
}
