import type { AuthConfig, SendAs } from './types.ts';
import {
  absent,
  child,
  readDuration,
  readEnum,
  readJsonMap,
  readMapping,
  readMatching,
  readPath,
  readString,
  readStringMap,
  readUniqueList,
  readUrl,
  Section,
  type Context,
} from './fields.ts';
import { describe } from './errors.ts';

/** The `auth.type` values, in the order error messages list them. */
export const AUTH_TYPES = ['jwt', 'token_url', 'bearer', 'none'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** The keys each auth type accepts (snake_case, as written in YAML). */
export const AUTH_KEYS: Readonly<Record<AuthType, readonly string[]>> = {
  jwt: ['type', 'secret', 'private_key_file', 'algorithm', 'issuer', 'audience', 'subject', 'ttl', 'claims', 'send_as'],
  token_url: ['type', 'url', 'headers', 'body', 'token_field', 'expires_in_field', 'send_as'],
  bearer: ['type', 'token_env', 'send_as'],
  none: ['type'],
};

/** Ways to present the token (protocol.md, "Authentication"): the Authorization header, a `jwt.` subprotocol. */
export const SEND_AS: readonly SendAs[] = ['header', 'subprotocol'];
/** JWS algorithms the canary signs with: HS256 with a shared secret, RS256/ES256 with a private key. */
export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
/** Claims the canary sets itself, and where each comes from. */
const RESERVED_CLAIMS: Readonly<Record<string, string>> = {
  iss: 'auth.issuer',
  sub: 'auth.subject',
  aud: 'auth.audience',
  exp: 'auth.ttl',
  iat: 'the signing time',
  nbf: 'the signing time',
  jti: 'a fresh id per token',
};

const DEFAULT_TTL_MS = 10 * 60_000;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOT_PATH = /^[^.\s]+(\.[^.\s]+)*$/;
const DOT_PATH_EXPECTED = 'a dot path like "access_token" or "data.token"';

const readSendAs = readUniqueList(readEnum(SEND_AS), {
  plural: `ways to send the token (${SEND_AS.join(', ')})`,
  singular: 'value',
});

/**
 * Validates the `auth` mapping of a target. Absent means `{ type: 'none' }`.
 *
 * @returns the auth config, or `undefined` when something was reported
 */
export function validateAuth(ctx: Context, value: unknown, field: string): AuthConfig | undefined {
  if (absent(value)) return { type: 'none' };
  const map = readMapping(ctx, value, field);
  if (map === undefined) return undefined;
  const typeField = `${field}.type`;
  if (absent(map['type'])) {
    ctx.report(typeField, 'is required');
    return undefined;
  }
  const type = readEnum(AUTH_TYPES)(ctx, map['type'], typeField);
  if (type === undefined) return undefined;
  const section = new Section(ctx, field, map, AUTH_KEYS[type]);
  switch (type) {
    case 'none':
      return { type };
    case 'bearer':
      return bearer(section);
    case 'jwt':
      return jwt(section);
    case 'token_url':
      return tokenUrl(section);
  }
}

function bearer(s: Section): AuthConfig | undefined {
  const tokenEnv = s.required('token_env', readMatching(ENV_NAME, 'an environment variable name like "CANARY_TOKEN"'));
  const sendAs = s.optional('send_as', readSendAs, SEND_AS);
  if (tokenEnv === undefined || sendAs === undefined) return undefined;
  return { type: 'bearer', tokenEnv, sendAs };
}

function jwt(s: Section): AuthConfig | undefined {
  const { ctx } = s;
  const secret = s.optional('secret', readString, null);
  const keyFile = s.optional('private_key_file', readPath, null);
  const algorithm = s.optional('algorithm', readEnum(JWT_ALGORITHMS), null);
  const hasSecret = s.has('secret');
  const hasKey = s.has('private_key_file');
  let ok = secret !== undefined && keyFile !== undefined && algorithm !== undefined;
  if (hasSecret === hasKey) {
    const found = hasSecret ? 'both' : 'neither';
    ctx.report(s.path, `expected secret (HS256) or private_key_file (RS256 or ES256), got ${found}`);
    ok = false;
  } else if (hasSecret && algorithm !== undefined && algorithm !== null && algorithm !== 'HS256') {
    ctx.report(s.field('algorithm'), `expected HS256 with secret, got "${algorithm}"`);
    ok = false;
  } else if (hasKey && algorithm === null) {
    ctx.report(s.field('algorithm'), 'is required with private_key_file (RS256 or ES256)');
    ok = false;
  } else if (hasKey && algorithm === 'HS256') {
    ctx.report(s.field('algorithm'), 'expected RS256 or ES256 with private_key_file, got "HS256"');
    ok = false;
  }
  if (keyFile !== undefined && keyFile !== null) {
    const keyAlgorithm = algorithm === 'RS256' || algorithm === 'ES256' ? algorithm : null;
    ctx.files.push({ field: s.field('private_key_file'), ...keyFile, kind: 'private_key', algorithm: keyAlgorithm });
  }

  const issuer = s.optional('issuer', readString, null);
  const audience = s.optional('audience', readString, null);
  const subject = s.optional('subject', readString, 'canary');
  const ttlMs = s.optional('ttl', readDuration, DEFAULT_TTL_MS);
  if (ttlMs !== undefined && ttlMs % 1000 !== 0) {
    ctx.report(s.field('ttl'), `expected a whole number of seconds like "10m", got ${describe(s.map['ttl'])}`);
    ok = false;
  }
  const claims = s.optional('claims', readJsonMap, {});
  for (const key of Object.keys(claims ?? {})) {
    const source = RESERVED_CLAIMS[key];
    if (source === undefined) continue;
    ctx.report(child(s.field('claims'), key), `is set from ${source}; remove it from claims`);
    ok = false;
  }
  const sendAs = s.optional('send_as', readSendAs, SEND_AS);
  if (
    !ok ||
    secret === undefined ||
    keyFile === undefined ||
    issuer === undefined ||
    audience === undefined ||
    subject === undefined ||
    ttlMs === undefined ||
    claims === undefined ||
    sendAs === undefined
  ) {
    return undefined;
  }
  return {
    type: 'jwt',
    algorithm: algorithm ?? 'HS256',
    secret,
    privateKeyFile: keyFile?.absolute ?? null,
    issuer,
    audience,
    subject,
    ttlSeconds: ttlMs / 1000,
    claims,
    sendAs,
  };
}

function tokenUrl(s: Section): AuthConfig | undefined {
  const url = s.required('url', readUrl(['http:', 'https:']));
  const headers = s.optional('headers', readStringMap, {});
  const body = s.optional('body', readJsonMap, {});
  const tokenField = s.optional('token_field', readMatching(DOT_PATH, DOT_PATH_EXPECTED), 'access_token');
  const expiresInField =
    s.map['expires_in_field'] === null
      ? null
      : s.optional('expires_in_field', readMatching(DOT_PATH, DOT_PATH_EXPECTED), 'expires_in');
  const sendAs = s.optional('send_as', readSendAs, SEND_AS);
  if (
    url === undefined ||
    headers === undefined ||
    body === undefined ||
    tokenField === undefined ||
    expiresInField === undefined ||
    sendAs === undefined
  ) {
    return undefined;
  }
  return { type: 'token_url', url, headers, body, tokenField, expiresInField, sendAs };
}
