import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { describe } from './errors.ts';
import { DURATION_EXPECTED, parseDuration } from './duration.ts';
import { interpolate } from './interpolate.ts';
import { child, isMapping, item, reader, type Context, type Mapping, type Reader } from './section.ts';

export type { Context, FileRequirement, Mapping, Read } from './section.ts';

/** The JSON Schema pattern of a string holding an environment reference, valid once replaced. */
const ENV_REFERENCE = '.*\\$\\{[^}]+\\}.*';

/** A JSON Schema pattern accepting `inner` (unanchored) or any string with an environment reference. */
export function orReference(inner: string): string {
  return `^(${inner}|${ENV_REFERENCE})$`;
}

function unanchored(pattern: RegExp): string {
  return pattern.source.replace(/^\^/, '').replace(/\$$/, '');
}

/** A mapping. */
export const readMapping: Reader<Mapping> = reader((ctx, value, field) => {
  if (isMapping(value)) return value;
  ctx.report(field, `expected a mapping, got ${describe(value)}`);
  return undefined;
}, { type: 'object' });

/** A list. */
export const readList: Reader<readonly unknown[]> = reader((ctx, value, field) => {
  if (Array.isArray(value)) return value;
  ctx.report(field, `expected a list, got ${describe(value)}`);
  return undefined;
}, { type: 'array' });

/** A string, environment references replaced. Empty strings are allowed. */
export const readAnyString: Reader<string> = reader((ctx, value, field) => {
  if (typeof value !== 'string') {
    ctx.report(field, `expected a string, got ${describe(value)}`);
    return undefined;
  }
  return interpolate(value, ctx.env, reportTo(ctx, field));
}, { type: 'string' });

/** A non-empty string, environment references replaced. */
export const readString: Reader<string> = reader((ctx, value, field) => {
  const text = readAnyString(ctx, value, field);
  if (text === '') {
    ctx.report(field, 'expected a non-empty string, got ""');
    return undefined;
  }
  return text;
}, { type: 'string', minLength: 1 });

/**
 * `true` or `false`: a YAML boolean, or a string that is one after interpolation
 * (`insecure_skip_verify: ${INSECURE:-false}`).
 */
export const readBoolean: Reader<boolean> = reader((ctx, value, field) => {
  const resolved = resolve(ctx, value, field);
  if (failed(resolved)) return undefined;
  if (typeof resolved === 'boolean') return resolved;
  if (resolved === 'true' || resolved === 'false') return resolved === 'true';
  ctx.report(field, `expected true or false, got ${describe(resolved)}`);
  return undefined;
}, { oneOf: [{ type: 'boolean' }, { type: 'string', pattern: orReference('true|false') }] });

/** A string matching `pattern`; `expected` names the shape for the message. */
export function readMatching(pattern: RegExp, expected: string): Reader<string> {
  return reader((ctx, value, field) => {
    const resolved = resolve(ctx, value, field);
    if (failed(resolved)) return undefined;
    if (typeof resolved === 'string' && pattern.test(resolved)) return resolved;
    ctx.report(field, `expected ${expected}, got ${describe(resolved)}`);
    return undefined;
  }, { type: 'string', pattern: orReference(unanchored(pattern)) });
}

const FAILED = Symbol('interpolation failed');

/** One of `allowed`. */
export function readEnum<T extends string>(allowed: readonly T[]): Reader<T> {
  return reader((ctx, value, field) => {
    const resolved = resolve(ctx, value, field);
    if (resolved === FAILED) return undefined;
    const found = allowed.find((candidate) => candidate === resolved);
    if (found !== undefined) return found;
    ctx.report(field, `expected one of ${allowed.join(', ')}, got ${describe(resolved)}`);
    return undefined;
  }, { enum: allowed });
}

/** A positive duration, in milliseconds. */
export const readDuration: Reader<number> = reader((ctx, value, field) => {
  const resolved = resolve(ctx, value, field);
  if (resolved === FAILED) return undefined;
  const ms = typeof resolved === 'string' ? parseDuration(resolved) : null;
  if (ms === null) {
    ctx.report(field, `expected ${DURATION_EXPECTED}, got ${describe(resolved)}`);
    return undefined;
  }
  if (ms <= 0) {
    ctx.report(field, `expected a duration greater than 0, got ${describe(resolved)}`);
    return undefined;
  }
  return ms;
}, { $ref: '#/$defs/duration' });


/** A scalar with environment references replaced when it is a string; `FAILED` once reported. */
export function resolve(ctx: Context, value: unknown, field: string): unknown {
  if (typeof value !== 'string') return value;
  return interpolate(value, ctx.env, reportTo(ctx, field)) ?? FAILED;
}

/** Where `interpolate` reports for `field`: an unset variable is a `load` gap. */
function reportTo(ctx: Context, field: string): (message: string, unset?: boolean) => void {
  return (message, unset) => (unset === true ? ctx.report(field, message, 'load') : ctx.report(field, message));
}

/** Whether `resolve` failed (and reported why). */
export function failed(resolved: unknown): resolved is typeof FAILED {
  return resolved === FAILED;
}

/** Names for the messages of `readUniqueList`: `non-empty list of ${plural}`, `duplicate ${singular}`. */
export interface ListNouns {
  readonly plural: string;
  readonly singular: string;
}

/** A non-empty list whose items are read by `read`; a repeated item is reported. */
export function readUniqueList<T>(read: Reader<T>, nouns: ListNouns): Reader<readonly T[]> {
  return reader((ctx, value, field) => {
    if (!Array.isArray(value) || value.length === 0) {
      ctx.report(field, `expected a non-empty list of ${nouns.plural}, got ${describe(value)}`);
      return undefined;
    }
    const out: T[] = [];
    const seen = new Map<T, number>();
    let ok = true;
    value.forEach((entry: unknown, i) => {
      const parsed = read(ctx, entry, item(field, i));
      if (parsed === undefined) {
        ok = false;
        return;
      }
      const first = seen.get(parsed);
      if (first !== undefined) {
        ctx.report(item(field, i), `duplicate ${nouns.singular} ${describe(parsed)} (also ${item(field, first)})`);
        ok = false;
        return;
      }
      seen.set(parsed, i);
      out.push(parsed);
    });
    return ok ? out : undefined;
  }, { type: 'array', minItems: 1, uniqueItems: true, items: read.schema });
}

/** A mapping of strings to strings (header maps), values interpolated. */
export const readStringMap: Reader<Readonly<Record<string, string>>> = reader((ctx, value, field) => {
  const map = readMapping(ctx, value, field);
  if (map === undefined) return undefined;
  const out: Record<string, string> = {};
  let ok = true;
  for (const [key, entry] of Object.entries(map)) {
    const text = readAnyString(ctx, entry, child(field, key));
    if (text === undefined) ok = false;
    else out[key] = text;
  }
  return ok ? out : undefined;
}, { type: 'object', additionalProperties: { type: 'string' } });

/** A mapping of JSON values (claims, request bodies); every string inside is interpolated. */
export const readJsonMap: Reader<Readonly<Record<string, unknown>>> = reader((ctx, value, field) => {
  const map = readMapping(ctx, value, field);
  if (map === undefined) return undefined;
  const out = readJson(ctx, map, field);
  return isMapping(out) ? out : undefined;
}, { type: 'object', additionalProperties: true });

function readJson(ctx: Context, value: unknown, field: string): unknown {
  if (typeof value === 'string') return readAnyString(ctx, value, field);
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) {
    const out = value.map((entry, i) => readJson(ctx, entry, item(field, i)));
    return out.includes(undefined) ? undefined : out;
  }
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const [key, entry] of Object.entries(value)) {
      const parsed = readJson(ctx, entry, child(field, key));
      if (parsed === undefined) ok = false;
      else out[key] = parsed;
    }
    return ok ? out : undefined;
  }
  ctx.report(field, `expected a JSON value (string, number, true/false, null, list or mapping), got ${describe(value)}`);
  return undefined;
}

/** A URL whose scheme is one of `protocols` (`"ws:"`), kept as written. */
export function readUrl(protocols: readonly string[]): Reader<string> {
  const expected = `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  const schemes = protocols.map((p) => p.slice(0, -1)).join('|');
  return reader((ctx, value, field) => {
    const text = readAnyString(ctx, value, field);
    if (text === undefined) return undefined;
    const url = URL.parse(text);
    if (url !== null && protocols.includes(url.protocol) && url.host !== '') return text;
    ctx.report(field, `expected ${expected}, got ${describe(text)}`);
    return undefined;
  }, { type: 'string', pattern: orReference(`(${schemes})://.+`) });
}

/** A file path relative to the config file's folder; `shown` for messages, `absolute` for use. */
export const readPath: Reader<{ readonly shown: string; readonly absolute: string }> = reader((ctx, value, field) => {
  const text = readString(ctx, value, field);
  if (text === undefined) return undefined;
  const shown = isAbsolute(text) ? text : join(ctx.dir, text);
  return { shown, absolute: resolvePath(shown) };
}, { type: 'string', minLength: 1 });

/** A whole number from `min` to `max`: a YAML integer, or a string that is one after interpolation. */
export function readIntegerIn(min: number, max: number): Reader<number> {
  return reader((ctx, value, field) => {
    const resolved = resolve(ctx, value, field);
    if (failed(resolved)) return undefined;
    const n = typeof resolved === 'number' ? resolved : typeof resolved === 'string' && /^\d+$/.test(resolved) ? Number(resolved) : Number.NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    ctx.report(field, `expected an integer from ${min} to ${max}, got ${describe(resolved)}`);
    return undefined;
  }, { oneOf: [{ type: 'integer', minimum: min, maximum: max }, { type: 'string', pattern: orReference('\\d+') }] });
}
