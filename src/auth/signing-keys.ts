/**
 * The signing keys of the targets that mint their own tokens, imported once per key material
 * (algorithm and secret, or algorithm and key file) instead of once per token. Bounded; cleared
 * when the configuration is reloaded, so a key file replaced on disk is read again then.
 */
import { readFile } from 'node:fs/promises';
import type { CryptoKey } from 'jose';
import { importPKCS8 } from 'jose/key/import';
import type { AuthConfig } from '../config/types.ts';
import { TokenError } from './token-error.ts';

/** The `auth` of a target that mints its own tokens. */
export type JwtAuth = Extract<AuthConfig, { type: 'jwt' }>;

/** Key materials kept at most; past it the least recently used is imported again when next needed. */
export const MAX_SIGNING_KEYS = 64;

/** An HS256 secret as a non-extractable WebCrypto HMAC key (RFC 7518 §3.2), as jose would import it for every token. */
function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

async function privateKey(file: string, algorithm: JwtAuth['algorithm']): Promise<CryptoKey> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    throw new TokenError('key_unreadable', `cannot read private key file ${file}: ${(error as Error).message}`);
  }
  try {
    return await importPKCS8(pem, algorithm);
  } catch (error) {
    throw new TokenError('key_unreadable', `private key file ${file} is not a PKCS#8 ${algorithm} key: ${(error as Error).message}`);
  }
}

/** Imports the signing key of `auth` (no cache). Throws {@link TokenError} `key_unreadable`. */
export function importSigningKey(auth: JwtAuth): Promise<CryptoKey> {
  if (auth.secret !== null) return hmacKey(auth.secret);
  if (auth.privateKeyFile === null) return Promise.reject(new TokenError('key_unreadable', 'no secret or private key configured'));
  return privateKey(auth.privateKeyFile, auth.algorithm);
}

/**
 * Signing keys by key material, least recently used first out. A failed import is not kept: the
 * next token tries again (a key file that appears later is read then).
 */
export class SigningKeys {
  readonly #maxEntries: number;
  readonly #keys = new Map<string, Promise<CryptoKey>>();

  constructor(maxEntries: number = MAX_SIGNING_KEYS) {
    this.#maxEntries = Math.max(1, maxEntries);
  }

  /** The signing key of `auth`, imported on first use. Rejects with {@link TokenError} `key_unreadable`. */
  get(auth: JwtAuth): Promise<CryptoKey> {
    const material = auth.secret !== null ? `${auth.algorithm}\u0000secret\u0000${auth.secret}` : `${auth.algorithm}\u0000file\u0000${auth.privateKeyFile ?? ''}`;
    const cached = this.#keys.get(material);
    if (cached !== undefined) {
      this.#keys.delete(material);
      this.#keys.set(material, cached);
      return cached;
    }
    const imported = importSigningKey(auth);
    this.#keys.set(material, imported);
    imported.catch(() => {
      if (this.#keys.get(material) === imported) this.#keys.delete(material);
    });
    for (const oldest of this.#keys.keys()) {
      if (this.#keys.size <= this.#maxEntries) break;
      this.#keys.delete(oldest);
    }
    return imported;
  }

  /** Key materials held. */
  get size(): number {
    return this.#keys.size;
  }

  /** Forgets every key (a configuration reload): the next token imports its key again. */
  clear(): void {
    this.#keys.clear();
  }
}
