import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** The reference backend's default HS256 secret. Only for local tests and demos. */
export const REFERENCE_SECRET = 'reference-backend-secret';

/** The HS256 secret in use: `secret` when given, else {@link REFERENCE_SECRET}. */
export function referenceSecret(secret: string | undefined): string {
  return secret ?? REFERENCE_SECRET;
}

/** The issuer the backend requires (protocol.md, "Authentication"). */
export const REFERENCE_ISSUER = 'netra-auth-service';

/** The audiences the backend accepts when a token carries `aud`. */
export const REFERENCE_AUDIENCES = ['netra-platform', 'netra-backend', 'netra-auth', 'netra-services', 'netra-admin'] as const;

/** The subject {@link mintReferenceToken} uses when none is given. */
export const REFERENCE_USER = 'reference-user-001';

/** Options of {@link mintReferenceToken}. */
export interface MintReferenceTokenOptions {
  /** HS256 secret; default {@link REFERENCE_SECRET}. */
  readonly secret?: string;
  /** `sub` claim; default {@link REFERENCE_USER}. */
  readonly sub?: string;
  /** Lifetime in seconds from now; default 1800 (the staging auth service's 30 min). */
  readonly ttlSeconds?: number;
  /** `iss` claim; default {@link REFERENCE_ISSUER}. */
  readonly issuer?: string;
  /** `aud` claim; default `netra-backend`, `null` leaves `aud` out. */
  readonly audience?: string | readonly string[] | null;
  /**
   * Claims laid over everything else, last. Overrides any standard claim (`iat`, `exp`, `jti`,
   * `token_type`, ...); a key set to `undefined` removes that claim. Tests use this to forge tokens
   * the backend must refuse.
   */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/**
 * Signs an HS256 access token the reference backend accepts: `sub`, `iss`, `iat`, `exp`, `jti`,
 * `aud`, `token_type: "access"`, plus the carried-not-checked `email` and `permissions`.
 */
export async function mintReferenceToken(opts: MintReferenceTokenOptions = {}): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const sub = opts.sub ?? REFERENCE_USER;
  const audience = opts.audience === undefined ? 'netra-backend' : opts.audience;
  const payload: Record<string, unknown> = {
    sub,
    iss: opts.issuer ?? REFERENCE_ISSUER,
    iat: nowSeconds,
    exp: nowSeconds + (opts.ttlSeconds ?? 1800),
    jti: randomUUID(),
    token_type: 'access',
    email: `${sub}@reference.invalid`,
    permissions: ['read', 'write'],
    ...(audience === null ? {} : { aud: typeof audience === 'string' ? audience : [...audience] }),
    ...opts.claims,
  };
  for (const [key, value] of Object.entries(payload)) if (value === undefined) delete payload[key];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(referenceSecret(opts.secret)));
}
