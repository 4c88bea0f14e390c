import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { selectSubprotocol, rejectsSubprotocols, verifyAccessToken } from '../../src/reference/auth.ts';
import { mintReferenceToken, REFERENCE_SECRET, type MintReferenceTokenOptions } from '../../src/reference/token.ts';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

suite('mintReferenceToken', { concurrency: true }, () => {
  test('signs HS256 with the claims the backend requires', async () => {
    const token = await mintReferenceToken({ sub: 'u-1', ttlSeconds: 60 });
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(token);
    assert.equal(claims.sub, 'u-1');
    assert.equal(claims.iss, 'netra-auth-service');
    assert.equal(claims.aud, 'netra-backend');
    assert.equal(claims['token_type'], 'access');
    assert.equal(claims.exp, (claims.iat ?? 0) + 60);
    assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual(await verifyAccessToken(token, REFERENCE_SECRET), { ok: true, userId: 'u-1', claims });
  });

  test('claims set to undefined are left out', async () => {
    const claims = decodeJwt(await mintReferenceToken({ claims: { jti: undefined }, audience: null }));
    assert.equal(claims.jti, undefined);
    assert.equal(claims.aud, undefined);
  });
});

suite('verifyAccessToken', { concurrency: true }, () => {
  const table: readonly (readonly [string, MintReferenceTokenOptions, string | null])[] = [
    ['a default token', {}, null],
    ['no aud', { audience: null }, null],
    ['aud list with one accepted entry', { audience: ['other', 'netra-admin'] }, null],
    ['iat 30 s in the future', { claims: { iat: nowSeconds() + 30 } }, null],
    ['another secret', { secret: 'not-the-secret' }, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed'],
    ['another issuer', { issuer: 'someone-else' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED: unexpected "iss" claim value'],
    ['token_type refresh', { claims: { token_type: 'refresh' } }, 'token_type is "refresh", not "access"'],
    ['type instead of token_type', { claims: { token_type: undefined, type: 'access' } }, 'token_type is undefined, not "access"'],
    ['an unknown aud', { audience: 'netra-elsewhere' }, 'aud "netra-elsewhere" is not accepted'],
    ['no jti', { claims: { jti: undefined } }, 'ERR_JWT_CLAIM_VALIDATION_FAILED: missing required "jti" claim'],
    ['expired', { claims: { exp: nowSeconds() - 10 } }, 'ERR_JWT_EXPIRED: "exp" claim timestamp check failed'],
    ['iat 120 s in the future', { claims: { iat: nowSeconds() + 120 } }, 'iat is more than 60 s in the future'],
    ['iat 25 h old', { claims: { iat: nowSeconds() - 25 * 3600 } }, 'iat is older than 24 h'],
  ];
  for (const [name, opts, detail] of table) {
    test(name, async () => {
      const token = await mintReferenceToken(opts);
      const result = await verifyAccessToken(token, REFERENCE_SECRET);
      assert.deepEqual(result, detail === null ? { ok: true, userId: 'reference-user-001', claims: decodeJwt(token) } : { ok: false, detail });
    });
  }

  test('garbage', async () => {
    assert.deepEqual(await verifyAccessToken('not-a-jwt', REFERENCE_SECRET), { ok: false, detail: 'ERR_JWS_INVALID: Invalid Compact JWS' });
  });
});

suite('subprotocol selection', { concurrency: true }, () => {
  const table: readonly (readonly [readonly string[], 'old' | 'new', string | false, boolean])[] = [
    [['jwt-auth', 'jwt.abc'], 'old', 'jwt-auth', false],
    [['jwt.abc'], 'old', false, false],
    [['chat'], 'old', false, false],
    [['jwt-auth', 'jwt.abc'], 'new', 'jwt.abc', false],
    [['jwt-auth'], 'new', 'jwt-auth', false],
    [['chat', 'v2'], 'new', false, true],
    [[], 'new', false, false],
  ];
  for (const [offered, generation, selected, closes1003] of table) {
    test(`${generation} server offered ${JSON.stringify(offered)}`, () => {
      assert.equal(selectSubprotocol(offered, generation), selected);
      assert.equal(rejectsSubprotocols(offered, generation), closes1003);
    });
  }
});
