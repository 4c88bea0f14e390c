import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { mintJwt } from '../../src/auth/jwt.ts';
import { SigningKeys, type JwtAuth } from '../../src/auth/signing-keys.ts';
import { TokenError } from '../../src/auth/token-error.ts';
import { jwtAuth } from '../support/fixtures.ts';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'canary-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const NOW_MS = Date.parse('2026-12-02T10:00:00Z');

function hs256(secret: string): JwtAuth {
  return jwtAuth(secret) as JwtAuth;
}

function es256File(file: string): JwtAuth {
  return jwtAuth('unused', { algorithm: 'ES256', secret: null, privateKeyFile: file }) as JwtAuth;
}

function es256Pair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

async function verifies(token: string, publicKeyPem: string): Promise<boolean> {
  const key = await importSPKI(publicKeyPem, 'ES256');
  return jwtVerify(token, key, { currentDate: new Date(NOW_MS) }).then(
    () => true,
    () => false,
  );
}

describe('signing keys are imported once per key material', { concurrency: true }, () => {
  it('the same secret gives the very same key; another secret another key', async () => {
    const keys = new SigningKeys();
    const first = await keys.get(hs256('secret-one-1234'));
    assert.equal(await keys.get(hs256('secret-one-1234')), first);
    assert.notEqual(await keys.get(hs256('secret-two-1234')), first);
    assert.equal(keys.size, 2);
  });

  it('a token signed with the cached HS256 key verifies with the secret', async () => {
    const keys = new SigningKeys();
    const auth = hs256('secret-one-1234');
    const token = await mintJwt(auth, NOW_MS, {}, keys);
    const again = await mintJwt(auth, NOW_MS, {}, keys);
    const secret = new TextEncoder().encode('secret-one-1234');
    const claims = await jwtVerify(again, secret, { currentDate: new Date(NOW_MS) });
    assert.deepEqual([decodeProtectedHeader(token), claims.payload.sub, keys.size], [{ alg: 'HS256', typ: 'JWT' }, 'canary-test', 1]);
  });

  it('a key file replaced on disk is read again after clear(), not before', async (t) => {
    const file = path.join(await tempDir(t), 'canary.key.pem');
    const old = es256Pair();
    const next = es256Pair();
    await writeFile(file, old.privateKey, { mode: 0o600 });
    const keys = new SigningKeys();
    await mintJwt(es256File(file), NOW_MS, {}, keys);
    await writeFile(file, next.privateKey, { mode: 0o600 });
    const before = await mintJwt(es256File(file), NOW_MS, {}, keys);
    keys.clear();
    const after = await mintJwt(es256File(file), NOW_MS, {}, keys);
    assert.deepEqual(
      [await verifies(before, old.publicKey), await verifies(after, next.publicKey), await verifies(after, old.publicKey)],
      [true, true, false],
    );
  });

  it('a failed import is not kept: the key file is read again when next needed', async (t) => {
    const file = path.join(await tempDir(t), 'late.key.pem');
    const keys = new SigningKeys();
    const failure = await keys.get(es256File(file)).catch((error: unknown) => error);
    assert.ok(failure instanceof TokenError);
    assert.equal(failure.code, 'key_unreadable');
    assert.equal(keys.size, 0);
    const pair = es256Pair();
    await writeFile(file, pair.privateKey, { mode: 0o600 });
    assert.equal(await verifies(await mintJwt(es256File(file), NOW_MS, {}, keys), pair.publicKey), true);
    assert.equal(keys.size, 1);
  });

  it('beyond its bound the least recently used key goes first', async () => {
    const keys = new SigningKeys(2);
    const a = await keys.get(hs256('secret-a-1234'));
    const b = await keys.get(hs256('secret-b-1234'));
    assert.equal(await keys.get(hs256('secret-a-1234')), a);
    await keys.get(hs256('secret-c-1234'));
    assert.deepEqual([keys.size, (await keys.get(hs256('secret-a-1234'))) === a, (await keys.get(hs256('secret-b-1234'))) === b], [2, true, false]);
  });
});
