/**
 * What each auth_enforcement probe presents on the upgrade: a forged token (or none) and, for
 * `bypass_headers`, the backend's test-bypass headers (protocol.md, "Authentication", "Test
 * bypass headers").
 */
import { randomBytes } from 'node:crypto';
import type { CryptoKey } from 'jose';
import { generateKeyPair } from 'jose/key/generate/keypair';
import type { AuthConfig, AuthProbe, SendAs } from '../../config/types.ts';
import type { Clock } from '../../clock.ts';
import { mintJwt, type JwtAuth } from '../../auth/jwt.ts';
import type { TokenProvider } from '../../auth/provider.ts';
import type { SigningKeys } from '../../auth/signing-keys.ts';
import { GOLDEN_PATH_PLAN, walkPlan, type WalkPlan } from '../../walk/plan.ts';

/** The `iss` of the `wrong_issuer` probe. */
export const WRONG_ISSUER = 'canary-wrong-issuer';
/** The `token_type` of the `wrong_token_type` probe (the backend requires `access`). */
export const WRONG_TOKEN_TYPE = 'refresh';
/** The token the `bypass_headers` probe sends: not a JWT at all. */
export const BOGUS_TOKEN = 'not-a-valid-token';
/** The `expired` probe's token was issued this long ago, seconds (within the backend's 24 h `iat` limit). */
export const EXPIRED_IAT_AGE_SECONDS = 2 * 3600;
/** The `expired` probe's token expired this long ago, seconds. */
export const EXPIRED_EXP_AGE_SECONDS = 3600;

/**
 * The test-bypass headers the backend honours (protocol.md, "Test bypass headers"). The
 * `bypass_headers` probe is the only place the canary ever sends them.
 */
export const BYPASS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Test-Type': 'e2e',
  'X-Test-Environment': 'staging',
  'X-E2E-Test': 'true',
  'X-Test-Mode': 'true',
});

/** How probes present a token when the target's auth does not say (`auth: none`): both ways. */
const BOTH_WAYS: readonly SendAs[] = ['header', 'subprotocol'];

/**
 * What `wrong_key` signs when the target does not mint its own tokens: a token shaped like the
 * backend's (protocol.md, "Authentication"), HS256 with a key nobody else has.
 */
function backendShapedAuth(sendAs: readonly SendAs[]): JwtAuth {
  return {
    type: 'jwt',
    algorithm: 'HS256',
    secret: null,
    privateKeyFile: null,
    issuer: 'netra-auth-service',
    audience: null,
    subject: 'canary',
    ttlSeconds: 600,
    claims: { token_type: 'access' },
    sendAs,
  };
}

/** A fresh random key of `algorithm`: 32 random bytes for HS256, a new RSA or P-256 key pair otherwise. */
async function randomKey(algorithm: JwtAuth['algorithm']): Promise<CryptoKey | Uint8Array> {
  if (algorithm === 'HS256') return new Uint8Array(randomBytes(32));
  return (await generateKeyPair(algorithm)).privateKey;
}

async function forgeToken(auth: AuthConfig, probe: AuthProbe, sendAs: readonly SendAs[], nowMs: number, keys: SigningKeys | null): Promise<string | null> {
  const nowSeconds = Math.floor(nowMs / 1000);
  switch (probe) {
    case 'no_token':
      return null;
    case 'bypass_headers':
      return BOGUS_TOKEN;
    case 'wrong_key': {
      const base = auth.type === 'jwt' ? auth : backendShapedAuth(sendAs);
      return mintJwt(base, nowMs, { key: await randomKey(base.algorithm) });
    }
    case 'expired':
    case 'wrong_issuer':
    case 'wrong_token_type':
      if (auth.type !== 'jwt') throw new Error(`probe ${probe} needs auth.type jwt`);
      if (probe === 'expired') {
        return mintJwt(auth, nowMs, { iatSeconds: nowSeconds - EXPIRED_IAT_AGE_SECONDS, expSeconds: nowSeconds - EXPIRED_EXP_AGE_SECONDS }, keys);
      }
      if (probe === 'wrong_issuer') return mintJwt(auth, nowMs, { issuer: WRONG_ISSUER }, keys);
      return mintJwt(auth, nowMs, { claims: { token_type: WRONG_TOKEN_TYPE } }, keys);
  }
}

/**
 * The token provider of one probe: its forged token (null for `no_token`), sent the way the
 * target's `send_as` says (both ways for `auth: none`). `secrets` are the target's configured
 * secrets, still redacted from the probe's transcript. Forgeries signed with the configured key
 * take it from `signingKeys` (the target's provider's) when given.
 */
export function probeTokens(
  auth: AuthConfig,
  probe: AuthProbe,
  clock: Clock,
  secrets: readonly string[],
  signingKeys: SigningKeys | null = null,
): TokenProvider {
  const sendAs = auth.type === 'none' ? BOTH_WAYS : auth.sendAs;
  const presentation = auth.type === 'none' ? { sendAs } : { ...auth, sendAs };
  return { sendAs, presentation, secrets, getToken: () => forgeToken(auth, probe, sendAs, clock.nowMs(), signingKeys) };
}

/** The plan of one probe's walk: the golden path; `bypass_headers` adds the bypass headers. */
export function probePlan(probe: AuthProbe): WalkPlan {
  return probe === 'bypass_headers' ? walkPlan({ headers: BYPASS_HEADERS }) : GOLDEN_PATH_PLAN;
}
