import { authSchemaDefs } from './auth.ts';
import { LABEL } from './check-common.ts';
import { checkSchemaDefs, type CheckTypes } from './checks.ts';
import { orReference } from './fields.ts';
import { objectSchema, type JsonSchema } from './section.ts';
import { TARGET_FIELDS, TLS_FIELDS } from './validate.ts';
import { WELCOME_FIELDS } from './walk.ts';

/**
 * The JSON Schema (draft 2020-12) of a target file, built from the field declarations the validator
 * reads with, so the two cannot drift. `checks/canary.schema.json` is this, written by `npm run schema`.
 *
 * @param types the check types, as the registry hands them to `loadConfig`
 */
export function buildSchema(types: CheckTypes): JsonSchema {
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
        pattern: orReference('[0-9]+(\\.[0-9]+)?(ms|s|m|h)'),
        description: 'A duration: <number><unit>, unit ms, s, m or h ("30s", "500ms", "1.5m"). A bare number is an error.',
      },
      tls: objectSchema(TLS_FIELDS),
      ...authSchemaDefs(),
      ...checkSchemaDefs(types),
      welcome_matcher: objectSchema(WELCOME_FIELDS),
    },
  };
}

/** The schema file's text: two-space JSON and a final newline. */
export function schemaText(types: CheckTypes): string {
  return `${JSON.stringify(buildSchema(types), null, 2)}\n`;
}
