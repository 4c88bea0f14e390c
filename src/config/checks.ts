import type { CheckConfig } from './types.ts';
import { readCommon, type CheckScope, type CommonCheck } from './check-common.ts';
import { absent, item, readEnum, readMapping, readMatching, Section, type Context } from './fields.ts';
import { describe } from './errors.ts';
import { GOLDEN_PATH_KEYS, validateGoldenPath } from './golden-path.ts';
import { USER_ISOLATION_KEYS, validateUserIsolation } from './user-isolation.ts';
import { DEPENDENCY_HEALTH_KEYS, validateDependencyHealth } from './dependency-health.ts';
import { HANDSHAKE_STORM_KEYS, validateHandshakeStorm } from './handshake-storm.ts';
import { AUTH_ENFORCEMENT_KEYS, validateAuthEnforcement } from './auth-enforcement.ts';
import { INPUT_HYGIENE_KEYS, validateInputHygiene } from './input-hygiene.ts';
import { MESSAGE_BURST_KEYS, validateMessageBurst } from './message-burst.ts';

/** How one check type is validated. Adding a check type is one entry in `CHECK_TYPES`. */
export interface CheckType {
  /** Every key the type accepts, common ones included (snake_case, as written in YAML). */
  readonly keys: readonly string[];
  readonly validate: (section: Section, common: CommonCheck, scope: CheckScope) => CheckConfig | undefined;
}

/** The check types, by their YAML `type`. */
export const CHECK_TYPES = {
  golden_path: { keys: GOLDEN_PATH_KEYS, validate: validateGoldenPath },
  handshake_storm: { keys: HANDSHAKE_STORM_KEYS, validate: validateHandshakeStorm },
  auth_enforcement: { keys: AUTH_ENFORCEMENT_KEYS, validate: validateAuthEnforcement },
  user_isolation: { keys: USER_ISOLATION_KEYS, validate: validateUserIsolation },
  dependency_health: { keys: DEPENDENCY_HEALTH_KEYS, validate: validateDependencyHealth },
  input_hygiene: { keys: INPUT_HYGIENE_KEYS, validate: validateInputHygiene },
  message_burst: { keys: MESSAGE_BURST_KEYS, validate: validateMessageBurst },
} as const satisfies Readonly<Record<string, CheckType>>;

export type CheckTypeName = keyof typeof CHECK_TYPES;

const TYPE_NAMES = Object.keys(CHECK_TYPES) as CheckTypeName[];

/** The keys each check type accepts. */
export const CHECK_KEYS: Readonly<Record<CheckTypeName, readonly string[]>> = Object.fromEntries(
  TYPE_NAMES.map((name) => [name, CHECK_TYPES[name].keys]),
) as Record<CheckTypeName, readonly string[]>;

/** Label values: check names and target names. */
export const LABEL = /^[a-z0-9_-]+$/;
export const readLabel = readMatching(LABEL, 'a label value matching [a-z0-9_-]+');

/** Validates a target's `checks` list: required, non-empty, names unique within the file. */
export function validateChecks(
  ctx: Context,
  value: unknown,
  field: string,
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
    const check = validateCheck(ctx, entry, path, scope);
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
  scope: CheckScope,
): { readonly name: string | undefined; readonly config: CheckConfig | undefined } {
  const map = readMapping(ctx, value, path);
  if (map === undefined) return { name: undefined, config: undefined };
  const name = absent(map['name']) ? report(ctx, `${path}.name`) : readLabel(ctx, map['name'], `${path}.name`);
  const type = absent(map['type']) ? report(ctx, `${path}.type`) : readEnum(TYPE_NAMES)(ctx, map['type'], `${path}.type`);
  if (type === undefined) return { name, config: undefined };
  const checkType: CheckType = CHECK_TYPES[type];
  const section = new Section(ctx, path, map, checkType.keys);
  const config = checkType.validate(section, readCommon(section, name), scope);
  return { name, config };
}

function report(ctx: Context, field: string): undefined {
  ctx.report(field, 'is required');
  return undefined;
}
