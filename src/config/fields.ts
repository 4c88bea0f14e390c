import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { describe, type Reporter } from './errors.ts';
import { DURATION_EXPECTED, parseDuration } from './duration.ts';
import { interpolate } from './interpolate.ts';

/** What every validator of one file needs: where to report, the environment, the file's folder. */
export interface Context extends Reporter {
  readonly env: NodeJS.ProcessEnv;
  /** Folder of the config file, for resolving relative paths inside it. */
  readonly dir: string;
  /** Files the config refers to; checked on disk once the file is validated. */
  readonly files: FileRequirement[];
}

/** A file named in the config that must exist and be readable when the config is loaded. */
export interface FileRequirement {
  readonly field: string;
  /** The path as shown in messages: joined to the config file's folder, not absolutized. */
  readonly shown: string;
  readonly absolute: string;
  readonly kind: 'private_key' | 'ca';
  /** For private keys, the algorithm the key must suit, when it is known. */
  readonly algorithm: 'RS256' | 'ES256' | null;
}

export type Mapping = Readonly<Record<string, unknown>>;

/** A field reader: returns the value, or `undefined` after reporting why it is invalid. */
export type Read<T> = (ctx: Context, value: unknown, field: string) => T | undefined;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `parent.key`, or `parent["odd key"]` when the key is not a plain name. */
export function child(parent: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** `parent[i]`. */
export function item(parent: string, i: number): string {
  return `${parent}[${i}]`;
}

/** YAML `null` and a missing key both mean "not set". */
export function absent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** A plain mapping, as YAML parses one (not a list, not binary data). */
export function isMapping(value: unknown): value is Mapping {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Reports every key of `map` not in `allowed` as `unknown field`, with a suggestion for near misses. */
export function rejectUnknownKeys(ctx: Context, map: Mapping, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(map)) {
    if (allowed.includes(key)) continue;
    const guess = suggest(key, allowed);
    ctx.report(child(field, key), guess === null ? 'unknown field' : `unknown field (did you mean "${guess}"?)`);
  }
}

function suggest(key: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= 2 && bestDistance * 2 < key.length ? best : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * One YAML mapping being validated: reads its fields by key and remembers the path for messages.
 * `optional` distinguishes "not set" (the default) from "invalid" (`undefined`, already reported),
 * so cross-field checks can skip values that were wrong.
 */
export class Section {
  readonly ctx: Context;
  readonly path: string;
  readonly map: Mapping;

  constructor(ctx: Context, path: string, map: Mapping, allowed: readonly string[]) {
    this.ctx = ctx;
    this.path = path;
    this.map = map;
    rejectUnknownKeys(ctx, map, allowed, path);
  }

  field(key: string): string {
    return child(this.path, key);
  }

  has(key: string): boolean {
    return !absent(this.map[key]);
  }

  required<T>(key: string, read: Read<T>): T | undefined {
    const value = this.map[key];
    if (absent(value)) {
      this.ctx.report(this.field(key), 'is required');
      return undefined;
    }
    return read(this.ctx, value, this.field(key));
  }

  optional<T, D = T>(key: string, read: Read<T>, fallback: D): T | D | undefined {
    const value = this.map[key];
    return absent(value) ? fallback : read(this.ctx, value, this.field(key));
  }
}

/** A mapping. */
export const readMapping: Read<Mapping> = (ctx, value, field) => {
  if (isMapping(value)) return value;
  ctx.report(field, `expected a mapping, got ${describe(value)}`);
  return undefined;
};

/** A list. */
export const readList: Read<readonly unknown[]> = (ctx, value, field) => {
  if (Array.isArray(value)) return value;
  ctx.report(field, `expected a list, got ${describe(value)}`);
  return undefined;
};

/** A string, environment references replaced. Empty strings are allowed. */
export const readAnyString: Read<string> = (ctx, value, field) => {
  if (typeof value !== 'string') {
    ctx.report(field, `expected a string, got ${describe(value)}`);
    return undefined;
  }
  return interpolate(value, ctx.env, (message) => ctx.report(field, message));
};

/** A non-empty string, environment references replaced. */
export const readString: Read<string> = (ctx, value, field) => {
  const text = readAnyString(ctx, value, field);
  if (text === '') {
    ctx.report(field, 'expected a non-empty string, got ""');
    return undefined;
  }
  return text;
};

/** `true` or `false` (YAML booleans, not strings). */
export const readBoolean: Read<boolean> = (ctx, value, field) => {
  if (typeof value === 'boolean') return value;
  ctx.report(field, `expected true or false, got ${describe(value)}`);
  return undefined;
};

/** A string matching `pattern`; `expected` names the shape for the message. */
export function readMatching(pattern: RegExp, expected: string): Read<string> {
  return (ctx, value, field) => {
    const resolved = resolve(ctx, value, field);
    if (failed(resolved)) return undefined;
    if (typeof resolved === 'string' && pattern.test(resolved)) return resolved;
    ctx.report(field, `expected ${expected}, got ${describe(resolved)}`);
    return undefined;
  };
}

const FAILED = Symbol('interpolation failed');

/** One of `allowed`. */
export function readEnum<T extends string>(allowed: readonly T[]): Read<T> {
  return (ctx, value, field) => {
    const resolved = resolve(ctx, value, field);
    if (resolved === FAILED) return undefined;
    const found = allowed.find((candidate) => candidate === resolved);
    if (found !== undefined) return found;
    ctx.report(field, `expected one of ${allowed.join(', ')}, got ${describe(resolved)}`);
    return undefined;
  };
}

/** A positive duration, in milliseconds. */
export const readDuration: Read<number> = (ctx, value, field) => {
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
};


/** A scalar with environment references replaced when it is a string; `FAILED` once reported. */
export function resolve(ctx: Context, value: unknown, field: string): unknown {
  if (typeof value !== 'string') return value;
  return interpolate(value, ctx.env, (message) => ctx.report(field, message)) ?? FAILED;
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
export function readUniqueList<T>(read: Read<T>, nouns: ListNouns): Read<readonly T[]> {
  return (ctx, value, field) => {
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
  };
}

/** A mapping of strings to strings (header maps), values interpolated. */
export const readStringMap: Read<Readonly<Record<string, string>>> = (ctx, value, field) => {
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
};

/** A mapping of JSON values (claims, request bodies); every string inside is interpolated. */
export const readJsonMap: Read<Readonly<Record<string, unknown>>> = (ctx, value, field) => {
  const map = readMapping(ctx, value, field);
  if (map === undefined) return undefined;
  const out = readJson(ctx, map, field);
  return isMapping(out) ? out : undefined;
};

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
export function readUrl(protocols: readonly string[]): Read<string> {
  const expected = `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  return (ctx, value, field) => {
    const text = readAnyString(ctx, value, field);
    if (text === undefined) return undefined;
    const url = URL.parse(text);
    if (url !== null && protocols.includes(url.protocol) && url.host !== '') return text;
    ctx.report(field, `expected ${expected}, got ${describe(text)}`);
    return undefined;
  };
}

/** A file path relative to the config file's folder; `shown` for messages, `absolute` for use. */
export const readPath: Read<{ readonly shown: string; readonly absolute: string }> = (ctx, value, field) => {
  const text = readString(ctx, value, field);
  if (text === undefined) return undefined;
  const shown = isAbsolute(text) ? text : join(ctx.dir, text);
  return { shown, absolute: resolvePath(shown) };
};
