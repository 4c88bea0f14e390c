import type { ServiceConfig, TargetConfig, TlsConfig } from './types.ts';
import { isBypassHeader } from '../protocol/frames.ts';
import { authSchemaDefs, validateAuth } from './auth.ts';
import { BACKEND_LOGS_FIELDS, readBackendLogs } from './backend-logs.ts';
import { LABEL } from './check-common.ts';
import { checkSchemaDefs, readLabel, validateChecks, type CheckTypes } from './checks.ts';
import { describe, FILE_FIELD } from './errors.ts';
import { orReference, readBoolean, readMapping, readPath, readString, readStringMap, readUrl } from './fields.ts';
import { child, field, isMapping, objectSchema, reader, Section, type Context, type Fields, type JsonSchema, type Reader } from './section.ts';
import { WELCOME_FIELDS } from './walk.ts';

/** RFC 9110 §5.1 field name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const readHeaders: Reader<Readonly<Record<string, string>>> = reader((ctx, value, field) => {
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
}, {
  type: 'object',
  propertyNames: { pattern: HEADER_NAME.source, not: { pattern: '[Tt][Ee][Ss][Tt]|[Ee]2[Ee]' } },
  additionalProperties: { type: 'string' },
});

/** The fields of `tls`. */
export const TLS_FIELDS = {
  ca_file: field(reader(readPath, { type: ['string', 'null'] }), {
    default: null,
    description: 'PEM certificates to trust, relative to the config file; must exist when the config is loaded.',
  }),
  insecure_skip_verify: field(readBoolean, { default: false, description: 'Accept any server certificate. Never outside a lab.' }),
} as const satisfies Fields;

/** The fields of `service` (settings of `canary serve`; at most one file of a folder may have them). */
export const SERVICE_FIELDS = {
  admin_token: field(reader(readString, { type: ['string', 'null'] }), {
    description:
      'Bearer token for POST /checks/:name/run, usually ${CANARY_ADMIN_TOKEN}. The CANARY_ADMIN_TOKEN environment variable takes precedence; without either the endpoint is off.',
  }),
} as const satisfies Fields;

const readTls: Reader<TlsConfig> = reader((ctx, value, field) => {
  const map = readMapping(ctx, value, field);
  if (map === undefined) return undefined;
  const s = new Section(ctx, field, map, TLS_FIELDS);
  const caFile = s.optional('ca_file', null);
  const insecureSkipVerify = s.optional('insecure_skip_verify', false);
  if (caFile !== undefined && caFile !== null) {
    ctx.files.push({ field: s.field('ca_file'), ...caFile, kind: 'ca', algorithm: null });
  }
  if (caFile === undefined || insecureSkipVerify === undefined) return undefined;
  return { caFile: caFile?.absolute ?? null, insecureSkipVerify };
}, { $ref: '#/$defs/tls' });

const readService: Reader<ServiceConfig> = reader((ctx, value, field) => {
  const map = readMapping(ctx, value, field);
  if (map === undefined) return undefined;
  const s = new Section(ctx, field, map, SERVICE_FIELDS);
  const adminToken = s.optional('admin_token', null);
  if (adminToken === undefined) return undefined;
  return { adminToken: adminToken === '' ? null : adminToken };
}, objectSchema(SERVICE_FIELDS));

/** `checks` is read by `validateChecks` with the check types the caller hands in; declared here for the key list and the schema. */
const readChecksByType = reader<never>(() => undefined, { type: 'array', minItems: 1, items: { $ref: '#/$defs/check' } });

/** The fields of a target file's top-level mapping. */
export const TARGET_FIELDS = {
  target: field(readLabel, { required: true, description: 'Label value for this target, unique across the loaded files.' }),
  url: field(readUrl(['ws:', 'wss:']), { required: true, description: 'The chat socket: ws:// or wss://.' }),
  headers: field(readHeaders, {
    default: {},
    description:
      'Extra headers on the upgrade request. Names containing "test" or "e2e" are refused: they switch on the backend\'s signature-skipping test path.',
  }),
  tls: field(readTls),
  auth: field(reader(validateAuth, { $ref: '#/$defs/auth' })),
  checks: field(readChecksByType, {
    required: true,
    description: 'The checks run against this target; names unique in the file.',
  }),
  service: field(readService, { description: 'Settings of canary serve. At most one file of a folder may have this section.' }),
  backend_logs: field(readBackendLogs, {
    description: "The backend's Cloud Logging entries, read after a failed run and attached to it. Off when absent.",
  }),
} as const satisfies Fields;

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
export function validateTarget(ctx: Context, document: unknown, types: CheckTypes): ValidatedTarget {
  if (!isMapping(document)) {
    ctx.report(FILE_FIELD, `expected a mapping at the top level, got ${describe(document)}`);
    return { target: undefined, config: undefined };
  }
  const s = new Section(ctx, '', document, TARGET_FIELDS);
  const target = s.required('target');
  const url = s.required('url');
  const headers = s.optional('headers', {});
  const tls = s.optional('tls', { caFile: null, insecureSkipVerify: false });
  const auth = validateAuth(ctx, document['auth'], 'auth');
  const checks = validateChecks(ctx, document['checks'], 'checks', types, { auth });
  const service = s.has('service') ? s.optional('service', null) : null;
  const backendLogs = s.optional('backend_logs', null);
  if (
    target === undefined ||
    url === undefined ||
    headers === undefined ||
    tls === undefined ||
    auth === undefined ||
    checks === undefined ||
    backendLogs === undefined
  ) {
    return { target, config: undefined };
  }
  const config: TargetConfig = { file: ctx.file, target, url, headers, tls, auth, checks, ...(backendLogs === null ? {} : { backendLogs }) };
  return { target, config, service: service ?? undefined };
}

/**
 * The JSON Schema (draft 2020-12) of a target file, built from the field declarations the validator
 * reads with, so the two cannot drift. `checks/canary.schema.json` is this, written by `npm run schema`.
 *
 * @param types the check types, as the registry hands them to `loadConfig`
 */
export function targetSchema(types: CheckTypes): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'canary target',
    ...objectSchema(TARGET_FIELDS, {
      description:
        'One file = one target. Any string may use ${VAR} (must be set), ${VAR:-default} (when VAR is unset or empty); $${ is a literal ${.',
    }),
    $defs: {
      label: { type: 'string', pattern: orReference(LABEL.source.slice(1, -1)), description: 'A label value: [a-z0-9_-]+.' },
      duration: {
        type: 'string',
        pattern: orReference('(?=[0-9])([0-9]+(\\.[0-9]+)?h)?([0-9]+(\\.[0-9]+)?m(?!s))?([0-9]+(\\.[0-9]+)?s)?([0-9]+(\\.[0-9]+)?ms)?'),
        description:
          'A duration: <number><unit>, unit ms, s, m or h ("30s", "500ms", "1.5m"), or parts from the largest unit down ("1m30s", "1h30m"). A bare number is an error.',
      },
      tls: objectSchema(TLS_FIELDS),
      backend_logs: objectSchema(BACKEND_LOGS_FIELDS),
      ...authSchemaDefs(),
      ...checkSchemaDefs(types),
      welcome_matcher: objectSchema(WELCOME_FIELDS),
    },
  };
}

/** The schema file's text: two-space JSON and a final newline. */
export function schemaText(types: CheckTypes): string {
  return `${JSON.stringify(targetSchema(types), null, 2)}\n`;
}
