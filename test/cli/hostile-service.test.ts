/**
 * Service-level proofs against hostile targets, on child processes: the linear redactor keeps the
 * event loop free under 1 MiB adversarial frames, and the cap on events kept per run bounds a
 * flooding agent. Peak memory is read from the live child (VmHWM).
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { until } from '../support/net.ts';
import { startCanary } from './cli-process.ts';

const MIB = 1024 * 1024;
const WELCOME = JSON.stringify({ type: 'connection_established', data: { user_id: 'u', connection_id: 'c' } });
const TIMEOUT_SECONDS = 3;

/** A `ws` server on a free loopback port: welcome, then `onMessage` for each client frame. */
async function hostileTarget(t: TestContext, onMessage: (socket: WebSocket) => void): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => [...offered][0] ?? false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => {
    socket.send(WELCOME);
    socket.on('message', () => onMessage(socket));
    socket.on('error', () => undefined);
  });
  t.after(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  return `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/ws`;
}

async function configFile(t: TestContext, url: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'canary-hostile-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'hostile.yaml');
  await writeFile(
    file,
    ['target: hostile', `url: ${url}`, 'auth:', '  type: jwt', '  secret: hostile-test-secret-0123456789', 'checks:',
      '  - name: golden_path', '    type: golden_path', `    timeout: ${TIMEOUT_SECONDS}s`, '    every: 60s', ''].join('\n'),
  );
  return file;
}

/** Peak resident set of a live child, in bytes, from /proc/<pid>/status VmHWM. */
async function peakRssBytes(child: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  assert.ok(kib !== undefined, 'VmHWM in /proc status');
  return Number(kib) * 1024;
}

describe('hostile targets against child processes', { concurrency: true, timeout: 30_000 }, () => {
  it('serve keeps /healthz answering within 1 s and ends the run by its deadline plus 1 s under 1 MiB adversarial frames, under 300 MB', async (t) => {
    const frames = ['eyJ'.repeat(Math.floor(MIB / 3)), 'jwt.'.repeat(MIB / 4)];
    const url = await hostileTarget(t, (socket) => {
      for (let i = 0; i < 4; i++) for (const frame of frames) socket.send(frame);
    });
    const { child, stdout } = startCanary(t, ['serve', '--port', '0', '--host', '127.0.0.1', '--config', await configFile(t, url)]);
    const base = await until('serve listening', () => Promise.resolve(/serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout())?.[1] ?? null), 15_000, 50);
    const started = Date.now();
    let finished: Record<string, unknown> | null = null;
    while (finished === null && Date.now() - started < (TIMEOUT_SECONDS + 4) * 1000) {
      const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
      assert.equal(health.status, 200);
      await health.arrayBuffer();
      const status = (await (await fetch(`${base}/status.json`, { signal: AbortSignal.timeout(1000) })).json()) as { checks: Record<string, unknown>[] };
      const check = status.checks[0];
      if (check !== undefined && check['lastRunId'] !== null) finished = check;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(finished !== null, 'the run finished');
    const timings = finished['timings'] as { durationSeconds: number };
    assert.ok(timings.durationSeconds <= TIMEOUT_SECONDS + 1, `run took ${timings.durationSeconds} s`);
    assert.deepEqual([finished['state'], finished['phase'], finished['reason']], ['failure', 'events', 'event_missing']);
    assert.ok((await peakRssBytes(child)) < 300 * MIB, 'serve under 300 MB');
  });

  it('canary run under an event flood ends by its deadline plus 1 s, under 256 MB', async (t) => {
    const event = JSON.stringify({ type: 'agent_thinking', run_id: 'r', payload: { status: 'thinking', reasoning: 'loop' } });
    let connectedAt = 0;
    const url = await hostileTarget(t, (socket) => {
      connectedAt = Date.now();
      const flood = (): void => {
        if (socket.readyState !== socket.OPEN) return;
        for (let i = 0; i < 2000 && socket.bufferedAmount < MIB; i++) socket.send(event);
        setTimeout(flood, 1);
      };
      flood();
    });
    const { child, stdout } = startCanary(t, ['run', '--json', '--config', await configFile(t, url)]);
    let peak = 0;
    const timer = setInterval(() => void peakRssBytes(child).then((bytes) => (peak = Math.max(peak, bytes)), () => undefined), 100);
    t.after(() => clearInterval(timer));
    const kill = setTimeout(() => child.kill('SIGKILL'), (TIMEOUT_SECONDS + 5) * 1000);
    t.after(() => clearTimeout(kill));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    clearInterval(timer);
    clearTimeout(kill);
    const record = JSON.parse(stdout()) as Record<string, unknown>;
    assert.deepEqual(
      [code, record['result'], record['phase'], record['reason'], record['missingEvent'], (record['events'] as unknown[]).length],
      [1, 'failure', 'events', 'event_missing', 'agent_started', 1000],
    );
    assert.ok((record['eventsDropped'] as number) > 0, 'the events past the cap are counted');
    // From the connection (the run's deadline started before it) to the process's exit: process
    // start-up, which a loaded machine can stretch, is not part of the run.
    assert.ok(connectedAt > 0 && Date.now() - connectedAt < (TIMEOUT_SECONDS + 1) * 1000, 'ends by the deadline plus one second');
    assert.ok(peak < 256 * MIB, `peak RSS ${peak} bytes`);
  });
});
