import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';
import { FaultSpecError } from '../../src/reference/faults.ts';
import { startReferenceBackend } from '../../src/reference/server.ts';
import { bearer, connectClient, withFault, type TestClient } from './testkit.ts';

const WATCHED = ['Timeout', 'Immediate', 'TCPWrap', 'TCPSocketWrap', 'TCPServerWrap'];

function watchedResources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => WATCHED.includes(r)).sort();
}

async function waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(5);
  }
}

test('close() cuts a hanging upgrade', async (t) => {
  const backend = await startReferenceBackend({ faults: 'upgrade_hang' });
  t.after(() => backend.close());
  const start = Date.now();
  const pending = connectClient(backend.url, { headers: await bearer(), timeoutMs: 10_000 }).then(
    () => assert.fail('upgrade was answered'),
    (err: unknown) => err,
  );
  await waitFor(() => backend.connections().length === 1);
  await backend.close();
  const err = (await pending) as NodeJS.ErrnoException;
  assert.equal(err.code, 'ECONNRESET');
  assert.ok(Date.now() - start < 1000, `took ${Date.now() - start} ms`);
  assert.equal(backend.connections()[0]?.authOk, null);
});

test('close() leaves no timers or sockets behind, whatever the connections are doing', async (t) => {
  const before = watchedResources();
  const backend = await startReferenceBackend({ heartbeatIntervalMs: 20, eventDelayMs: 1000 });
  t.after(() => backend.close());
  const clients: TestClient[] = [];
  const midRun = await connectClient(backend.url, { headers: await bearer() });
  await midRun.nextJson();
  await midRun.nextJson();
  midRun.send({ type: 'user_message', payload: { content: 'slow' } });
  await midRun.nextJson();
  clients.push(await connectClient(backend.url), midRun);
  clients.push(await connectClient(withFault(backend.url, 'pong_required'), { headers: await bearer() }));
  clients.push(await connectClient(withFault(backend.url, 'stall_after=1'), { headers: await bearer() }));
  clients.push(await connectClient(withFault(backend.url, 'close_1011_handshake'), { headers: await bearer() }));
  clients.push(await connectClient(`${backend.httpUrl.replace('http', 'ws')}/ws/test`));
  const hanging = connectClient(withFault(backend.url, 'upgrade_hang'), { timeoutMs: 10_000 }).catch((err: unknown) => err);
  await waitFor(() => backend.connections().length === 7);

  await backend.close();
  await backend.close();
  const closes = await Promise.all(clients.map((c) => c.closed));
  const [authRejected, ...others] = closes.map((c) => c.code);
  assert.ok(authRejected === 1006 || authRejected === 1008, `auth-rejected client closed ${authRejected}`);
  assert.deepEqual(others, [1006, 1006, 1006, 1011, 1006]);
  assert.equal(((await hanging) as NodeJS.ErrnoException).code, 'ECONNRESET');
  assert.deepEqual(watchedResources(), before);
});

test('an idle server releases its listener by the time close() resolves', async (t) => {
  const before = watchedResources();
  const backend = await startReferenceBackend();
  t.after(() => backend.close());
  assert.deepEqual(watchedResources(), [...before, 'TCPServerWrap'].sort());
  await backend.close();
  assert.deepEqual(watchedResources(), before);
});

test('a bad server-wide fault spec rejects the start', async () => {
  await assert.rejects(startReferenceBackend({ faults: 'close_1011_after=two' }), (err: unknown) => {
    assert.ok(err instanceof FaultSpecError);
    assert.equal(err.message, 'Invalid fault spec "close_1011_after=two": fault "close_1011_after" has a bad value "two": expected an integer from 0 to 1000000');
    return true;
  });
});
