/**
 * The third generation's handshake against a scripted `ws` server that sends its frames in the
 * orders a real backend might and the reference backend does not: a late proposal, a completion
 * that overtakes its proposal, a welcome held until the acknowledgement, a proposal without a
 * thread, a top-level run id of its own, a deadline in the processing wait. Each asserts the
 * exact outcome.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenLoopback } from '../../support/net.ts';
import { goldenPathCheck, jwtAuth } from '../../support/fixtures.ts';
import { runOnce } from '../../support/run.ts';
import type { GoldenPathCheck } from '../../../src/config/types.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import http from 'node:http';

const WELCOME = JSON.stringify({ type: 'connection_established', data: { user_id: 'u1', connection_id: 'ws_conn_1' } });
const SESSION_TOKEN = 'sess_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const THREAD = 'thread_cli_25_e1cf9405';
const RUN = 'run_top_1';

function proposal(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'handshake_response', thread_id: THREAD, run_id: RUN, request_id: 'req_1', session_token: SESSION_TOKEN, message: 'Handshake complete', ...fields });
}

function event(type: string, runId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type, run_id: runId, thread_id: THREAD, agent_name: 'netra-assistant', payload: { status: type === 'agent_completed' ? 'done' : 'working', ...extra } });
}

/** The five events of a run answered under `runId`. */
function answer(ws: WebSocket, runId: string): void {
  for (const type of ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed']) ws.send(event(type, runId));
}

type Script = (ws: WebSocket, received: (type: string) => Promise<Record<string, unknown>>) => Promise<void>;

/** A `ws` server on a free loopback port that plays `script` on each connection; closed by `t.after`. */
async function scripted(t: TestContext, script: Script): Promise<string> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    const inbox: Record<string, unknown>[] = [];
    const waiting: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      const i = waiting.findIndex((w) => w.type === message['type']);
      if (i >= 0) waiting.splice(i, 1)[0]?.resolve(message);
      else inbox.push(message);
    });
    const received = (type: string): Promise<Record<string, unknown>> => {
      const i = inbox.findIndex((m) => m['type'] === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as Record<string, unknown>);
      return new Promise((resolve) => waiting.push({ type, resolve }));
    };
    script(ws, received).catch(() => ws.terminate());
  });
  const port = await listenLoopback(server);
  t.after(() => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.close();
  });
  return `ws://127.0.0.1:${port}/ws`;
}

function run(url: string, check: Partial<GoldenPathCheck> = {}): Promise<CheckResult> {
  return runOnce(url, goldenPathCheck({ timeoutMs: 2000, welcomeTimeoutMs: 1000, ...check }), jwtAuth('races-secret', { sendAs: ['header'] }));
}

function verdict(result: CheckResult): unknown[] {
  return [result.result, result.phase, result.reason, result.protocol.handshake ?? 'none'];
}

describe('third-generation handshake races', { concurrency: true }, () => {
  it('a proposal after the window: the message was sent too early, handshake_incomplete, not event_missing', async (t) => {
    const url = await scripted(t, async (ws) => {
      ws.send(WELCOME);
      setTimeout(() => ws.send(proposal()), 300);
    });
    const result = await run(url, { handshakeWindowMs: 100 });
    assert.deepEqual(verdict(result), ['failure', 'handshake', 'handshake_incomplete', 'none'], result.message ?? '');
    assert.match(result.message ?? '', /after handshake_window passed/);
  });

  it('a handshake_complete that overtakes its proposal is remembered: no wait for the welcome budget', async (t) => {
    const url = await scripted(t, async (ws, received) => {
      ws.send(WELCOME);
      ws.send(JSON.stringify({ type: 'handshake_complete' }));
      ws.send(proposal());
      const message = await received('user_message');
      assert.equal((message['payload'] as Record<string, unknown>)['thread_id'], THREAD);
      answer(ws, RUN);
    });
    const result = await run(url);
    assert.deepEqual(verdict(result), ['success', null, null, 'lifecycle'], result.message ?? '');
    assert.ok(result.durationSeconds < 0.9, `took ${result.durationSeconds} s`);
  });

  it('a welcome held until the acknowledgement: the proposal before it is acknowledged at once', async (t) => {
    const url = await scripted(t, async (ws, received) => {
      ws.send(proposal());
      const ack = await received('handshake_acknowledged');
      assert.equal(ack['thread_id'], THREAD);
      ws.send(WELCOME);
      ws.send(JSON.stringify({ type: 'handshake_complete' }));
      await received('user_message');
      answer(ws, RUN);
    });
    const result = await run(url);
    assert.deepEqual(verdict(result), ['success', null, null, 'lifecycle'], result.message ?? '');
  });

  it('a top-level run id other than the handshake\'s, with a sub-agent: the run ends at the top-level completion', async (t) => {
    const url = await scripted(t, async (ws, received) => {
      ws.send(WELCOME);
      ws.send(proposal());
      await received('handshake_acknowledged');
      ws.send(JSON.stringify({ type: 'handshake_complete' }));
      await received('user_message');
      ws.send(event('agent_started', 'run_own'));
      ws.send(event('agent_thinking', 'run_own'));
      ws.send(event('agent_started', 'run_sub'));
      ws.send(event('agent_completed', 'run_sub'));
      for (const type of ['tool_executing', 'tool_completed', 'agent_completed']) ws.send(event(type, 'run_own'));
    });
    const result = await run(url);
    assert.deepEqual(verdict(result), ['success', null, null, 'lifecycle'], result.message ?? '');
    assert.deepEqual(result.events.map((e) => e.name), [
      'agent_started', 'agent_thinking', 'agent_started', 'agent_completed', 'tool_executing', 'tool_completed', 'agent_completed',
    ]);
  });

  it('a proposal without a thread still has its session token redacted', async (t) => {
    const url = await scripted(t, async (ws) => {
      ws.send(WELCOME);
      ws.send(proposal({ thread_id: null }));
    });
    const result = await run(url, { handshake: 'require', handshakeWindowMs: 200 });
    assert.deepEqual(verdict(result), ['failure', 'handshake', 'handshake_incomplete', 'none'], result.message ?? '');
    const json = JSON.stringify(result);
    assert.match(json, /handshake_response/);
    assert.equal(json.includes(SESSION_TOKEN), false, 'the session token is in the result');
  });

  it('the run deadline in the processing wait says so, and is the connection\'s failure', async (t) => {
    const url = await scripted(t, async (ws, received) => {
      ws.send(WELCOME);
      ws.send(proposal());
      await received('handshake_acknowledged');
      ws.send(JSON.stringify({ type: 'handshake_complete' }));
    });
    const result = await run(url, { timeoutMs: 600, processingWaitMs: 5000 });
    assert.deepEqual(verdict(result), ['failure', 'handshake', 'handshake_incomplete', 'lifecycle'], result.message ?? '');
    assert.match(result.message ?? '', /handshake_complete came; the deadline passed during processing_wait/);
  });
});
