import type { AuthConfig, SendAs, SubprotocolForm, TokenPresentation } from './types.ts';
import {
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
} from './fields.ts';
import { absent, child, field, objectSchema, reader, rejectUnknownKeys, Section, type Context, type Fields, type JsonSchema } from './section.ts';
import { describe } from './errors.ts';

/** The `auth.type` values, in the order error messages list them. */
export const AUTH_TYPES = ['jwt', 'token_url', 'bearer', 'none'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** The default ways to present the token (protocol.md, "Authentication"): the Authorization header, a `jwt.` subprotocol. */
export const SEND_AS: readonly SendAs[] = ['header', 'subprotocol'];
/** Every way to present the token: also `?token=` on the URL (the third generation's query form). */
export const SEND_AS_VALUES: readonly SendAs[] = ['header', 'subprotocol', 'query'];
/** The Sec-WebSocket-Protocol forms of the token (protocol.md, "Third generation", authentication additions). */
export const SUBPROTOCOL_FORMS: readonly SubprotocolForm[] = ['browser', 'jwt', 'jwt-auth', 'bearer', 'staging-auth'];
/** A backend environment name as it goes into a subprotocol entry and a header: no dots, no spaces. */
const ENVIRONMENT = /^[A-Za-z0-9_-]+$/;
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

const readSendAs = readUniqueList(readEnum(SEND_AS_VALUES), {
  plural: `ways to send the token (${SEND_AS_VALUES.join(', ')})`,
  singular: 'value',
});
const readDotPath = readMatching(DOT_PATH, DOT_PATH_EXPECTED);

const TYPE = field(readEnum(AUTH_TYPES), { required: true });
const SEND_AS_FIELD = field(readSendAs, {
  default: SEND_AS,
  description:
    'How the token is sent: an Authorization: Bearer header, a Sec-WebSocket-Protocol entry (see subprotocol), and/or ?token= on the URL (third generation; the URL is never written anywhere).',
});
const ENVIRONMENT_FIELD = field(readMatching(ENVIRONMENT, 'an environment name like "staging"'), {
  description: 'The backend environment the token is for (third generation): X-Environment with header, &env= with query, jwt.<env>.<token> with subprotocol.',
});
const SUBPROTOCOL_FIELD = field(readEnum(SUBPROTOCOL_FORMS), {
  default: 'browser',
  description:
    'The Sec-WebSocket-Protocol form: browser ["jwt-auth", "jwt.<base64url token>"]; jwt, jwt-auth or bearer: <form>.[<env>.]<raw token>; staging-auth: staging-auth.<raw token>.',
});
const PRESENTATION_FIELDS = { send_as: SEND_AS_FIELD, environment: ENVIRONMENT_FIELD, subprotocol: SUBPROTOCOL_FIELD } as const;
const NULLABLE_STRING = reader(readString, { type: ['string', 'null'], minLength: 1 });

const JWT_FIELDS = {
  type: TYPE,
  secret: field(readString, { description: 'HS256 shared secret, usually ${SOME_SECRET}.' }),
  private_key_file: field(readPath, {
    description: 'PKCS#8 PEM private key, relative to the config file; must exist when the config is loaded.',
  }),
  algorithm: field(readEnum(JWT_ALGORITHMS), { description: 'HS256 with secret (the default); RS256 or ES256 with private_key_file.' }),
  issuer: field(NULLABLE_STRING, { default: null, description: 'iss claim.' }),
  audience: field(NULLABLE_STRING, { default: null, description: 'aud claim.' }),
  subject: field(readString, { default: 'canary', description: 'sub claim.' }),
  ttl: field(readDuration, { default: '10m', description: 'Token lifetime, whole seconds.' }),
  claims: field(reader(readJsonMap, { ...readJsonMap.schema, propertyNames: { not: { enum: Object.keys(RESERVED_CLAIMS) } } }), {
    default: {},
    description: 'Extra claims. iss, sub, aud, exp, iat, nbf and jti are set by the canary.',
  }),
  ...PRESENTATION_FIELDS,
} as const satisfies Fields;

const TOKEN_URL_FIELDS = {
  type: TYPE,
  url: field(readUrl(['http:', 'https:']), { required: true, description: 'The token endpoint: http:// or https://.' }),
  headers: field(readStringMap, { default: {}, description: 'Headers of the token request.' }),
  body: field(readJsonMap, { default: {}, description: 'JSON body of the POST.' }),
  token_field: field(readDotPath, { default: 'access_token', description: 'Dot path of the token in the answer.' }),
  expires_in_field: field(reader(readDotPath, { ...readDotPath.schema, type: ['string', 'null'] }), {
    default: 'expires_in',
    description: "Dot path of the lifetime in seconds; null to use the token's exp.",
  }),
  ...PRESENTATION_FIELDS,
} as const satisfies Fields;

const BEARER_FIELDS = {
  type: TYPE,
  token_env: field(readMatching(ENV_NAME, 'an environment variable name like "CANARY_TOKEN"'), {
    required: true,
    description: 'The NAME of the environment variable holding the token.',
  }),
  ...PRESENTATION_FIELDS,
} as const satisfies Fields;

const NONE_FIELDS = { type: TYPE } as const satisfies Fields;

/** The fields each auth type declares. */
export const AUTH_FIELDS = { jwt: JWT_FIELDS, token_url: TOKEN_URL_FIELDS, bearer: BEARER_FIELDS, none: NONE_FIELDS } as const;

/** The keys each auth type accepts (snake_case, as written in YAML). */
export const AUTH_KEYS: Readonly<Record<AuthType, readonly string[]>> = {
  jwt: Object.keys(JWT_FIELDS),
  token_url: Object.keys(TOKEN_URL_FIELDS),
  bearer: Object.keys(BEARER_FIELDS),
  none: Object.keys(NONE_FIELDS),
};

const AUTH_DESCRIPTIONS: Readonly<Record<AuthType, JsonSchema>> = {
  jwt: {
    description: 'The canary signs its own token: HS256 with secret, or RS256/ES256 with private_key_file.',
    oneOf: [
      { required: ['secret'], not: { required: ['private_key_file'] }, properties: { algorithm: { const: 'HS256' } } },
      { required: ['private_key_file', 'algorithm'], not: { required: ['secret'] }, properties: { algorithm: { enum: ['RS256', 'ES256'] } } },
    ],
  },
  token_url: { description: 'The canary POSTs a JSON body to a token endpoint and reads the token from the JSON answer.' },
  bearer: { description: 'A ready-made token read from an environment variable at run time.' },
  none: {},
};

/** The JSON Schema `$defs` of `auth`: one variant per auth type, `auth_<type>`. */
export function authSchemaDefs(): Record<string, JsonSchema> {
  const defs: Record<string, JsonSchema> = {
    auth: { description: 'How the canary authenticates. Absent means none.', oneOf: AUTH_TYPES.map((type) => ({ $ref: `#/$defs/auth_${type}` })) },
  };
  for (const type of AUTH_TYPES) {
    const { oneOf, ...extra } = AUTH_DESCRIPTIONS[type];
    const schema = objectSchema(AUTH_FIELDS[type], extra);
    const properties = { ...(schema['properties'] as JsonSchema), type: { const: type } };
    defs[`auth_${type}`] = { ...schema, properties, ...(oneOf === undefined ? {} : { oneOf }) };
  }
  return defs;
}

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
  switch (type) {
    case 'none':
      rejectUnknownKeys(ctx, map, AUTH_KEYS.none, field);
      return { type };
    case 'bearer':
      return bearer(new Section(ctx, field, map, BEARER_FIELDS));
    case 'jwt':
      return jwt(new Section(ctx, field, map, JWT_FIELDS));
    case 'token_url':
      return tokenUrl(new Section(ctx, field, map, TOKEN_URL_FIELDS));
  }
}

/**
 * Reads `send_as`, `environment` and `subprotocol`. The optional ones appear in the result only when
 * set, so a config without them reads as before. `subprotocol` without `subprotocol` in `send_as`
 * would be ignored silently: it is an error.
 */
function presentation(s: Section<typeof PRESENTATION_FIELDS>): TokenPresentation | undefined {
  const sendAs = s.optional('send_as', SEND_AS);
  const environment = s.optional('environment', null);
  const form = s.optional('subprotocol', null);
  if (sendAs === undefined || environment === undefined || form === undefined) return undefined;
  if (form !== null && !sendAs.includes('subprotocol')) {
    s.ctx.report(s.field('subprotocol'), `is used only with subprotocol in send_as, got send_as [${sendAs.join(', ')}]`);
    return undefined;
  }
  return { sendAs, ...(environment === null ? {} : { environment }), ...(form === null ? {} : { subprotocolForm: form }) };
}

function bearer(s: Section<typeof BEARER_FIELDS>): AuthConfig | undefined {
  const tokenEnv = s.required('token_env');
  const presented = presentation(s);
  if (tokenEnv === undefined || presented === undefined) return undefined;
  if (!s.ctx.env[tokenEnv]) s.ctx.report(s.field('token_env'), `environment variable ${tokenEnv} is not set: every run would fail token_error`, 'run');
  return { type: 'bearer', tokenEnv, ...presented };
}

function jwt(s: Section<typeof JWT_FIELDS>): AuthConfig | undefined {
  const { ctx } = s;
  const secret = s.optional('secret', null);
  const keyFile = s.optional('private_key_file', null);
  const algorithm = s.optional('algorithm', null);
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

  const issuer = s.optional('issuer', null);
  const audience = s.optional('audience', null);
  const subject = s.optional('subject', 'canary');
  const ttlMs = s.optional('ttl', DEFAULT_TTL_MS);
  if (ttlMs !== undefined && ttlMs % 1000 !== 0) {
    ctx.report(s.field('ttl'), `expected a whole number of seconds like "10m", got ${describe(s.map['ttl'])}`);
    ok = false;
  }
  const claims = s.optional('claims', {});
  for (const key of Object.keys(claims ?? {})) {
    const source = RESERVED_CLAIMS[key];
    if (source === undefined) continue;
    ctx.report(child(s.field('claims'), key), `is set from ${source}; remove it from claims`);
    ok = false;
  }
  const presented = presentation(s);
  if (
    !ok ||
    secret === undefined ||
    keyFile === undefined ||
    issuer === undefined ||
    audience === undefined ||
    subject === undefined ||
    ttlMs === undefined ||
    claims === undefined ||
    presented === undefined
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
    ...presented,
  };
}

function tokenUrl(s: Section<typeof TOKEN_URL_FIELDS>): AuthConfig | undefined {
  const url = s.required('url');
  const headers = s.optional('headers', {});
  const body = s.optional('body', {});
  const tokenField = s.optional('token_field', 'access_token');
  const expiresInField =
    s.map['expires_in_field'] === null
      ? null
      : s.optional('expires_in_field', 'expires_in');
  const presented = presentation(s);
  if (
    url === undefined ||
    headers === undefined ||
    body === undefined ||
    tokenField === undefined ||
    expiresInField === undefined ||
    presented === undefined
  ) {
    return undefined;
  }
  return { type: 'token_url', url, headers, body, tokenField, expiresInField, ...presented };
}
