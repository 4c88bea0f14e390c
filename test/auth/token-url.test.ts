import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AuthConfig } from '../../src/config/types.ts';
import { listenLoopback } from '../support/net.ts';
import { fetchToken, MAX_TOKEN_RESPONSE_BYTES } from '../../src/auth/token-url.ts';
import { TokenError } from '../../src/auth/token-error.ts';

type TokenUrlAuth = Extract<AuthConfig, { type: 'token_url' }>;

const CHUNK = Buffer.alloc(64 * 1024, 'a');

/** An HTTP server whose every answer is written by `answer`; closed after the test. */
async function startTokenServer(t: TestContext, answer: (res: ServerResponse) => void): Promise<TokenUrlAuth> {
  const server = createServer((req, res) => {
    req.resume();
    answer(res);
  });
  const port = await listenLoopback(server);
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    type: 'token_url',
    url: `http://127.0.0.1:${port}/token`,
    headers: {},
    body: {},
    tokenField: 'access_token',
    expiresInField: null,
    sendAs: ['header'],
  };
}

/** Writes `CHUNK`s until the client goes away, minding backpressure. */
function endless(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const pump = (): void => {
    while (!res.destroyed && res.write(CHUNK));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

async function tokenError(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => assert.fail('expected a TokenError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TokenError);
  return { code: error.code, message: error.message };
}

describe('token_url answers are read with a byte cap and the run deadline', { concurrency: true }, () => {
  it('fails endpoint_body as soon as an endless answer passes the cap', async (t) => {
    const auth = await startTokenServer(t, endless);
    const started = Date.now();
    const error = await tokenError(fetchToken(auth, Date.now(), AbortSignal.timeout(5000)));
    assert.deepEqual(error, { code: 'endpoint_body', message: 'token endpoint answer is too large (more than 65536 bytes)' });
    assert.equal(MAX_TOKEN_RESPONSE_BYTES, 65536);
    assert.ok(Date.now() - started < 1000, 'fails within a second, not at the deadline');
  });

  it('fails endpoint_body for a declared length over the cap before reading it', async (t) => {
    const auth = await startTokenServer(t, (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_TOKEN_RESPONSE_BYTES + 1) });
      res.end(Buffer.alloc(MAX_TOKEN_RESPONSE_BYTES + 1, 'a'));
    });
    const error = await tokenError(fetchToken(auth, Date.now(), AbortSignal.timeout(5000)));
    assert.deepEqual(error, { code: 'endpoint_body', message: 'token endpoint answer is too large (more than 65536 bytes)' });
  });

  it('reads an answer of exactly the cap', async (t) => {
    const prefix = '{"access_token":"tok","pad":"';
    const text = prefix + 'a'.repeat(MAX_TOKEN_RESPONSE_BYTES - prefix.length - 2) + '"}';
    assert.equal(Buffer.byteLength(text), MAX_TOKEN_RESPONSE_BYTES);
    const auth = await startTokenServer(t, (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    });
    assert.deepEqual(await fetchToken(auth, 0, AbortSignal.timeout(5000)), { token: 'tok', expiresAtMs: null });
  });

  it('fails aborted when the deadline passes while the answer trickles in', async (t) => {
    const auth = await startTokenServer(t, (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":');
    });
    const started = Date.now();
    const error = await tokenError(fetchToken(auth, Date.now(), AbortSignal.timeout(300)));
    assert.deepEqual(error, { code: 'aborted', message: 'the run deadline passed while reading the token endpoint answer' });
    assert.ok(Date.now() - started < 1300, 'ends by the deadline plus one second');
  });
});
