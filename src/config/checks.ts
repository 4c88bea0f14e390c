import type { CheckConfig } from './types.ts';
import { COMMON_CHECK_SCHEMA, readCommon, readLabel, type CheckScope, type CommonCheck } from './check-common.ts';
import { readEnum, readMapping } from './fields.ts';
import { absent, item, objectSchema, Section, type Context, type Fields, type JsonSchema } from './section.ts';
import { describe } from './errors.ts';
import type { WALK_FIELDS } from './walk.ts';

export { LABEL, readLabel } from './check-common.ts';

/**
 * How one check type's config is read: its declared fields (every check type walks the golden path,
 * so they extend {@link WALK_FIELDS}), a line for the JSON Schema, and the validator that turns a
 * section (unknown keys already reported) into the type's config. Each check type declares one in
 * `src/checks/<type>/config.ts`; the checks registry hands them to `loadConfig`.
 */
export interface CheckType<F extends typeof WALK_FIELDS = typeof WALK_FIELDS> {
  readonly fields: F;
  /** What the check does, for the JSON Schema. */
  readonly description: string;
  validate(section: Section<F>, common: CommonCheck, scope: CheckScope): CheckConfig | undefined;
}

/** The check types by their YAML `type`, in the order messages and the JSON Schema list them. */
export type CheckTypes = Readonly<Record<string, CheckType>>;

/** Validates a target's `checks` list: required, non-empty, names unique within the file. */
export function validateChecks(
  ctx: Context,
  value: unknown,
  field: string,
  types: CheckTypes,
  scope: CheckScope = { auth: undefined },
): readonly CheckConfig[] | undefined {
  if (absent(value)) {
    ctx.report(field, 'is required');
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) {
    ctx.report(field, `expected a non-empty list of checks, got ${describe(value)}`);
    return undefined;
  }
  const out: CheckConfig[] = [];
  const names = new Map<string, string>();
  value.forEach((entry: unknown, i) => {
    const path = item(field, i);
    const check = validateCheck(ctx, entry, path, types, scope);
    if (check.name !== undefined) {
      const first = names.get(check.name);
      if (first === undefined) names.set(check.name, path);
      else ctx.report(`${path}.name`, `duplicate check name "${check.name}" (also ${first})`);
    }
    if (check.config !== undefined) out.push(check.config);
  });
  return out.length === value.length ? out : undefined;
}

function validateCheck(
  ctx: Context,
  value: unknown,
  path: string,
  types: CheckTypes,
  scope: CheckScope,
): { readonly name: string | undefined; readonly config: CheckConfig | undefined } {
  const map = readMapping(ctx, value, path);
  if (map === undefined) return { name: undefined, config: undefined };
  const name = absent(map['name']) ? report(ctx, `${path}.name`) : readLabel(ctx, map['name'], `${path}.name`);
  const type = absent(map['type']) ? report(ctx, `${path}.type`) : readEnum(Object.keys(types))(ctx, map['type'], `${path}.type`);
  const checkType = type === undefined ? undefined : types[type];
  if (checkType === undefined) return { name, config: undefined };
  const section = new Section(ctx, path, map, checkType.fields);
  const config = checkType.validate(section, readCommon(section, name), scope);
  return { name, config };
}

function report(ctx: Context, field: string): undefined {
  ctx.report(field, 'is required');
  return undefined;
}

/** The JSON Schema `$defs` of checks: `check` (one variant per type) and `check_<type>`. */
export function checkSchemaDefs(types: CheckTypes): Record<string, JsonSchema> {
  const defs: Record<string, JsonSchema> = {
    check: { oneOf: Object.keys(types).map((type) => ({ $ref: `#/$defs/check_${type}` })) },
  };
  for (const [type, checkType] of Object.entries(types)) {
    const fields: Fields = checkType.fields;
    const schema = objectSchema(fields, { ...COMMON_CHECK_SCHEMA, description: checkType.description });
    defs[`check_${type}`] = { ...schema, properties: { ...(schema['properties'] as JsonSchema), type: { const: type } } };
  }
  return defs;
}
