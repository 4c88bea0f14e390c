import type { AuthConfig, UserIsolationCheck } from './types.ts';
import type { CheckScope, CommonCheck } from './check-common.ts';
import { describe } from './errors.ts';
import { readString, readUniqueList, type Read, type Section } from './fields.ts';
import { GOLDEN_PATH_KEYS, validateWalk } from './golden-path.ts';

/** Keys of a user_isolation check: the walk settings plus `subjects`. */
export const USER_ISOLATION_KEYS: readonly string[] = [...GOLDEN_PATH_KEYS, 'subjects'];

/** The subjects used when the target's auth is not known (it was invalid, and reported). */
export const FALLBACK_SUBJECTS: readonly [string, string] = ['canary-isolation-a', 'canary-isolation-b'];

const readSubjectList = readUniqueList(readString, { plural: 'subjects', singular: 'subject' });

const readSubjects: Read<readonly [string, string]> = (ctx, value, field) => {
  if (!Array.isArray(value)) {
    ctx.report(field, `expected a list of two distinct subjects like [canary-a, canary-b], got ${describe(value)}`);
    return undefined;
  }
  if (value.length !== 2) {
    ctx.report(field, `expected two distinct subjects, got ${value.length}`);
    return undefined;
  }
  const list = readSubjectList(ctx, value, field);
  const [a, b] = list ?? [];
  return a === undefined || b === undefined ? undefined : [a, b];
};

/**
 * The default subjects: the target's `auth.subject` with `-a` and `-b`, or
 * {@link FALLBACK_SUBJECTS} when the auth is not a valid jwt.
 */
export function defaultSubjects(auth: AuthConfig | undefined): readonly [string, string] {
  return auth?.type === 'jwt' ? [`${auth.subject}-a`, `${auth.subject}-b`] : FALLBACK_SUBJECTS;
}

/**
 * Validates a user_isolation check. Each identity's token is minted with its own `sub`, so the
 * target's `auth.type` must be `jwt` (not checked when the auth itself was invalid: already reported).
 */
export function validateUserIsolation(s: Section, common: CommonCheck, scope: CheckScope): UserIsolationCheck | undefined {
  const { auth } = scope;
  const walk = validateWalk(s, common);
  const subjects = s.optional('subjects', readSubjects, defaultSubjects(auth));
  let authOk = true;
  if (auth !== undefined && auth.type !== 'jwt') {
    s.ctx.report(
      s.field('type'),
      `expected auth.type jwt for user_isolation (each identity's token is minted with its own sub), got ${describe(auth.type)}`,
    );
    authOk = false;
  }
  if (walk === undefined || subjects === undefined || !authOk) return undefined;
  return { ...walk, type: 'user_isolation', subjects };
}
