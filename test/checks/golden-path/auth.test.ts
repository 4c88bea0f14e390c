import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import {
  mintReferenceToken,
  startReferenceBackend,
  REFERENCE_SECRET,
  type ConnectionRecord,
  type ReferenceBackend,
  type ReferenceBackendOptions,
} from '../../../src/reference/index.ts';
import { createTokenProvider } from '../../../src/auth/provider.ts';
import { systemClock } from '../../../src/clock.ts';
import type { AuthConfig } from '../../../src/config/types.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { FIVE_EVENTS, goldenPathCheck, jwtAuth } from '../../support/fixtures.ts';
import { listenLoopback } from '../../support/net.ts';
import { outcome, runOnce, type RunOnceOptions } from '../../support/run.ts';

type TokenUrlAuth = Extract<AuthConfig, { type: 'token_url' }>;

const CHECK = goldenPathCheck();
/** `jwt.` followed by a base64url token, no padding: the browser client's token-bearing subprotocol. */
const JWT_SUBPROTOCOL = /^jwt\.[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function run(url: string, auth: AuthConfig, options: RunOnceOptions = {}): Promise<CheckResult> {
  return runOnce(url, CHECK, auth, options);
}

const SUCCESS = { result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, events: [...FIVE_EVENTS] };
const AUTH_REJECTED = { ...SUCCESS, result: 'failure', phase: 'welcome', reason: 'auth_rejected', closeCode: 1008, events: [] };
const TOKEN_ERROR = { ...SUCCESS, result: 'failure', phase: 'token', reason: 'token_error', events: [] };

/** The one connection the backend saw. */
function onlyRecord(backend: ReferenceBackend): ConnectionRecord {
  const records = backend.connections();
  assert.equal(records.length, 1, 'connections seen by the backend');
  return records[0] as ConnectionRecord;
}

/** Asserts the offered subprotocols are `['jwt-auth', 'jwt.<b64url(token)>']` without ever printing the token; returns the token. */
function offeredToken(record: ConnectionRecord): string {
  assert.equal(record.offeredSubprotocols.length, 2, 'two subprotocols offered');
  assert.ok(record.offeredSubprotocols[0] === 'jwt-auth', 'the first subprotocol is jwt-auth');
  const entry = record.offeredSubprotocols[1] ?? '';
  assert.ok(JWT_SUBPROTOCOL.test(entry), 'the second subprotocol is jwt.<base64url>, unpadded');
  return Buffer.from(entry.slice('jwt.'.length), 'base64url').toString('utf8');
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'canary-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function startBackend(t: TestContext, opts: ReferenceBackendOptions = {}): Promise<ReferenceBackend> {
  const backend = await startReferenceBackend(opts);
  t.after(() => backend.close());
  return backend;
}

describe('jwt auth (HS256) end to end', { concurrency: true }, () => {
  it('send_as [header] sends the Authorization header and offers no subprotocol', async (t) => {
    const backend = await startBackend(t);
    const result = await run(backend.url, jwtAuth(REFERENCE_SECRET, { sendAs: ['header'] }));
    assert.deepEqual(outcome(result), SUCCESS);
    assert.equal(result.protocol.subprotocol, 'none');
    const record = onlyRecord(backend);
    assert.equal(record.tokenSource, 'header');
    assert.deepEqual(record.offeredSubprotocols, []);
    assert.equal(record.selectedSubprotocol, null);
    assert.ok(record.headerNames.includes('authorization'));
  });

  it('send_as [subprotocol] offers jwt-auth and jwt.<b64url>; the old server selects jwt-auth', async (t) => {
    const backend = await startBackend(t);
    const result = await run(backend.url, jwtAuth(REFERENCE_SECRET, { sendAs: ['subprotocol'] }));
    assert.deepEqual(outcome(result), SUCCESS);
    assert.equal(result.protocol.subprotocol, 'jwt-auth');
    const record = onlyRecord(backend);
    assert.equal(record.tokenSource, 'subprotocol');
    assert.equal(record.headerNames.includes('authorization'), false);
    const token = offeredToken(record);
    assert.equal(decodeJwt(token).jti, record.claims?.['jti'], 'the backend verified the offered token');
    assert.equal(record.selectedSubprotocol, 'jwt-auth');
  });

  it('send_as [subprotocol]: the new server echoes the jwt. entry', async (t) => {
    const backend = await startBackend(t, { faults: 'subprotocol=new' });
    const result = await run(backend.url, jwtAuth(REFERENCE_SECRET, { sendAs: ['subprotocol'] }));
    assert.deepEqual(outcome(result), SUCCESS);
    assert.equal(result.protocol.subprotocol, 'jwt');
    const record = onlyRecord(backend);
    assert.equal(record.tokenSource, 'subprotocol');
    offeredToken(record);
    assert.ok(record.selectedSubprotocol === record.offeredSubprotocols[1], 'the selected subprotocol is the offered jwt. entry');
  });

  it('send_as [header, subprotocol] sends both; the backend reads the header first', async (t) => {
    const backend = await startBackend(t);
    const result = await run(backend.url, jwtAuth(REFERENCE_SECRET, { sendAs: ['header', 'subprotocol'] }));
    assert.deepEqual(outcome(result), SUCCESS);
    assert.equal(result.protocol.subprotocol, 'jwt-auth');
    const record = onlyRecord(backend);
    assert.equal(record.tokenSource, 'header');
    assert.ok(record.headerNames.includes('authorization'));
    const token = offeredToken(record);
    assert.equal(decodeJwt(token).jti, record.claims?.['jti'], 'header and subprotocol carry the same token');
    assert.equal(record.selectedSubprotocol, 'jwt-auth');
  });

  it('mints iat, exp = iat + ttl, iss, aud, sub, the extra claims and a fresh jti per run', async (t) => {
    const backend = await startBackend(t);
    const auth = jwtAuth(REFERENCE_SECRET, { sendAs: ['header'], ttlSeconds: 900, subject: 'canary-claims' });
    const tokens = createTokenProvider(auth, systemClock);
    const beforeSeconds = Math.floor(Date.now() / 1000);
    assert.deepEqual(outcome(await run(backend.url, auth, { tokens })), SUCCESS);
    assert.deepEqual(outcome(await run(backend.url, auth, { tokens })), SUCCESS);
    const afterSeconds = Math.floor(Date.now() / 1000);
    const [a, b] = backend.connections().map((r) => r.claims);
    assert.ok(a !== null && a !== undefined && b !== null && b !== undefined, 'the backend verified both tokens');
    for (const claims of [a, b]) {
      const iat = claims['iat'];
      assert.ok(typeof iat === 'number' && iat >= beforeSeconds && iat <= afterSeconds, `iat ${String(iat)}`);
      assert.deepEqual(claims, {
        token_type: 'access',
        email: 'canary@example.com',
        permissions: ['read', 'write'],
        sub: 'canary-claims',
        iat,
        exp: iat + 900,
        jti: claims['jti'],
        iss: 'netra-auth-service',
        aud: 'netra-platform',
      });
      assert.match(String(claims['jti']), UUID);
    }
    assert.notEqual(a['jti'], b['jti']);
  });

  it('fails auth_rejected 1008 when the HS256 secret is wrong', async (t) => {
    const backend = await startBackend(t);
    const result = await run(backend.url, jwtAuth('not-the-backend-secret', { sendAs: ['header'] }));
    assert.deepEqual(outcome(result), AUTH_REJECTED);
    const record = onlyRecord(backend);
    assert.deepEqual([record.authOk, record.tokenSource, record.claims], [false, 'header', null]);
  });

  it('bearer: the token from the environment goes in the Authorization header', async (t) => {
    const backend = await startBackend(t);
    const env = { CANARY_TEST_BEARER_TOKEN: await mintReferenceToken({ sub: 'bearer-user' }) };
    const auth: AuthConfig = { type: 'bearer', tokenEnv: 'CANARY_TEST_BEARER_TOKEN', sendAs: ['header'] };
    const result = await run(backend.url, auth, { env });
    assert.deepEqual(outcome(result), SUCCESS);
    const record = onlyRecord(backend);
    assert.deepEqual([record.tokenSource, record.userId, record.offeredSubprotocols.length], ['header', 'bearer-user', 0]);
  });

  it('never sends test bypass headers, even when the target config has them', async (t) => {
    const backend = await startBackend(t);
    const auth = jwtAuth(REFERENCE_SECRET);
    const result = await run(backend.url, auth, { target: { headers: { 'X-Test-Type': 'e2e', 'X-Canary-Extra': 'yes' } } });
    assert.deepEqual(outcome(result), SUCCESS);
    const names = onlyRecord(backend).headerNames;
    assert.ok(names.includes('x-canary-extra'), `header names: ${names.join(', ')}`);
    assert.deepEqual(names.filter((n) => /test|e2e/.test(n)), []);
  });

  it('a bad token stays rejected on a server with the test bypass: no bypass header reaches it', async (t) => {
    const backend = await startBackend(t, { faults: 'test_bypass' });
    const auth = jwtAuth('forged-secret', { sendAs: ['header'] });
    const result = await run(backend.url, auth, { target: { headers: { 'X-Test-Type': 'e2e', 'X-E2E-Test': 'true', 'X-Test-Mode': 'true' } } });
    assert.deepEqual(outcome(result), AUTH_REJECTED);
    assert.equal(onlyRecord(backend).authOk, false);
  });
});

/** A fresh key pair: SPKI PEM public key, PKCS#8 PEM private key. */
function pemKeyPair(algorithm: 'RS256' | 'ES256'): { publicKey: string; privateKey: string } {
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  return algorithm === 'RS256'
    ? generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding })
    : generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding, privateKeyEncoding });
}

describe('jwt auth with RS256 and ES256 keys', { concurrency: true }, () => {
  for (const algorithm of ['RS256', 'ES256'] as const) {
    it(`${algorithm}: a token signed with the private key file is verified with the public key`, async (t) => {
      const { publicKey, privateKey } = pemKeyPair(algorithm);
      const keyFile = path.join(await tempDir(t), 'canary.key.pem');
      await writeFile(keyFile, privateKey, { mode: 0o600 });
      const backend = await startBackend(t, { verifyKey: { algorithm, publicKeyPem: publicKey } });
      const result = await run(backend.url, jwtAuth(REFERENCE_SECRET, { algorithm, secret: null, privateKeyFile: keyFile }));
      assert.deepEqual(outcome(result), SUCCESS);
      const [record] = backend.connections();
      assert.deepEqual([record?.authOk, record?.tokenSource, record?.claims?.['sub']], [true, 'header', 'canary-test']);
    });
  }

  it('RS256: a token signed with another key is auth_rejected 1008', async (t) => {
    const backendKeys = pemKeyPair('RS256');
    const otherKeys = pemKeyPair('RS256');
    const keyFile = path.join(await tempDir(t), 'other.key.pem');
    await writeFile(keyFile, otherKeys.privateKey, { mode: 0o600 });
    const backend = await startBackend(t, { verifyKey: { algorithm: 'RS256', publicKeyPem: backendKeys.publicKey } });
    const result = await run(backend.url, jwtAuth(REFERENCE_SECRET, { algorithm: 'RS256', secret: null, privateKeyFile: keyFile }));
    assert.deepEqual(outcome(result), AUTH_REJECTED);
    assert.deepEqual(backend.connections().map((r) => [r.authOk, r.claims]), [[false, null]]);
  });

  it('RS256 backend: an HS256 token is auth_rejected 1008 (no algorithm confusion)', async (t) => {
    const { publicKey } = pemKeyPair('RS256');
    const backend = await startBackend(t, { verifyKey: { algorithm: 'RS256', publicKeyPem: publicKey } });
    const result = await run(backend.url, jwtAuth(REFERENCE_SECRET));
    assert.deepEqual(outcome(result), AUTH_REJECTED);
  });

  it('an unreadable private key file fails token_error in phase token, before any connection', async (t) => {
    const backend = await startBackend(t);
    const keyFile = path.join(await tempDir(t), 'missing.key.pem');
    const result = await run(backend.url, jwtAuth(REFERENCE_SECRET, { algorithm: 'RS256', secret: null, privateKeyFile: keyFile }));
    assert.deepEqual(outcome(result), TOKEN_ERROR);
    assert.equal(
      result.message,
      `could not get a token: cannot read private key file ${keyFile}: ENOENT: no such file or directory, open '${keyFile}'`,
    );
    assert.deepEqual(Object.keys(result.phases), []);
    assert.equal(backend.connections().length, 0);
  });

  it('a private key of the wrong type fails token_error', async (t) => {
    const backend = await startBackend(t);
    const { privateKey } = pemKeyPair('ES256');
    const keyFile = path.join(await tempDir(t), 'ec.key.pem');
    await writeFile(keyFile, privateKey, { mode: 0o600 });
    const result = await run(backend.url, jwtAuth(REFERENCE_SECRET, { algorithm: 'RS256', secret: null, privateKeyFile: keyFile }));
    assert.deepEqual(outcome(result), TOKEN_ERROR);
    assert.ok(result.message?.startsWith(`could not get a token: private key file ${keyFile} is not a PKCS#8 RS256 key: `), result.message ?? '');
    assert.equal(backend.connections().length, 0);
  });
});

/** What the test auth service saw of one request. */
interface AuthRequestSeen {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly apiKey: string | undefined;
  readonly body: unknown;
}

interface AuthService {
  readonly url: string;
  readonly requests: AuthRequestSeen[];
}

/** A real HTTP server on 127.0.0.1 playing the auth service: records each request and answers with `answer(request)`. */
async function startAuthService(
  t: TestContext,
  answer: (seen: AuthRequestSeen) => Promise<{ status: number; body: string }> | null,
): Promise<AuthService> {
  const requests: AuthRequestSeen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const seen: AuthRequestSeen = {
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        apiKey: typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined,
        body,
      };
      requests.push(seen);
      const pending = answer(seen);
      if (pending === null) return;
      void pending.then(({ status, body: text }) => {
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
  });
  const port = await listenLoopback(server);
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${port}/auth/token`, requests };
}

const EXPECTED_BODY = { client_id: 'canary', client_secret: 'auth-service-client-secret', grant_type: 'client_credentials' };

function tokenUrlAuth(url: string, overrides: Partial<TokenUrlAuth> = {}): TokenUrlAuth {
  return {
    type: 'token_url',
    url,
    headers: { 'x-api-key': 'auth-service-api-key' },
    body: EXPECTED_BODY,
    tokenField: 'access_token',
    expiresInField: 'expires_in',
    sendAs: ['header'],
    ...overrides,
  };
}

/** Answers well-formed requests with `shape(token)` and 400 otherwise. */
function issue(shape: (token: string) => unknown): (seen: AuthRequestSeen) => Promise<{ status: number; body: string }> {
  return async (seen) => {
    const good =
      seen.method === 'POST' &&
      seen.contentType === 'application/json' &&
      seen.apiKey === 'auth-service-api-key' &&
      JSON.stringify(seen.body) === JSON.stringify(EXPECTED_BODY);
    if (!good) return { status: 400, body: '{"detail":"bad request"}' };
    return { status: 200, body: JSON.stringify(shape(await mintReferenceToken({ sub: 'token-url-user' }))) };
  };
}

describe('token_url auth end to end', { concurrency: true }, () => {
  let backend: ReferenceBackend;
  before(async () => {
    backend = await startReferenceBackend();
  });
  after(() => backend.close());

  it('POSTs the JSON body, uses the access_token, and caches it across runs of one provider', async (t) => {
    const own = await startBackend(t);
    const service = await startAuthService(t, issue((token) => ({ access_token: token, expires_in: 900 })));
    const auth = tokenUrlAuth(service.url);
    const tokens = createTokenProvider(auth, systemClock);
    assert.deepEqual(outcome(await run(own.url, auth, { tokens })), SUCCESS);
    assert.deepEqual(outcome(await run(own.url, auth, { tokens })), SUCCESS);
    assert.deepEqual(service.requests, [
      { method: 'POST', path: '/auth/token', contentType: 'application/json', apiKey: 'auth-service-api-key', body: EXPECTED_BODY },
    ]);
    const [a, b] = own.connections();
    assert.deepEqual([a?.userId, a?.tokenSource, b?.userId], ['token-url-user', 'header', 'token-url-user']);
    assert.equal(a?.claims?.['jti'], b?.claims?.['jti'], 'the second run reused the cached token');
  });

  it('fetches again when expires_in is inside the refresh margin', async (t) => {
    const service = await startAuthService(t, issue((token) => ({ access_token: token, expires_in: 30 })));
    const auth = tokenUrlAuth(service.url);
    const tokens = createTokenProvider(auth, systemClock);
    assert.deepEqual(outcome(await run(backend.url, auth, { tokens })), SUCCESS);
    assert.deepEqual(outcome(await run(backend.url, auth, { tokens })), SUCCESS);
    assert.equal(service.requests.length, 2);
  });

  it('reads the token from a configured dot path', async (t) => {
    const own = await startBackend(t);
    const service = await startAuthService(t, issue((token) => ({ data: { token, expires_in: 900 } })));
    const auth = tokenUrlAuth(service.url, { tokenField: 'data.token', expiresInField: 'data.expires_in', sendAs: ['subprotocol'] });
    assert.deepEqual(outcome(await run(own.url, auth)), SUCCESS);
    const record = onlyRecord(own);
    assert.deepEqual([record.userId, record.tokenSource], ['token-url-user', 'subprotocol']);
  });

  it('fails token_error when the auth service answers 500', async (t) => {
    const service = await startAuthService(t, () => Promise.resolve({ status: 500, body: '{"detail":"internal"}' }));
    const result = await run(backend.url, tokenUrlAuth(service.url));
    assert.deepEqual(outcome(result), TOKEN_ERROR);
    assert.equal(result.message, 'could not get a token: token endpoint answered HTTP 500');
    assert.equal(service.requests.length, 1);
  });

  it('fails token_error when the answer has no token at the field', async (t) => {
    const service = await startAuthService(t, issue((token) => ({ token, expires_in: 900 })));
    const result = await run(backend.url, tokenUrlAuth(service.url));
    assert.deepEqual(outcome(result), TOKEN_ERROR);
    assert.equal(result.message, 'could not get a token: token endpoint answer has no string at "access_token"');
  });

  it('fails token_error when the auth service does not answer within the run deadline', async (t) => {
    const service = await startAuthService(t, () => null);
    const auth = tokenUrlAuth(service.url);
    const check = goldenPathCheck({ timeoutMs: 300 });
    const result = await runOnce(backend.url, check, auth);
    assert.deepEqual(outcome(result), TOKEN_ERROR);
    assert.equal(result.message, 'the run deadline passed in phase token');
    assert.equal(service.requests.length, 1);
  });

  it('never puts the auth service credentials or the token in the result', async (t) => {
    const service = await startAuthService(t, () => Promise.resolve({ status: 500, body: '{"echo":"auth-service-client-secret"}' }));
    const result = await run(backend.url, tokenUrlAuth(service.url));
    const text = JSON.stringify(result);
    assert.equal(text.includes('auth-service-client-secret'), false);
    assert.equal(text.includes('auth-service-api-key'), false);
  });
});
