import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { connectForTest, startForTest } from './testkit.ts';

async function get(url: string, method = 'GET'): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method, headers: { connection: 'close' } });
  return { status: res.status, body: (await res.json()) as unknown };
}

suite('http endpoints', { concurrency: true }, () => {
  test('GET /health is healthy', async (t) => {
    const backend = await startForTest(t);
    const { status, body } = await get(`${backend.httpUrl}/health`);
    assert.equal(status, 200);
    const health = body as Record<string, unknown>;
    assert.match(String(health['timestamp']), /^\d{4}-\d{2}-\d{2}T/);
    assert.deepEqual(health, { status: 'healthy', service: 'reference-backend', environment: 'reference', timestamp: health['timestamp'] });
  });

  test('liveness, readiness and startup answer 200', async (t) => {
    const backend = await startForTest(t);
    assert.deepEqual(await get(`${backend.httpUrl}/health/live`), { status: 200, body: { status: 'alive' } });
    assert.deepEqual(await get(`${backend.httpUrl}/health/ready`), { status: 200, body: { status: 'ready' } });
    assert.deepEqual(await get(`${backend.httpUrl}/health/startup`), { status: 200, body: { status: 'started' } });
  });

  test('GET /ws/config lists auth methods and limits', async (t) => {
    const backend = await startForTest(t);
    assert.deepEqual(await get(`${backend.httpUrl}/ws/config`), {
      status: 200,
      body: { supported_auth_methods: ['header', 'subprotocol'], max_message_size: 8192, heartbeat_interval: 25 },
    });
  });

  test('GET /ws/health counts open sockets', async (t) => {
    const backend = await startForTest(t);
    await connectForTest(t, `${backend.httpUrl.replace('http', 'ws')}/ws/test`);
    assert.deepEqual(await get(`${backend.httpUrl}/ws/health`), { status: 200, body: { status: 'healthy', active_connections: 1 } });
  });

  test('other paths are 404, other methods 405', async (t) => {
    const backend = await startForTest(t);
    assert.deepEqual(await get(`${backend.httpUrl}/nope`), { status: 404, body: { detail: 'Not Found' } });
    assert.deepEqual(await get(`${backend.httpUrl}/ws`), { status: 404, body: { detail: 'Not Found' } });
    assert.deepEqual(await get(`${backend.httpUrl}/health`, 'POST'), { status: 405, body: { detail: 'Method Not Allowed' } });
  });
});

suite('echo socket', { concurrency: true }, () => {
  test('/ws/test needs no token, answers ping with pong and echoes the rest', async (t) => {
    const backend = await startForTest(t);
    const client = await connectForTest(t, `${backend.httpUrl.replace('http', 'ws')}/ws/test`);
    client.send({ type: 'ping' });
    const pong = await client.nextJson();
    assert.deepEqual(pong, { type: 'pong', timestamp: pong['timestamp'] });
    assert.equal(typeof pong['timestamp'], 'number');
    client.send('{"hello":"world"}');
    assert.equal((await client.next()).text, '{"hello":"world"}');
    const record = backend.connections()[0];
    assert.equal(record?.path, '/ws/test');
    assert.equal(record?.authOk, null);
    assert.deepEqual(record?.messagesReceived, ['ping']);
  });
});
