import type { ServiceConfig, TargetConfig, TlsConfig } from './types.ts';
import { isBypassHeader } from '../protocol/frames.ts';
import { AUTH_KEYS, validateAuth } from './auth.ts';
import { CHECK_KEYS, readLabel, validateChecks } from './checks.ts';
import { describe, FILE_FIELD } from './errors.ts';
import { WELCOME_KEYS } from './golden-path.ts';
import {
  child,
  isMapping,
  readBoolean,
  readMapping,
  readPath,
  readString,
  readStringMap,
  readUrl,
  Section,
  type Context,
  type Read,
} from './fields.ts';

export { AUTH_KEYS, CHECK_KEYS, WELCOME_KEYS };

/** Keys of a target file's top-level mapping. */
export const TARGET_KEYS = ['target', 'url', 'headers', 'tls', 'auth', 'checks', 'service'] as const;
/** Keys of `tls`. */
export const TLS_KEYS = ['ca_file', 'insecure_skip_verify'] as const;
/** Keys of `service` (settings of `canary serve`; at most one file of a folder may have them). */
export const SERVICE_KEYS = ['admin_token'] as const;

/** RFC 9110 §5.1 field name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const readHeaders: Read<Readonly<Record<string, string>>> = (ctx, value, field) => {
  const headers = readStringMap(ctx, value, field);
  if (headers === undefined) return undefined;
  let ok = true;
  for (const [name, text] of Object.entries(headers)) {
    const at = child(field, name);
    if (!HEADER_NAME.test(name)) {
      ctx.report(at, `expected an HTTP header name, got ${describe(name)}`);
      ok = false;
    } else if (isBypassHeader(name)) {
      ctx.report(at, 'is not allowed: headers naming "test" or "e2e" make the backend skip token checks');
      ok = false;
    } else if (/[\r\n\0]/.test(text)) {
      ctx.report(at, 'expected a header value without line breaks');
      ok = false;
    }
  }
  return ok ? headers : undefined;
};

const readTls: Read<TlsConfig> = (ctx, value, field) => {
  const map = readMapping(ctx, value, field);
  if (map === undefined) return undefined;
  const s = new Section(ctx, field, map, TLS_KEYS);
  const caFile = s.optional('ca_file', readPath, null);
  const insecureSkipVerify = s.optional('insecure_skip_verify', readBoolean, false);
  if (caFile !== undefined && caFile !== null) {
    ctx.files.push({ field: s.field('ca_file'), ...caFile, kind: 'ca', algorithm: null });
  }
  if (caFile === undefined || insecureSkipVerify === undefined) return undefined;
  return { caFile: caFile?.absolute ?? null, insecureSkipVerify };
};

const readService: Read<ServiceConfig> = (ctx, value, field) => {
  const map = readMapping(ctx, value, field);
  if (map === undefined) return undefined;
  const s = new Section(ctx, field, map, SERVICE_KEYS);
  const adminToken = s.optional('admin_token', readString, null);
  if (adminToken === undefined) return undefined;
  return { adminToken: adminToken === '' ? null : adminToken };
};

/** What `validateTarget` found: the target name (for cross-file checks) even when the rest is invalid. */
export interface ValidatedTarget {
  readonly target: string | undefined;
  readonly config: TargetConfig | undefined;
  /** The file's `service` section, when it has one. */
  readonly service?: ServiceConfig | undefined;
}

/**
 * Validates one parsed file (one target). Every problem goes to `ctx`; files the config names are
 * added to `ctx.files` for the caller to check on disk.
 */
export function validateTarget(ctx: Context, document: unknown): ValidatedTarget {
  if (!isMapping(document)) {
    ctx.report(FILE_FIELD, `expected a mapping at the top level, got ${describe(document)}`);
    return { target: undefined, config: undefined };
  }
  const s = new Section(ctx, '', document, TARGET_KEYS);
  const target = s.required('target', readLabel);
  const url = s.required('url', readUrl(['ws:', 'wss:']));
  const headers = s.optional('headers', readHeaders, {});
  const tls = s.optional('tls', readTls, { caFile: null, insecureSkipVerify: false });
  const auth = validateAuth(ctx, document['auth'], 'auth');
  const checks = validateChecks(ctx, document['checks'], 'checks', { auth });
  const service = s.has('service') ? s.optional('service', readService, null) : null;
  if (
    target === undefined ||
    url === undefined ||
    headers === undefined ||
    tls === undefined ||
    auth === undefined ||
    checks === undefined
  ) {
    return { target, config: undefined };
  }
  return { target, config: { file: ctx.file, target, url, headers, tls, auth, checks }, service: service ?? undefined };
}
