import type { AuthConfig, SendAs, TokenPresentation } from '../config/types.ts';
import type { Clock } from '../clock.ts';
import { mintJwt } from './jwt.ts';
import { SigningKeys } from './signing-keys.ts';
import { fetchToken, type FetchedToken } from './token-url.ts';
import { TokenError } from './token-error.ts';

/**
 * Gives a check the token for one run. One provider lives per target for the process's life, so
 * fetched tokens are cached across runs.
 */
export interface TokenProvider {
  /** The token for this run, or null for `auth: none`. Throws {@link TokenError}. */
  getToken(signal: AbortSignal): Promise<string | null>;
  /** How the token is presented on the upgrade (`presentation.sendAs`). */
  readonly sendAs: readonly SendAs[];
  /** Everything about how the token is presented: where, in which subprotocol form, for which environment. */
  readonly presentation: TokenPresentation;
  /**
   * Secret values that must be redacted wherever text leaves the process: the configured ones,
   * the bearer token read from the environment, and the token last fetched from `token_url`.
   */
  readonly secrets: readonly string[];
  /**
   * Where a `jwt` provider's signing key is kept once imported, for tokens minted beside it with
   * the same key (user_isolation's identities, auth_enforcement's forgeries). Absent for other auth types.
   */
  readonly signingKeys?: SigningKeys;
}

/** A cached token is refreshed this long before it expires, or at 10 % of its life if longer. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;

function refreshAtMs(fetched: FetchedToken, nowMs: number): number {
  if (fetched.expiresAtMs === null) return nowMs;
  const life = fetched.expiresAtMs - nowMs;
  return fetched.expiresAtMs - Math.max(TOKEN_REFRESH_MARGIN_MS, life * 0.1);
}

/**
 * The token provider of a target's `auth`. A `jwt` provider imports its signing key once into
 * `signingKeys` (by default a cache of its own) and signs every token with it.
 */
export function createTokenProvider(
  auth: AuthConfig,
  clock: Clock,
  env: NodeJS.ProcessEnv = process.env,
  signingKeys: SigningKeys = new SigningKeys(1),
): TokenProvider {
  switch (auth.type) {
    case 'none':
      return { sendAs: [], presentation: { sendAs: [] }, secrets: [], getToken: () => Promise.resolve(null) };
    case 'bearer': {
      return {
        sendAs: auth.sendAs,
        presentation: auth,
        get secrets() {
          const token = env[auth.tokenEnv];
          return token === undefined || token === '' ? [] : [token];
        },
        getToken: () => {
          const token = env[auth.tokenEnv];
          if (token === undefined || token === '') {
            return Promise.reject(new TokenError('env_missing', `environment variable ${auth.tokenEnv} is not set`));
          }
          return Promise.resolve(token);
        },
      };
    }
    case 'jwt':
      return {
        sendAs: auth.sendAs,
        presentation: auth,
        secrets: auth.secret === null ? [] : [auth.secret],
        signingKeys,
        getToken: () => mintJwt(auth, clock.nowMs(), {}, signingKeys),
      };
    case 'token_url': {
      let cached: { token: string; refreshAtMs: number } | null = null;
      const secrets = [...Object.values(auth.headers), ...Object.values(auth.body).filter((v): v is string => typeof v === 'string')];
      return {
        sendAs: auth.sendAs,
        presentation: auth,
        get secrets() {
          return cached === null ? secrets : [...secrets, cached.token];
        },
        getToken: async (signal) => {
          const now = clock.nowMs();
          if (cached !== null && now < cached.refreshAtMs) return cached.token;
          const fetched = await fetchToken(auth, now, signal);
          cached = { token: fetched.token, refreshAtMs: refreshAtMs(fetched, now) };
          return fetched.token;
        },
      };
    }
  }
}
