import type { TokenPresentation } from '../config/types.ts';

/** The subprotocol list the browser client offers (protocol.md, "Authentication" item 2). */
export function authSubprotocols(token: string): string[] {
  return ['jwt-auth', `jwt.${Buffer.from(token, 'utf8').toString('base64url')}`];
}

/**
 * Exactly what the upgrade request carries to authenticate. The caller adds `headers` to its own,
 * offers `protocols` in Sec-WebSocket-Protocol, and sets `query` on the URL's search parameters.
 */
export interface UpgradeCredentials {
  /** Lower-case header names: `authorization`, `x-environment`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly protocols: readonly string[];
  /** `token` and `env`, for `?token=<jwt>&env=<env>`. */
  readonly query: Readonly<Record<string, string>>;
  /**
   * Every form of the token these credentials write besides the token itself (its base64url, the
   * subprotocol entries, the query string as it appears in the URL): redact them wherever text
   * leaves the process, like the token. A URL with a token is never written anywhere.
   */
  readonly secrets: readonly string[];
}

const NONE: UpgradeCredentials = { headers: {}, protocols: [], query: {}, secrets: [] };

/** The subprotocol entries of `form` (protocol.md, "Authentication" and "Third generation"). */
function subprotocols(presentation: TokenPresentation, token: string): string[] {
  const env = presentation.environment;
  const form = presentation.subprotocolForm ?? 'browser';
  switch (form) {
    case 'browser':
      return authSubprotocols(token);
    case 'staging-auth':
      return [`staging-auth.${token}`];
    case 'jwt':
    case 'jwt-auth':
    case 'bearer':
      return [env === undefined ? `${form}.${token}` : `${form}.${env}.${token}`];
  }
}

/**
 * Turns an auth config's presentation and this run's token into what the upgrade carries: the
 * Authorization header (with `X-Environment` when an environment is set), the subprotocol entries
 * of the configured form, and `token`/`env` for the query string, each only when `sendAs` names it.
 * Pure. A null token (`auth: none`) carries nothing.
 */
export function upgradeCredentials(presentation: TokenPresentation, token: string | null): UpgradeCredentials {
  if (token === null) return NONE;
  const { sendAs, environment } = presentation;
  const headers: Record<string, string> = {};
  const query: Record<string, string> = {};
  let protocols: string[] = [];
  const secrets = new Set<string>();
  if (sendAs.includes('header')) {
    headers['authorization'] = `Bearer ${token}`;
    if (environment !== undefined) headers['x-environment'] = environment;
  }
  if (sendAs.includes('subprotocol')) {
    protocols = subprotocols(presentation, token);
    for (const entry of protocols) if (entry !== 'jwt-auth') secrets.add(entry);
    if ((presentation.subprotocolForm ?? 'browser') === 'browser') secrets.add(Buffer.from(token, 'utf8').toString('base64url'));
  }
  if (sendAs.includes('query')) {
    query['token'] = token;
    if (environment !== undefined) query['env'] = environment;
    const encoded = new URLSearchParams({ token }).toString().slice('token='.length);
    if (encoded !== token) secrets.add(encoded);
  }
  secrets.delete(token);
  return { headers, protocols, query, secrets: [...secrets] };
}
