/**
 * Authentication of an upgrade request, the backend's way (protocol.md, "Authentication"): find the
 * token (header, then subprotocol, then query), pick the subprotocol to answer with, verify the
 * token's claims.
 */
import { decodeJwt, errors as joseErrors, importSPKI, jwtVerify } from 'jose';
import { isThirdGeneration, type FaultSet } from './faults.ts';
import { REFERENCE_AUDIENCES, REFERENCE_ISSUER } from './token.ts';

/** Where the token came from. */
export type TokenSource = 'header' | 'subprotocol' | 'query';

/**
 * Server generation for subprotocol handling: `old` (default), `new` (fault `subprotocol=new`) or
 * `third` (fault `subprotocol=third`, the default under `lifecycle`; protocol.md, "Authentication additions").
 */
export type SubprotocolGeneration = 'old' | 'new' | 'third';

/** The subprotocol generation a connection's faults select. */
export function subprotocolGeneration(faults: FaultSet): SubprotocolGeneration {
  return faults.subprotocol ?? (isThirdGeneration(faults) ? 'third' : 'old');
}

/** The subprotocol the browser client offers next to its `jwt.<b64url>` entry. */
export const JWT_AUTH_SUBPROTOCOL = 'jwt-auth';
const JWT_PREFIX = 'jwt.';
/** Token-bearing subprotocol prefixes of the third generation, longest first where one prefixes another. */
const THIRD_PREFIXES = ['jwt-auth.', 'jwt.', 'bearer.', 'staging-auth.'] as const;
/** The environment `staging-auth.<token>` stands for. */
const STAGING_AUTH_ENVIRONMENT = 'staging';

/** `iat` may be this far in the future (clock skew). */
const MAX_IAT_FUTURE_SECONDS = 60;
/** `iat` may be this old. */
const MAX_TOKEN_AGE_SECONDS = 24 * 60 * 60;

/** A public key tokens are verified with instead of the HS256 secret (the backend allows RS256 by config). */
export interface PublicVerifyKey {
  readonly algorithm: 'RS256' | 'ES256';
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly publicKeyPem: string;
}

/** How tokens are verified: HS256 with a shared secret (a string), or RS256/ES256 with a public key. */
export type VerifyKey = string | PublicVerifyKey;

/** The payload of a verified token. */
export type VerifiedClaims = Readonly<Record<string, unknown>>;

/** Error codes of the `error_message` frame sent before the 1008. */
export type AuthErrorCode = 'NO_TOKEN' | 'VALIDATION_FAILED' | 'AUTH_FAILED';

/** The result of authenticating one upgrade. `detail` is for the log only. */
export type AuthOutcome =
  | {
      readonly ok: true;
      readonly userId: string;
      readonly source: TokenSource | null;
      readonly bypassed: boolean;
      /** The verified payload; null when the test bypass let the request in unverified. */
      readonly claims: VerifiedClaims | null;
      /** The environment the client named beside its token, if any. */
      readonly environment: string | null;
    }
  | { readonly ok: false; readonly code: AuthErrorCode; readonly source: TokenSource | null; readonly detail: string };

/** What authentication reads from the upgrade request. */
export interface AuthRequest {
  /** Lower-case header names to values, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly offeredSubprotocols: readonly string[];
  readonly query: URLSearchParams;
}

interface FoundToken {
  readonly token: string;
  readonly source: TokenSource;
  /** The environment the client named beside the token (subprotocol, `env` query parameter or `X-Environment`), if any. */
  readonly environment: string | null;
}

/** A token-bearing subprotocol entry, read the third generation's way. */
interface SubprotocolToken {
  readonly entry: string;
  readonly token: string;
  readonly environment: string | null;
}

/**
 * Reads one third-generation entry: `jwt.<env>.<token>`, `jwt-auth.<env>.<token>`,
 * `bearer.<env>.<token>` (a JWT has three dot-separated parts, so four parts mean an environment
 * first), `staging-auth.<token>`, `jwt.<token>`/`jwt-auth.<token>`/`bearer.<token>` (raw), and the
 * older `jwt.<base64url token>`.
 */
function thirdGenerationEntry(entry: string): SubprotocolToken | null {
  for (const prefix of THIRD_PREFIXES) {
    if (!entry.startsWith(prefix) || entry.length === prefix.length) continue;
    const rest = entry.slice(prefix.length);
    if (prefix === 'staging-auth.') return { entry, token: rest, environment: STAGING_AUTH_ENVIRONMENT };
    const parts = rest.split('.');
    const [environment] = parts;
    if (parts.length === 4 && environment !== undefined && environment !== '') return { entry, token: parts.slice(1).join('.'), environment };
    if (parts.length === 1 && prefix === JWT_PREFIX) return { entry, token: Buffer.from(rest, 'base64url').toString('utf8'), environment: null };
    return { entry, token: rest, environment: null };
  }
  return null;
}

function thirdGenerationToken(offered: readonly string[]): SubprotocolToken | null {
  for (const entry of offered) {
    const found = thirdGenerationEntry(entry);
    if (found !== null) return found;
  }
  return null;
}

function headerValue(req: AuthRequest, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Splits a `Sec-WebSocket-Protocol` header value into its entries. */
export function parseSubprotocols(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function tokenFromSubprotocols(offered: readonly string[], generation: SubprotocolGeneration): { token: string; environment: string | null } | null {
  if (generation === 'third') return thirdGenerationToken(offered);
  const entry = offered.find((p) => p.startsWith(JWT_PREFIX) && p.length > JWT_PREFIX.length);
  if (entry === undefined) return null;
  const rest = entry.slice(JWT_PREFIX.length);
  if (generation === 'new' && rest.includes('.')) return { token: rest, environment: null };
  return { token: Buffer.from(rest, 'base64url').toString('utf8'), environment: null };
}

function findToken(req: AuthRequest, generation: SubprotocolGeneration): FoundToken | null {
  const authorization = req.headers['authorization'];
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match?.[1] !== undefined) return { token: match[1], source: 'header', environment: headerValue(req, 'x-environment') };
  }
  const fromSubprotocol = tokenFromSubprotocols(req.offeredSubprotocols, generation);
  if (fromSubprotocol !== null) return { ...fromSubprotocol, source: 'subprotocol' };
  const fromQuery = req.query.get('token');
  const env = req.query.get('env');
  if (fromQuery !== null && fromQuery !== '') return { token: fromQuery, source: 'query', environment: env === null || env === '' ? null : env };
  return null;
}

/**
 * The subprotocol the server answers with, or `false` for none. The old generation selects
 * `jwt-auth` if offered; the new one echoes the token-bearing `jwt.` entry, else `jwt-auth`; the
 * third echoes the first token-bearing entry of any of its forms, else `jwt-auth`.
 */
export function selectSubprotocol(offered: readonly string[], generation: SubprotocolGeneration): string | false {
  if (generation === 'third') {
    const found = thirdGenerationToken(offered);
    if (found !== null) return found.entry;
  }
  if (generation === 'new') {
    const tokenEntry = offered.find((p) => p.startsWith(JWT_PREFIX) && p.length > JWT_PREFIX.length);
    if (tokenEntry !== undefined) return tokenEntry;
  }
  return offered.includes(JWT_AUTH_SUBPROTOCOL) ? JWT_AUTH_SUBPROTOCOL : false;
}

/** True when the new generation must close 1003: subprotocols were offered and none is supported. */
export function rejectsSubprotocols(offered: readonly string[], generation: SubprotocolGeneration): boolean {
  return generation !== 'old' && offered.length > 0 && selectSubprotocol(offered, generation) === false;
}

/** True when a header name looks like the backend's test shortcut (any name containing `test` or `e2e`). */
export function isTestBypassHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.includes('test') || lower.includes('e2e');
}

function audienceAccepted(aud: unknown): boolean {
  if (aud === undefined) return true;
  const accepted: readonly string[] = REFERENCE_AUDIENCES;
  if (typeof aud === 'string') return accepted.includes(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && accepted.includes(a));
}

/**
 * Verifies an access token: HS256 with the secret `key` (or RS256/ES256 with a public `key`), `sub`/`iat`/`exp`/`jti` present,
 * `iss` = netra-auth-service, `token_type` = access, `aud` (if present) one of the platform
 * audiences, `iat` at most 60 s in the future and at most 24 h old.
 * Returns the `sub` and the verified payload, or why the token is refused. With `acceptExpired`
 * (fault `accept_expired`) a passed `exp` is tolerated for as long as `iat` is young enough.
 */
export async function verifyAccessToken(
  token: string,
  key: VerifyKey,
  nowMs: number = Date.now(),
  options: { readonly acceptExpired?: boolean } = {},
): Promise<{ readonly ok: true; readonly userId: string; readonly claims: VerifiedClaims } | { readonly ok: false; readonly detail: string }> {
  try {
    const verifyWith = typeof key === 'string' ? new TextEncoder().encode(key) : await importSPKI(key.publicKeyPem, key.algorithm);
    const { payload } = await jwtVerify(token, verifyWith, {
      algorithms: [typeof key === 'string' ? 'HS256' : key.algorithm],
      issuer: REFERENCE_ISSUER,
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      currentDate: new Date(nowMs),
      ...(options.acceptExpired === true ? { clockTolerance: MAX_TOKEN_AGE_SECONDS } : {}),
    });
    if (payload['token_type'] !== 'access') return { ok: false, detail: `token_type is ${JSON.stringify(payload['token_type'])}, not "access"` };
    if (!audienceAccepted(payload.aud)) return { ok: false, detail: `aud ${JSON.stringify(payload.aud)} is not accepted` };
    const nowSeconds = nowMs / 1000;
    const iat = payload.iat ?? 0;
    if (iat > nowSeconds + MAX_IAT_FUTURE_SECONDS) return { ok: false, detail: 'iat is more than 60 s in the future' };
    if (iat < nowSeconds - MAX_TOKEN_AGE_SECONDS) return { ok: false, detail: 'iat is older than 24 h' };
    if (typeof payload.sub !== 'string' || payload.sub === '') return { ok: false, detail: 'sub is empty' };
    return { ok: true, userId: payload.sub, claims: payload };
  } catch (err: unknown) {
    if (err instanceof joseErrors.JOSEError) return { ok: false, detail: `${err.code}: ${err.message}` };
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

const BYPASS_USER = 'e2e-test-user';

function unverifiedSubject(token: string): string | null {
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' && sub !== '' ? sub : null;
  } catch {
    return null;
  }
}

/**
 * Authenticates one upgrade request. Faults read here: `auth_frame` (refuse every token with
 * AUTH_FAILED), `test_bypass` (test headers skip verification), `subprotocol` and `lifecycle` (which subprotocol forms carry a token),
 * `accept_expired` (a passed `exp` is tolerated).
 */
export async function authenticate(req: AuthRequest, faults: FaultSet, key: VerifyKey): Promise<AuthOutcome> {
  const found = findToken(req, subprotocolGeneration(faults));
  const environment = found?.environment ?? null;
  const source = found?.source ?? null;
  if (faults.auth_frame === true) return { ok: false, code: 'AUTH_FAILED', source, detail: 'fault auth_frame' };
  if (faults.test_bypass === true && Object.keys(req.headers).some(isTestBypassHeader)) {
    const userId = (found && unverifiedSubject(found.token)) ?? BYPASS_USER;
    return { ok: true, userId, source, bypassed: true, claims: null, environment };
  }
  if (found === null) return { ok: false, code: 'NO_TOKEN', source, detail: 'no token in header, subprotocol or query' };
  const verified = await verifyAccessToken(found.token, key, Date.now(), { acceptExpired: faults.accept_expired === true });
  if (!verified.ok) return { ok: false, code: 'VALIDATION_FAILED', source, detail: verified.detail };
  return { ok: true, userId: verified.userId, source, bypassed: false, claims: verified.claims, environment };
}
