/**
 * `npm run bench`: the cost per MiB of adversarial frame text for the redactor, the regular
 * expressions it replaced against the linear scan of src/result/redact.ts. The old patterns grow
 * with the square of their input, so they are timed on doubling sizes up to a budget and their
 * per-MiB cost is extrapolated from the growth of the last doubling; the new scan is timed on whole MiBs.
 * Self-contained: it starts no server and reads no config. Runs in well under 30 s.
 */
import { Redactor } from '../../src/result/redact.ts';

const MIB = 1024 * 1024;
const OLD_JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const OLD_SUBPROTOCOL_TOKEN_PATTERN = /jwt\.[A-Za-z0-9_\-.=]{8,}/g;
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnktdGVzdCIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
const SECRETS = ['signing-key-s3cret-0123456789', 'opaque-fetched-token-7Qx9Lm2', JWT];

/** The redaction this module replaced (src/result/transcript.ts before issue 8). */
function oldRedact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  return out.replace(OLD_JWT_PATTERN, '[REDACTED]').replace(OLD_SUBPROTOCOL_TOKEN_PATTERN, 'jwt.[REDACTED]');
}

/** `chars` characters of `unit` repeated, as one flat string (as a frame's text is). */
function repeated(unit: string, chars: number): string {
  return Buffer.alloc(chars, unit, 'latin1').toString('latin1');
}

function withJwtEvery(stepChars: number, chars: number): string {
  const filler = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. ';
  const block = `${filler.repeat(Math.ceil(stepChars / filler.length)).slice(0, stepChars - JWT.length - 2)} ${JWT} `;
  return block.repeat(Math.ceil(chars / block.length)).slice(0, chars);
}

const INPUTS: readonly { readonly name: string; readonly make: (chars: number) => string }[] = [
  { name: '"eyJ" repeated', make: (n) => repeated('eyJ', n) },
  { name: '"jwt." repeated', make: (n) => repeated('jwt.', n) },
  { name: '"eyJa." repeated', make: (n) => repeated('eyJaaaa.', n) },
  { name: 'one base64url run', make: (n) => repeated('Ab0_-', n) },
  { name: 'a real JWT every 4 KiB', make: (n) => withJwtEvery(4096, n) },
];

function timeMs(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function bestOf(runs: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) best = Math.min(best, timeMs(fn));
  return best;
}

/**
 * Old cost per MiB: timed at doubling sizes until one takes over `budgetMs`, then scaled to a MiB
 * by the growth seen in the last doubling (exponent between 1 and 2).
 */
function oldPerMibMs(make: (chars: number) => string, budgetMs: number): { sizeKiB: number; ms: number; perMibMs: number } {
  let chars = 4 * 1024;
  let ms = 0;
  let previousMs = 0;
  for (;;) {
    const text = make(chars);
    previousMs = ms;
    ms = bestOf(chars < 64 * 1024 ? 3 : 1, () => oldRedact(text, SECRETS));
    if (ms > budgetMs || chars >= MIB) break;
    chars *= 2;
  }
  const growth = previousMs > 1 ? Math.log2(ms / previousMs) : 1;
  const exponent = Math.min(2, Math.max(1, growth));
  return { sizeKiB: chars / 1024, ms, perMibMs: ms * (MIB / chars) ** exponent };
}

function format(ms: number): string {
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(1)} ms`;
}

function main(): void {
  const redactor = new Redactor(SECRETS);
  console.log('redaction cost per MiB of frame text (best of 3 for the new scan)');
  console.log(`${'input'.padEnd(24)} ${'new: whole MiB'.padStart(15)} ${'new: bounded 512'.padStart(17)} ${'old (measured at)'.padStart(24)} ${'old per MiB'.padStart(12)}`);
  for (const input of INPUTS) {
    const text = input.make(MIB);
    const whole = bestOf(3, () => redactor.redact(text));
    const bounded = bestOf(3, () => redactor.bounded(text, 512));
    const old = oldPerMibMs(input.make, 400);
    const measured = `${format(old.ms)} @ ${old.sizeKiB} KiB`;
    const estimate = old.sizeKiB * 1024 === MIB ? format(old.ms) : `~${format(old.perMibMs)}`;
    console.log(`${input.name.padEnd(24)} ${format(whole).padStart(15)} ${format(bounded).padStart(17)} ${measured.padStart(24)} ${estimate.padStart(12)}`);
  }
  console.log('old per MiB: measured on a whole MiB when it took under 400 ms, else extrapolated from the growth of the last doubling.');
}

main();
