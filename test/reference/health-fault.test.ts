import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startForTest } from './testkit.ts';

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as unknown };
}

describe('reference backend: the health fault', { concurrency: true }, () => {
  it('answers the health, readiness and startup endpoints 503 with the start-up message (health=starting); liveness stays 200', async (t) => {
    const backend = await startForTest(t, { faults: 'health=starting' });
    const starting = { status: 503, body: { status: 'unhealthy', message: 'Startup in progress' } };
    assert.deepEqual(
      await Promise.all(['/health', '/health/ready', '/health/startup', '/health/live'].map((p) => get(`${backend.httpUrl}${p}`))),
      [starting, starting, starting, { status: 200, body: { status: 'alive' } }],
    );
  });

  it('answers 503 {"status":"unhealthy"} (health=unhealthy), and 200 again once setFaults clears it', async (t) => {
    const backend = await startForTest(t, { faults: 'health=unhealthy' });
    const sick = await get(`${backend.httpUrl}/health/ready`);
    backend.setFaults('');
    const well = await get(`${backend.httpUrl}/health/ready`);
    assert.deepEqual([sick, well], [{ status: 503, body: { status: 'unhealthy' } }, { status: 200, body: { status: 'ready' } }]);
  });
});
