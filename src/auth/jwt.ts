import { randomUUID } from 'node:crypto';
import type { CryptoKey, JWTPayload } from 'jose';
import { SignJWT } from 'jose/jwt/sign';
import { importSigningKey, type JwtAuth, type SigningKeys } from './signing-keys.ts';
import { TokenError } from './token-error.ts';

export type { JwtAuth } from './signing-keys.ts';

async function signingKey(auth: JwtAuth, keys: SigningKeys | null): Promise<CryptoKey> {
  try {
    return await (keys === null ? importSigningKey(auth) : keys.get(auth));
  } catch (error) {
    if (error instanceof TokenError) throw error;
    throw new TokenError('sign_failed', `cannot sign the token: ${(error as Error).message}`);
  }
}

/**
 * Departures from the configured token, for auth_enforcement's forged tokens. The golden path
 * never passes any.
 */
export interface JwtOverrides {
  /** Claims laid over the configured extra claims (e.g. `token_type: refresh`). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** `iss` instead of `auth.issuer`. */
  readonly issuer?: string;
  /** `iat`, epoch seconds, instead of now. */
  readonly iatSeconds?: number;
  /** `exp`, epoch seconds, instead of `iat + ttl`. */
  readonly expSeconds?: number;
  /** Sign with this key (of the configured algorithm) instead of the configured secret or key file. */
  readonly key?: CryptoKey | Uint8Array;
}

/**
 * Mints a fresh token: the configured extra claims, then `iss`, `aud`, `sub`, `iat`, `exp` and a
 * new `jti` (the backend requires all but `aud`; protocol.md, "Authentication"). `overrides`
 * forges what it names and keeps everything else as configured. The configured key comes from
 * `keys` (imported once per key material) or, when null, is imported for this token alone.
 */
export async function mintJwt(auth: JwtAuth, nowMs: number, overrides: JwtOverrides = {}, keys: SigningKeys | null = null): Promise<string> {
  const key = overrides.key ?? (await signingKey(auth, keys));
  const iat = overrides.iatSeconds ?? Math.floor(nowMs / 1000);
  const jwt = new SignJWT({ ...(auth.claims as JWTPayload), ...(overrides.claims as JWTPayload | undefined) })
    .setProtectedHeader({ alg: auth.algorithm, typ: 'JWT' })
    .setSubject(auth.subject)
    .setIssuedAt(iat)
    .setExpirationTime(overrides.expSeconds ?? iat + auth.ttlSeconds)
    .setJti(randomUUID());
  const issuer = overrides.issuer ?? auth.issuer;
  if (issuer !== null) jwt.setIssuer(issuer);
  if (auth.audience !== null) jwt.setAudience(auth.audience);
  try {
    return await jwt.sign(key);
  } catch (error) {
    throw new TokenError('sign_failed', `cannot sign the token: ${(error as Error).message}`);
  }
}
