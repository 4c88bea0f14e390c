import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startReferenceBackend } from '../../../src/reference/index.ts';
import { goldenPathCheck } from '../../support/fixtures.ts';
import { startRawServer } from '../../support/raw-server.ts';
import { runOnce } from '../../support/run.ts';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

/** A server that records each upgrade's `traceparent` and refuses the upgrade with 503. */
async function recordingServer(t: TestContext): Promise<{ url: string; traceparents: (string | null)[] }> {
  const traceparents: (string | null)[] = [];
  const server = await startRawServer(t, (connection) => {
    const values = [...connection.head.matchAll(/^traceparent:\s*(.*?)\s*$/gim)].map((m) => m[1] ?? '');
    traceparents.push(values.length === 1 ? (values[0] ?? null) : `${values.length} headers`);
    connection.socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  return { url: server.url, traceparents };
}

const SHORT = goldenPathCheck({ handshakeTimeoutMs: 1000, welcomeTimeoutMs: 1000, timeoutMs: 2000 });

describe('trace context on the upgrade', { concurrency: true }, () => {
  it('each run sends one sampled traceparent whose trace id is the result traceId, fresh per run', async (t) => {
    const server = await recordingServer(t);
    const first = await runOnce(server.url, SHORT);
    const second = await runOnce(server.url, SHORT);
    assert.deepEqual([first.result, first.httpStatus, second.result, second.httpStatus], ['failure', 503, 'failure', 503]);
    assert.equal(server.traceparents.length, 2);
    const parsed = server.traceparents.map((value) => TRACEPARENT.exec(value ?? ''));
    assert.ok(parsed[0] !== null && parsed[0] !== undefined, `malformed: ${server.traceparents[0]}`);
    assert.ok(parsed[1] !== null && parsed[1] !== undefined, `malformed: ${server.traceparents[1]}`);
    assert.equal(parsed[0][1], first.traceId);
    assert.equal(parsed[1][1], second.traceId);
    assert.notEqual(first.traceId, second.traceId);
    assert.notEqual(parsed[0][2], parsed[1][2]);
    for (const match of [parsed[0], parsed[1]]) {
      assert.doesNotMatch(match[1] ?? '', /^0+$/);
      assert.doesNotMatch(match[2] ?? '', /^0+$/);
    }
  });

  it("a target's own traceparent header is replaced by the run's", async (t) => {
    const server = await recordingServer(t);
    const configured = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const result = await runOnce(server.url, SHORT, undefined, { target: { headers: { TraceParent: configured } } });
    assert.equal(server.traceparents.length, 1);
    assert.equal(server.traceparents[0], `00-${result.traceId}-${TRACEPARENT.exec(server.traceparents[0] ?? '')?.[2]}-01`);
    assert.notEqual(result.traceId, 'a'.repeat(32));
  });

  it('the reference backend accepts the traceparent and the trace_id in the chat message, and the run succeeds', async (t) => {
    const backend = await startReferenceBackend();
    t.after(() => backend.close());
    const result = await runOnce(backend.url);
    assert.equal(result.result, 'success');
    assert.match(result.traceId ?? '', /^[0-9a-f]{32}$/);
    const [record] = backend.connections();
    assert.ok(record?.headerNames.includes('traceparent'), String(record?.headerNames));
    assert.deepEqual(record?.chatMessages.map((m) => [m.type, m.outcome]), [['user_message', 'run']]);
    const sent = result.transcript.entries.find((e) => e.dir === 'out' && e.type === 'user_message');
    const frame = JSON.parse(sent?.text ?? '{}') as { payload?: Record<string, unknown> };
    assert.equal(frame.payload?.['trace_id'], result.traceId);
  });
});
