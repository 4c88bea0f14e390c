import type { Reporter } from './errors.ts';

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

/** A JSON Schema (draft 2020-12) fragment. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A field reader: returns the value, or `undefined` after reporting why it is invalid. */
export type Read<T> = (ctx: Context, value: unknown, field: string) => T | undefined;

/** A field reader that also says, as JSON Schema, what it accepts as written in YAML. */
export type Reader<T> = Read<T> & { readonly schema: JsonSchema };

/** A reader that reads like `read` and is documented by `schema` (`read` itself is left as it is). */
export function reader<T>(read: Read<T>, schema: JsonSchema): Reader<T> {
  const wrapped: Read<T> = (ctx, value, field) => read(ctx, value, field);
  return Object.assign(wrapped, { schema });
}

/**
 * The one declaration of a mapping's field: how it is read (and so validated) and how the JSON
 * Schema documents it. `default` is shown as written in YAML; the validator applies its own.
 */
export interface Field<T> {
  readonly read: Reader<T>;
  readonly required?: boolean;
  readonly default?: unknown;
  readonly description?: string;
}

/** The declared fields of one mapping, in the order the JSON Schema lists them. */
export type Fields = Readonly<Record<string, Field<unknown>>>;

/** The value a declared field reads to. */
export type ValueOf<F> = F extends Field<infer T> ? T : never;

/** Declares a field read by `read`. */
export function field<T>(read: Reader<T>, doc: Omit<Field<T>, 'read'> = {}): Field<T> {
  return { read, ...doc };
}

/** The JSON Schema of a mapping holding exactly `fields`; `extra` adds keywords (description, not, oneOf). */
export function objectSchema(fields: Fields, extra: JsonSchema = {}): JsonSchema {
  const required = Object.keys(fields).filter((key) => fields[key]?.required === true);
  const properties: Record<string, JsonSchema> = {};
  for (const [key, f] of Object.entries(fields)) {
    properties[key] = {
      ...f.read.schema,
      ...(f.default === undefined ? {} : { default: f.default }),
      ...(f.description === undefined ? {} : { description: f.description }),
    };
  }
  return {
    type: 'object',
    additionalProperties: false,
    ...(required.length > 0 ? { required } : {}),
    ...extra,
    properties,
  };
}

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
 * One YAML mapping being validated against its declared `fields`: unknown keys are reported on
 * construction; each field is read by its declared reader. `optional` distinguishes "not set" (the
 * default) from "invalid" (`undefined`, already reported), so cross-field checks can skip values
 * that were wrong.
 */
export class Section<F extends Fields> {
  readonly ctx: Context;
  readonly path: string;
  readonly map: Mapping;
  readonly fields: F;

  constructor(ctx: Context, path: string, map: Mapping, fields: F) {
    this.ctx = ctx;
    this.path = path;
    this.map = map;
    this.fields = fields;
    rejectUnknownKeys(ctx, map, Object.keys(fields), path);
  }

  field(key: string): string {
    return child(this.path, key);
  }

  has(key: string): boolean {
    return !absent(this.map[key]);
  }

  required<K extends keyof F & string>(key: K): ValueOf<F[K]> | undefined {
    const value = this.map[key];
    if (absent(value)) {
      this.ctx.report(this.field(key), 'is required');
      return undefined;
    }
    return this.read(key, value);
  }

  optional<K extends keyof F & string, D>(key: K, fallback: D): ValueOf<F[K]> | D | undefined {
    const value = this.map[key];
    return absent(value) ? fallback : this.read(key, value);
  }

  private read<K extends keyof F & string>(key: K, value: unknown): ValueOf<F[K]> | undefined {
    const declared = this.fields[key] as Field<ValueOf<F[K]>>;
    return declared.read(this.ctx, value, this.field(key));
  }
}
