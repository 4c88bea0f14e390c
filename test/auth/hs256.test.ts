import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { mintJwt } from '../../src/auth/jwt.ts';
import { signHs256 } from '../../src/auth/hs256.ts';
import type { JwtAuth } from '../../src/auth/signing-keys.ts';
import { jwtAuth } from '../support/fixtures.ts';

const NOW_MS = Date.parse('2026-12-02T10:00:00Z');
const SECRET = 'hs256-secret-0123456789';

describe('HS256 tokens signed in place', { concurrency: true }, () => {
  it('are byte for byte the token jose signs for the same header and claims', async () => {
    const claims = { token_type: 'access', sub: 'canary', iat: 1_796_205_600, exp: 1_796_206_200, jti: 'j-1', iss: 'netra-auth-service', aud: 'netra-platform' };
    const expected = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(SECRET));
    assert.equal(signHs256(claims, SECRET), expected);
  });

  it('carry the configured claims, then sub, iat, exp, jti, iss and aud, and verify with the secret', async () => {
    const auth = jwtAuth(SECRET, { claims: { token_type: 'access', sub: 'overridden' } }) as JwtAuth;
    const token = await mintJwt(auth, NOW_MS);
    const verified = await jwtVerify(token, new TextEncoder().encode(SECRET), { currentDate: new Date(NOW_MS) });
    const { jti, ...rest } = verified.payload;
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual(Object.keys(verified.payload), ['token_type', 'sub', 'iat', 'exp', 'jti', 'iss', 'aud']);
    assert.deepEqual(rest, { token_type: 'access', sub: auth.subject, iat: NOW_MS / 1000, exp: NOW_MS / 1000 + auth.ttlSeconds, iss: 'netra-auth-service', aud: auth.audience ?? undefined });
    assert.match(String(jti), /^[0-9a-f-]{36}$/);
  });

  it('forged claims, issuer and times go into the signed token', async () => {
    const auth = jwtAuth(SECRET) as JwtAuth;
    const token = await mintJwt(auth, NOW_MS, { claims: { token_type: 'refresh' }, issuer: 'someone-else', iatSeconds: 100, expSeconds: 200 });
    const payload = decodeJwt(token);
    assert.deepEqual([payload['token_type'], payload.iss, payload.iat, payload.exp], ['refresh', 'someone-else', 100, 200]);
    await assert.rejects(jwtVerify(token, new TextEncoder().encode('another-secret-0123'), { currentDate: new Date(100_000) }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});
