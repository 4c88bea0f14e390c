import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8, type CryptoKey, type JWTPayload } from 'jose';
import type { AuthConfig } from '../config/types.ts';
import { TokenError } from './token-error.ts';

/** The `auth` of a target that mints its own tokens. */
export type JwtAuth = Extract<AuthConfig, { type: 'jwt' }>;

async function signingKey(auth: JwtAuth): Promise<CryptoKey | Uint8Array> {
  if (auth.secret !== null) return new TextEncoder().encode(auth.secret);
  if (auth.privateKeyFile === null) throw new TokenError('key_unreadable', 'no secret or private key configured');
  let pem: string;
  try {
    pem = await readFile(auth.privateKeyFile, 'utf8');
  } catch (error) {
    throw new TokenError('key_unreadable', `cannot read private key file ${auth.privateKeyFile}: ${(error as Error).message}`);
  }
  try {
    return await importPKCS8(pem, auth.algorithm);
  } catch (error) {
    throw new TokenError('key_unreadable', `private key file ${auth.privateKeyFile} is not a PKCS#8 ${auth.algorithm} key: ${(error as Error).message}`);
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
 * forges what it names and keeps everything else as configured.
 */
export async function mintJwt(auth: JwtAuth, nowMs: number, overrides: JwtOverrides = {}): Promise<string> {
  const key = overrides.key ?? (await signingKey(auth));
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
