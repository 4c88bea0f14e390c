import { decodeJwt } from 'jose/jwt/decode';
import type { AuthConfig } from '../config/types.ts';
import { TokenError } from './token-error.ts';

type TokenUrlAuth = Extract<AuthConfig, { type: 'token_url' }>;

/** A fetched token and when it stops being usable (epoch ms), if known. */
export interface FetchedToken {
  readonly token: string;
  readonly expiresAtMs: number | null;
}

/** Bytes of a token endpoint's answer read at most; a longer answer fails the run as `token_error`. */
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/**
 * Reads at most `MAX_TOKEN_RESPONSE_BYTES` of the body, then cancels it, so an endless or huge
 * answer costs no more than the cap. Stops when `signal` aborts.
 */
async function readCappedBody(response: Response, signal: AbortSignal): Promise<string> {
  const body = response.body;
  if (body === null) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      if (signal.aborted) throw new TokenError('aborted', 'the run deadline passed while reading the token endpoint answer');
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch {
        if (signal.aborted) throw new TokenError('aborted', 'the run deadline passed while reading the token endpoint answer');
        throw new TokenError('endpoint_body', 'token endpoint answer broke off while being read');
      }
      if (next.done) break;
      total += next.value.byteLength;
      if (total > MAX_TOKEN_RESPONSE_BYTES) {
        throw new TokenError('endpoint_body', `token endpoint answer is too large (more than ${MAX_TOKEN_RESPONSE_BYTES} bytes)`);
      }
      chunks.push(next.value);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8');
}

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
  if (!response.ok) {
    response.body?.cancel().catch(() => undefined);
    throw new TokenError('endpoint_status', `token endpoint answered HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > MAX_TOKEN_RESPONSE_BYTES) {
    response.body?.cancel().catch(() => undefined);
    throw new TokenError('endpoint_body', `token endpoint answer is too large (more than ${MAX_TOKEN_RESPONSE_BYTES} bytes)`);
  }
  const text = await readCappedBody(response, signal);
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
