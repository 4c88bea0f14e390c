import { AUTH_PROBES, type AuthConfig, type AuthEnforcementCheck, type AuthProbe } from './types.ts';
import type { CheckScope, CommonCheck } from './check-common.ts';
import { item, readEnum, readUniqueList, Section } from './fields.ts';
import { GOLDEN_PATH_KEYS, validateWalk } from './golden-path.ts';

/** Keys of an auth_enforcement check: the walk settings plus `probes`. */
export const AUTH_ENFORCEMENT_KEYS: readonly string[] = [...GOLDEN_PATH_KEYS, 'probes'];

/**
 * Probes whose forged token is the target's own token with one thing wrong, so the canary must
 * sign it with the target's key: only possible with `auth.type: jwt`.
 */
export const KEYED_PROBES: ReadonlySet<AuthProbe> = new Set<AuthProbe>(['expired', 'wrong_issuer', 'wrong_token_type']);

const readProbes = readUniqueList(readEnum(AUTH_PROBES), { plural: `probes (${AUTH_PROBES.join(', ')})`, singular: 'probe' });

/** The probes a target's auth allows, in {@link AUTH_PROBES} order: every probe with `jwt`, else those that need no key. */
export function defaultProbes(auth: AuthConfig): readonly AuthProbe[] {
  return AUTH_PROBES.filter((probe) => auth.type === 'jwt' || !KEYED_PROBES.has(probe));
}

/**
 * Validates an auth_enforcement check: the walk settings and `probes` (default: every probe the
 * target's auth allows). A probe that needs the key is refused unless `auth.type` is `jwt`.
 */
export function validateAuthEnforcement(s: Section, common: CommonCheck, scope: CheckScope): AuthEnforcementCheck | undefined {
  const walk = validateWalk(s, common);
  let probes = s.optional('probes', readProbes, null);
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
}
