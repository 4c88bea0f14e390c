import type { CheckType } from '../../config/checks.ts';
import { describe } from '../../config/errors.ts';
import { readString, readUniqueList } from '../../config/fields.ts';
import { field, reader, type Fields, type Reader } from '../../config/section.ts';
import type { AuthConfig } from '../../config/types.ts';
import { WALK_FIELDS, validateWalk } from '../../config/walk.ts';

/** The subjects used when the target's auth is not known (it was invalid, and reported). */
export const FALLBACK_SUBJECTS: readonly [string, string] = ['canary-isolation-a', 'canary-isolation-b'];

const readSubjectList = readUniqueList(readString, { plural: 'subjects', singular: 'subject' });

const readSubjects: Reader<readonly [string, string]> = reader((ctx, value, field) => {
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
}, { ...readSubjectList.schema, minItems: 2, maxItems: 2 });

const FIELDS = {
  ...WALK_FIELDS,
  subjects: field(readSubjects, { description: 'The sub claims of identities a and b; default [<auth.subject>-a, <auth.subject>-b].' }),
} as const satisfies Fields;

/**
 * The default subjects: the target's `auth.subject` with `-a` and `-b`, or
 * {@link FALLBACK_SUBJECTS} when the auth is not a valid jwt.
 */
export function defaultSubjects(auth: AuthConfig | undefined): readonly [string, string] {
  return auth?.type === 'jwt' ? [`${auth.subject}-a`, `${auth.subject}-b`] : FALLBACK_SUBJECTS;
}

/**
 * user_isolation: the walk settings and `subjects`. Each identity's token is minted with its own
 * `sub`, so the target's `auth.type` must be `jwt` (not checked when the auth itself was invalid:
 * already reported).
 */
export const USER_ISOLATION_CONFIG: CheckType<typeof FIELDS> = {
  fields: FIELDS,
  description:
    "Two identities (tokens with their own sub, threads of their own) walk the golden path at once; each connection must receive only its own run's, thread's and user's events. Needs auth.type jwt.",
  validate(s, common, scope) {
    const { auth } = scope;
    const walk = validateWalk(s, common);
    const subjects = s.optional('subjects', defaultSubjects(auth));
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
  },
};
