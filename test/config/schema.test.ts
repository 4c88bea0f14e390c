import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CHECK_CONFIGS as CHECK_TYPES } from '../../src/checks/registry.ts';
import { AUTH_KEYS, AUTH_TYPES } from '../../src/config/auth.ts';
import { BACKEND_LOGS_FIELDS } from '../../src/config/backend-logs.ts';
import { schemaText, TARGET_FIELDS, TLS_FIELDS } from '../../src/config/validate.ts';
import { WELCOME_FIELDS } from '../../src/config/walk.ts';

const TARGET_KEYS = Object.keys(TARGET_FIELDS);
const TLS_KEYS = Object.keys(TLS_FIELDS);
const WELCOME_KEYS = Object.keys(WELCOME_FIELDS);
const CHECK_KEYS = Object.fromEntries(Object.entries(CHECK_TYPES).map(([type, checkType]) => [type, Object.keys(checkType.fields)]));

const SCHEMA_URL = new URL('../../checks/canary.schema.json', import.meta.url);

interface ObjectSchema {
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly additionalProperties?: unknown;
  readonly oneOf?: readonly { readonly $ref?: string }[];
}

interface Schema extends ObjectSchema {
  readonly $schema: string;
  readonly $defs: Readonly<Record<string, ObjectSchema>>;
}

async function loadSchema(): Promise<Schema> {
  return JSON.parse(await readFile(SCHEMA_URL, 'utf8')) as Schema;
}

function keysOf(schema: ObjectSchema | undefined): string[] {
  assert.ok(schema !== undefined, 'schema object is missing');
  assert.equal(schema.additionalProperties, false);
  return Object.keys(schema.properties ?? {}).sort();
}

test('the JSON schema is draft 2020-12', async () => {
  assert.equal((await loadSchema()).$schema, 'https://json-schema.org/draft/2020-12/schema');
});

test('the JSON schema top level accepts exactly the validator keys', async () => {
  const schema = await loadSchema();
  assert.deepEqual(keysOf(schema), [...TARGET_KEYS].sort());
  assert.deepEqual(keysOf(schema.$defs['tls']), [...TLS_KEYS].sort());
  assert.deepEqual(keysOf(schema.$defs['backend_logs']), [...Object.keys(BACKEND_LOGS_FIELDS)].sort());
});

test('the JSON schema has one auth variant per auth type, with exactly the validator keys', async () => {
  const schema = await loadSchema();
  assert.deepEqual(
    schema.$defs['auth']?.oneOf?.map((variant) => variant.$ref),
    AUTH_TYPES.map((type) => `#/$defs/auth_${type}`),
  );
  for (const type of AUTH_TYPES) {
    assert.deepEqual(keysOf(schema.$defs[`auth_${type}`]), [...AUTH_KEYS[type]].sort(), type);
  }
});

test('the JSON schema has one check variant per check type, with exactly the validator keys', async () => {
  const schema = await loadSchema();
  const types = Object.keys(CHECK_TYPES);
  assert.deepEqual(
    schema.$defs['check']?.oneOf?.map((variant) => variant.$ref),
    types.map((type) => `#/$defs/check_${type}`),
  );
  for (const type of types) {
    assert.deepEqual(keysOf(schema.$defs[`check_${type}`]), [...(CHECK_KEYS[type] ?? [])].sort(), type);
  }
  assert.deepEqual(keysOf(schema.$defs['welcome_matcher']), [...WELCOME_KEYS].sort());
});

test('checks/canary.schema.json is the schema generated from the field declarations (npm run schema)', async () => {
  assert.equal(await readFile(SCHEMA_URL, 'utf8'), schemaText(CHECK_TYPES));
});
