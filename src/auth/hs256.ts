/**
 * HS256 tokens signed in place: a JWS in compact serialization (RFC 7515 §7.1) whose signature is
 * HMAC-SHA-256 over `base64url(header).base64url(payload)` with the shared secret's UTF-8 bytes
 * (RFC 7518 §3.2). One synchronous HMAC instead of jose's WebCrypto round trip through the thread
 * pool: the golden path mints a token for every run, and every other wait of the run is on the wire.
 */
import { createHmac } from 'node:crypto';

/** The protected header every HS256 token carries, as jose writes it for `{ alg: 'HS256', typ: 'JWT' }`. */
const HEADER_B64URL = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' }), 'utf8').toString('base64url');

/** The compact JWS of `claims` (a JSON object) signed with `secret`. */
export function signHs256(claims: Readonly<Record<string, unknown>>, secret: string): string {
  const input = `${HEADER_B64URL}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
