import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { suite, test, type TestContext } from 'node:test';
import { connectClient, connectForTest, startForTest, UpgradeRefused, withFault, type TestClient } from './testkit.ts';
import { mintReferenceToken } from '../../src/reference/token.ts';

type Json = Record<string, unknown>;

function b64url(token: string): string {
  return Buffer.from(token, 'utf8').toString('base64url');
}

async function expectAuthRejection(client: TestClient, errorCode: string, errorMessage: string): Promise<void> {
  const frame = await client.nextJson();
  assert.deepEqual(frame, {
    type: 'error_message',
    error_code: errorCode,
    error_message: errorMessage,
    details: { environment: 'reference' },
    timestamp: frame.timestamp,
    recovery_suggestions: null,
  });
  assert.equal(typeof frame.timestamp, 'number');
  assert.deepEqual(await client.closeCode(), { code: 1008, reason: 'Authentication failed' });
  const gapMs = (await client.closed).atMs - (frame.timestamp as number) * 1000;
  assert.ok(gapMs >= 99, `closed ${gapMs} ms after the error frame was sent`);
  assert.equal(client.frames.length, 1);
}

async function expectRefused(url: string, headers: Record<string, string>, status: number, body: string): Promise<UpgradeRefused> {
  const err = await connectClient(url, { headers }).then(
    () => assert.fail('upgrade was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof UpgradeRefused, String(err));
  assert.equal(err.status, status);
  assert.equal(err.body, body);
  return err;
}

interface RawFrame {
  readonly opcode: number;
  readonly payload: Buffer;
}

interface RawUpgrade {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly frames: readonly RawFrame[];
}

/**
 * An upgrade with a bare HTTP client, for answers the `ws` client refuses to surface (101 without
 * the offered subprotocol). Reads server frames until a close frame, `frameCount` frames or 2 s.
 */
function rawUpgrade(t: TestContext, url: string, headers: Record<string, string>, frameCount = Infinity): Promise<RawUpgrade> {
  const u = new URL(url);
  const req = request({
    host: u.hostname,
    port: u.port,
    path: `${u.pathname}${u.search}`,
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      ...headers,
    },
  });
  return new Promise((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, frames: [] });
    });
    req.on('upgrade', (res, socket, head) => {
      t.after(() => socket.destroy());
      let buffer = head;
      const frames: RawFrame[] = [];
      const timer = setTimeout(() => finish(), 2000);
      const finish = (): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, frames });
      };
      const parse = (): void => {
        for (;;) {
          if (buffer.length < 2) return;
          let length = (buffer[1] ?? 0) & 0x7f;
          let offset = 2;
          if (length === 126) {
            if (buffer.length < 4) return;
            length = buffer.readUInt16BE(2);
            offset = 4;
          } else if (length === 127) {
            if (buffer.length < 10) return;
            length = Number(buffer.readBigUInt64BE(2));
            offset = 10;
          }
          if (buffer.length < offset + length) return;
          const frame = { opcode: (buffer[0] ?? 0) & 0x0f, payload: buffer.subarray(offset, offset + length) };
          frames.push(frame);
          buffer = buffer.subarray(offset + length);
          if (frame.opcode === 8 || frames.length >= frameCount) {
            finish();
            return;
          }
        }
      };
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        parse();
      });
      socket.on('close', finish);
      socket.on('error', () => {});
      parse();
    });
    req.end();
  });
}

function closeOf(frame: RawFrame | undefined): { code: number; reason: string } {
  assert.equal(frame?.opcode, 8);
  return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString('utf8') };
}

function textOf(frame: RawFrame | undefined): Json {
  assert.equal(frame?.opcode, 1);
  return JSON.parse(frame.payload.toString('utf8')) as Json;
}

suite('authentication', { concurrency: true }, () => {
  test('an invalid token gets 101, error_message VALIDATION_FAILED, then 1008', async (t) => {
    const backend = await startForTest(t);
    const token = await mintReferenceToken({ secret: 'wrong-secret' });
    const client = await connectForTest(t, backend.url, { headers: { authorization: `Bearer ${token}` } });
    await expectAuthRejection(client, 'VALIDATION_FAILED', 'Invalid or expired token');
    const record = backend.connections()[0];
    assert.equal(record?.authOk, false);
    assert.equal(record?.tokenSource, 'header');
    assert.equal(record?.userId, null);
  });

  test('no token gets NO_TOKEN, then 1008', async (t) => {
    const backend = await startForTest(t);
    const client = await connectForTest(t, backend.url);
    await expectAuthRejection(client, 'NO_TOKEN', 'Authentication token required');
    assert.equal(backend.connections()[0]?.tokenSource, null);
  });

  test('auth_frame rejects even a valid token with AUTH_FAILED', async (t) => {
    const backend = await startForTest(t, { faults: 'auth_frame' });
    const client = await connectForTest(t, backend.url, { headers: { authorization: `Bearer ${await mintReferenceToken()}` } });
    await expectAuthRejection(client, 'AUTH_FAILED', 'Invalid or expired token');
  });

  test('the ?token= query parameter is the last fallback', async (t) => {
    const backend = await startForTest(t);
    const client = await connectForTest(t, `${backend.url}?token=${await mintReferenceToken({ sub: 'query-user' })}`);
    await client.nextJson();
    assert.equal(obj((await client.nextJson()).data).user_id, 'query-user');
    assert.equal(backend.connections()[0]?.tokenSource, 'query');
  });

  test('the header wins over the subprotocol', async (t) => {
    const backend = await startForTest(t);
    const client = await connectForTest(t, backend.url, {
      headers: { authorization: `Bearer ${await mintReferenceToken({ sub: 'header-user' })}` },
      protocols: ['jwt-auth', `jwt.${b64url('garbage')}`],
    });
    await client.nextJson();
    assert.equal(obj((await client.nextJson()).data).user_id, 'header-user');
    assert.equal(backend.connections()[0]?.tokenSource, 'header');
  });

  test('old server: the subprotocol token authenticates and jwt-auth is selected', async (t) => {
    const backend = await startForTest(t);
    const token = await mintReferenceToken({ sub: 'browser-user' });
    const client = await connectForTest(t, backend.url, { protocols: ['jwt-auth', `jwt.${b64url(token)}`] });
    assert.equal(client.ws.protocol, 'jwt-auth');
    await client.nextJson();
    assert.equal(obj((await client.nextJson()).data).user_id, 'browser-user');
    const record = backend.connections()[0];
    assert.deepEqual(record?.offeredSubprotocols, ['jwt-auth', `jwt.${b64url(token)}`]);
    assert.equal(record?.selectedSubprotocol, 'jwt-auth');
    assert.equal(record?.tokenSource, 'subprotocol');
    assert.equal(record?.authOk, true);
    assert.equal(record?.claims?.['sub'], 'browser-user');
  });

  test('old server: only jwt.<b64url> offered authenticates but selects no subprotocol', async (t) => {
    const backend = await startForTest(t);
    const token = await mintReferenceToken();
    const raw = await rawUpgrade(t, backend.url, { 'Sec-WebSocket-Protocol': `jwt.${b64url(token)}` }, 2);
    assert.equal(raw.status, 101);
    assert.equal(raw.headers['sec-websocket-protocol'], undefined);
    assert.deepEqual(raw.frames.map((f) => textOf(f).type), ['ping', 'system_message']);
  });

  test('old server: a raw token after jwt. is not decoded and fails', async (t) => {
    const backend = await startForTest(t);
    const client = await connectForTest(t, backend.url, { protocols: ['jwt-auth', `jwt.${await mintReferenceToken()}`] });
    await expectAuthRejection(client, 'VALIDATION_FAILED', 'Invalid or expired token');
  });

  test('new server: echoes the token-bearing jwt. entry', async (t) => {
    const backend = await startForTest(t, { faults: 'subprotocol=new' });
    const entry = `jwt.${b64url(await mintReferenceToken())}`;
    const client = await connectForTest(t, backend.url, { protocols: ['jwt-auth', entry] });
    assert.equal(client.ws.protocol, entry);
    await client.nextJson();
    assert.equal((await client.nextJson()).type, 'system_message');
    assert.equal(backend.connections()[0]?.selectedSubprotocol, entry);
  });

  test('new server: accepts the raw token after jwt.', async (t) => {
    const backend = await startForTest(t, { faults: 'subprotocol=new' });
    const entry = `jwt.${await mintReferenceToken({ sub: 'raw-user' })}`;
    const client = await connectForTest(t, backend.url, { protocols: ['jwt-auth', entry] });
    assert.equal(client.ws.protocol, entry);
    await client.nextJson();
    assert.equal(obj((await client.nextJson()).data).user_id, 'raw-user');
  });

  test('new server: unsupported subprotocols get 101 without one, then 1003', async (t) => {
    const backend = await startForTest(t, { faults: 'subprotocol=new' });
    const raw = await rawUpgrade(t, backend.url, {
      'Sec-WebSocket-Protocol': 'chat, v2',
      Authorization: `Bearer ${await mintReferenceToken()}`,
    });
    assert.equal(raw.status, 101);
    assert.equal(raw.headers['sec-websocket-protocol'], undefined);
    assert.equal(raw.frames.length, 1);
    assert.deepEqual(closeOf(raw.frames[0]), { code: 1003, reason: 'Unsupported subprotocol' });
    assert.equal(backend.connections()[0]?.authOk, null);
  });

  test('test headers are ignored unless test_bypass is on', async (t) => {
    const backend = await startForTest(t);
    const forged = await mintReferenceToken({ secret: 'forged', sub: 'intruder' });
    const headers = { authorization: `Bearer ${forged}`, 'x-test-mode': 'true' };
    const refused = await connectForTest(t, backend.url, { headers });
    await expectAuthRejection(refused, 'VALIDATION_FAILED', 'Invalid or expired token');
    const bypassed = await connectForTest(t, withFault(backend.url, 'test_bypass'), { headers });
    await bypassed.nextJson();
    assert.equal(obj((await bypassed.nextJson()).data).user_id, 'intruder');
    assert.deepEqual(
      backend.connections().map((r) => r.authOk),
      [false, true],
    );
    assert.deepEqual(
      backend.connections().map((r) => r.claims),
      [null, null],
      'neither the refused nor the bypassed token was verified',
    );
  });
});

suite('third-generation authentication (protocol.md, "Authentication additions")', { concurrency: true }, () => {
  /** Each offer, with the entry the server echoes and the environment it records. */
  const accepted: readonly (readonly [string, (token: string) => string[], (token: string) => string, string | null])[] = [
    ['jwt.<env>.<token>', (tok) => [`jwt.staging.${tok}`], (tok) => `jwt.staging.${tok}`, 'staging'],
    ['jwt-auth.<env>.<token> beside jwt-auth', (tok) => ['jwt-auth', `jwt-auth.staging.${tok}`], (tok) => `jwt-auth.staging.${tok}`, 'staging'],
    ['bearer.<env>.<token>', (tok) => [`bearer.production.${tok}`], (tok) => `bearer.production.${tok}`, 'production'],
    ['staging-auth.<token>', (tok) => [`staging-auth.${tok}`], (tok) => `staging-auth.${tok}`, 'staging'],
    ['jwt.<raw token>', (tok) => [`jwt.${tok}`], (tok) => `jwt.${tok}`, null],
    ['jwt-auth.<raw token>', (tok) => [`jwt-auth.${tok}`], (tok) => `jwt-auth.${tok}`, null],
    ['bearer.<raw token>', (tok) => [`bearer.${tok}`], (tok) => `bearer.${tok}`, null],
    ['jwt.<base64url token> beside jwt-auth', (tok) => ['jwt-auth', `jwt.${b64url(tok)}`], (tok) => `jwt.${b64url(tok)}`, null],
  ];
  for (const [form, offer, echoed, environment] of accepted) {
    test(`accepts ${form} and echoes the token-bearing entry`, async (t) => {
      const backend = await startForTest(t, { faults: 'lifecycle' });
      const token = await mintReferenceToken({ sub: 'third-user' });
      const client = await connectForTest(t, backend.url, { protocols: offer(token) });
      assert.equal(client.ws.protocol, echoed(token));
      assert.equal((await client.nextJson()).type, 'ping');
      assert.equal(obj((await client.nextJson()).data).user_id, 'third-user');
      assert.equal((await client.nextJson()).type, 'handshake_response');
      const record = backend.connections()[0];
      assert.deepEqual(
        [record?.authOk, record?.tokenSource, record?.selectedSubprotocol, record?.environment],
        [true, 'subprotocol', echoed(token), environment],
      );
    });
  }

  test('accepts ?token=<jwt>&env=<env> and records the environment', async (t) => {
    const backend = await startForTest(t, { faults: 'lifecycle' });
    const client = await connectForTest(t, `${backend.url}?token=${await mintReferenceToken({ sub: 'query-user' })}&env=staging`);
    await client.nextJson();
    assert.equal(obj((await client.nextJson()).data).user_id, 'query-user');
    const record = backend.connections()[0];
    assert.deepEqual([record?.tokenSource, record?.environment], ['query', 'staging']);
  });

  test('accepts Authorization: Bearer with X-Environment and records the environment', async (t) => {
    const backend = await startForTest(t, { faults: 'lifecycle' });
    const client = await connectForTest(t, backend.url, { headers: { authorization: `Bearer ${await mintReferenceToken()}`, 'x-environment': 'staging' } });
    await client.nextJson();
    assert.equal((await client.nextJson()).type, 'connection_established');
    const record = backend.connections()[0];
    assert.deepEqual([record?.tokenSource, record?.environment], ['header', 'staging']);
  });

  test('a bad token in bearer.<env>.<token> gets VALIDATION_FAILED and 1008, the entry still echoed', async (t) => {
    const backend = await startForTest(t, { faults: 'lifecycle' });
    const entry = `bearer.staging.${await mintReferenceToken({ secret: 'wrong-secret' })}`;
    const client = await connectForTest(t, backend.url, { protocols: [entry] });
    assert.equal(client.ws.protocol, entry);
    await expectAuthRejection(client, 'VALIDATION_FAILED', 'Invalid or expired token');
    assert.equal(backend.connections()[0]?.handshake, null);
  });

  test('unsupported subprotocols get 101 without one, then 1003', async (t) => {
    const backend = await startForTest(t, { faults: 'lifecycle' });
    const raw = await rawUpgrade(t, backend.url, { 'Sec-WebSocket-Protocol': 'chat', Authorization: `Bearer ${await mintReferenceToken()}` });
    assert.equal(raw.status, 101);
    assert.equal(raw.headers['sec-websocket-protocol'], undefined);
    assert.deepEqual(closeOf(raw.frames[0]), { code: 1003, reason: 'Unsupported subprotocol' });
  });

  test('an earlier server does not know bearer.<env>.<token>: no subprotocol, NO_TOKEN, 1008', async (t) => {
    const backend = await startForTest(t);
    const raw = await rawUpgrade(t, backend.url, { 'Sec-WebSocket-Protocol': `bearer.staging.${await mintReferenceToken()}` });
    assert.equal(raw.status, 101);
    assert.equal(raw.headers['sec-websocket-protocol'], undefined);
    assert.deepEqual([textOf(raw.frames[0]).error_code, closeOf(raw.frames[1])], ['NO_TOKEN', { code: 1008, reason: 'Authentication failed' }]);
  });

  test('the new server reads jwt.<env>.<token> as a raw token and refuses it', async (t) => {
    const backend = await startForTest(t, { faults: 'subprotocol=new' });
    const entry = `jwt.staging.${await mintReferenceToken()}`;
    const client = await connectForTest(t, backend.url, { protocols: [entry] });
    assert.equal(client.ws.protocol, entry);
    await expectAuthRejection(client, 'VALIDATION_FAILED', 'Invalid or expired token');
  });
});

suite('refused upgrades', { concurrency: true }, () => {
  test('auth_http=401 refuses the upgrade with 401', async (t) => {
    const backend = await startForTest(t, { faults: 'auth_http=401' });
    const err = await expectRefused(backend.url, {}, 401, '{"detail":"Unauthorized"}');
    assert.equal(err.headers['www-authenticate'], 'Bearer');
    assert.equal(err.headers['content-type'], 'application/json');
  });

  test('auth_http=403 refuses the upgrade with 403', async (t) => {
    const backend = await startForTest(t);
    await expectRefused(withFault(backend.url, 'auth_http=403'), {}, 403, '{"detail":"Forbidden"}');
  });

  test('upgrade_status=503 answers like a server still starting', async (t) => {
    const backend = await startForTest(t);
    await expectRefused(withFault(backend.url, 'upgrade_status=503'), {}, 503, '{"status":"unhealthy","message":"Startup in progress"}');
    await expectRefused(withFault(backend.url, 'upgrade_status=502'), {}, 502, '{"detail":"Bad Gateway"}');
  });

  test('a bad ?fault= is refused with 400 and the error text', async (t) => {
    const backend = await startForTest(t);
    const err = await expectRefused(
      withFault(backend.url, 'close_1011_after=soon'),
      {},
      400,
      'Invalid fault spec "close_1011_after=soon": fault "close_1011_after" has a bad value "soon": expected an integer from 0 to 1000000',
    );
    assert.equal(err.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(backend.connections()[0]?.faults, 'close_1011_after=soon');
  });

  test('an upgrade on another path gets 404', async (t) => {
    const backend = await startForTest(t);
    await expectRefused(`${backend.httpUrl.replace('http', 'ws')}/chat`, {}, 404, '{"detail":"Not Found"}');
    assert.equal(backend.connections()[0]?.path, '/chat');
  });
});

function obj(value: unknown): Json {
  assert.ok(typeof value === 'object' && value !== null, `not an object: ${JSON.stringify(value)}`);
  return value as Json;
}
