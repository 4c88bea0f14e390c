import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8, type CryptoKey, type JWTPayload } from 'jose';
import type { AuthConfig } from '../config/types.ts';
import { TokenError } from './token-error.ts';

type JwtAuth = Extract<AuthConfig, { type: 'jwt' }>;

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
 * Mints a fresh token: the configured extra claims, then `iss`, `aud`, `sub`, `iat`, `exp` and a
 * new `jti` (the backend requires all but `aud`; protocol.md, "Authentication").
 */
export async function mintJwt(auth: JwtAuth, nowMs: number): Promise<string> {
  const key = await signingKey(auth);
  const iat = Math.floor(nowMs / 1000);
  const jwt = new SignJWT({ ...(auth.claims as JWTPayload) })
    .setProtectedHeader({ alg: auth.algorithm, typ: 'JWT' })
    .setSubject(auth.subject)
    .setIssuedAt(iat)
    .setExpirationTime(iat + auth.ttlSeconds)
    .setJti(randomUUID());
  if (auth.issuer !== null) jwt.setIssuer(auth.issuer);
  if (auth.audience !== null) jwt.setAudience(auth.audience);
  try {
    return await jwt.sign(key);
  } catch (error) {
    throw new TokenError('sign_failed', `cannot sign the token: ${(error as Error).message}`);
  }
}
