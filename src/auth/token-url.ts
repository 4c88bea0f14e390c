import { decodeJwt } from 'jose';
import type { AuthConfig } from '../config/types.ts';
import { TokenError } from './token-error.ts';

type TokenUrlAuth = Extract<AuthConfig, { type: 'token_url' }>;

/** A fetched token and when it stops being usable (epoch ms), if known. */
export interface FetchedToken {
  readonly token: string;
  readonly expiresAtMs: number | null;
}

const MAX_BODY_BYTES = 64 * 1024;

function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function jwtExpiryMs(token: string): number | null {
  try {
    const exp = decodeJwt(token).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** POSTs to the auth endpoint and reads the token (and its lifetime) from the JSON answer. */
export async function fetchToken(auth: TokenUrlAuth, nowMs: number, signal: AbortSignal): Promise<FetchedToken> {
  let response: Response;
  try {
    response = await fetch(auth.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...auth.headers },
      body: JSON.stringify(auth.body),
      signal,
      redirect: 'error',
    });
  } catch (error) {
    if (signal.aborted) throw new TokenError('aborted', 'the run deadline passed while fetching a token');
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new TokenError('endpoint_unreachable', `token endpoint unreachable${cause === undefined ? '' : ` (${cause})`}`);
  }
  const text = (await response.text().catch(() => '')).slice(0, MAX_BODY_BYTES);
  if (!response.ok) throw new TokenError('endpoint_status', `token endpoint answered HTTP ${response.status}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new TokenError('endpoint_body', 'token endpoint answered with something other than JSON');
  }
  const token = readPath(body, auth.tokenField);
  if (typeof token !== 'string' || token.length === 0) {
    throw new TokenError('endpoint_body', `token endpoint answer has no string at "${auth.tokenField}"`);
  }
  const expiresIn = auth.expiresInField === null ? undefined : readPath(body, auth.expiresInField);
  const expiresAtMs = typeof expiresIn === 'number' && expiresIn > 0 ? nowMs + expiresIn * 1000 : jwtExpiryMs(token);
  return { token, expiresAtMs };
}
