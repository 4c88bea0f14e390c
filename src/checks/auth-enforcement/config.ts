import type { CheckType } from '../../config/checks.ts';
import { readEnum, readUniqueList } from '../../config/fields.ts';
import { field, item, type Fields } from '../../config/section.ts';
import { AUTH_PROBES, type AuthConfig, type AuthProbe } from '../../config/types.ts';
import { WALK_FIELDS, validateWalk } from '../../config/walk.ts';

/**
 * Probes whose forged token is the target's own token with one thing wrong, so the canary must
 * sign it with the target's key: only possible with `auth.type: jwt`.
 */
export const KEYED_PROBES: ReadonlySet<AuthProbe> = new Set<AuthProbe>(['expired', 'wrong_issuer', 'wrong_token_type']);

const readProbes = readUniqueList(readEnum(AUTH_PROBES), { plural: `probes (${AUTH_PROBES.join(', ')})`, singular: 'probe' });

const FIELDS = {
  ...WALK_FIELDS,
  probes: field(readProbes, {
    description: 'The probes to run; default every probe the auth type allows. expired, wrong_issuer and wrong_token_type need auth.type jwt.',
  }),
} as const satisfies Fields;

/** The probes a target's auth allows, in {@link AUTH_PROBES} order: every probe with `jwt`, else those that need no key. */
export function defaultProbes(auth: AuthConfig): readonly AuthProbe[] {
  return AUTH_PROBES.filter((probe) => auth.type === 'jwt' || !KEYED_PROBES.has(probe));
}

/**
 * auth_enforcement: the walk settings and `probes` (default: every probe the target's auth
 * allows). A probe that needs the key is refused unless `auth.type` is `jwt`.
 */
export const AUTH_ENFORCEMENT_CONFIG: CheckType<typeof FIELDS> = {
  fields: FIELDS,
  description:
    'Security canary: each probe tries to connect without a valid token; the backend must refuse every one before the welcome.',
  validate(s, common, scope) {
    const walk = validateWalk(s, common);
    let probes = s.optional('probes', null);
    const auth = scope.auth;
    if (probes !== undefined && probes !== null && auth !== undefined && auth.type !== 'jwt') {
      let ok = true;
      probes.forEach((probe, i) => {
        if (!KEYED_PROBES.has(probe)) return;
        s.ctx.report(item(s.field('probes'), i), `"${probe}" needs auth.type jwt (the canary signs the forged tokens with its key)`);
        ok = false;
      });
      if (!ok) probes = undefined;
    }
    if (walk === undefined || probes === undefined) return undefined;
    return { ...walk, type: 'auth_enforcement', probes: probes ?? defaultProbes(auth ?? { type: 'none' }) };
  },
};
