import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { suite, test, type TestContext } from 'node:test';
import { PROCESSING_DELAY_MS } from '../../src/reference/lifecycle.ts';
import type { ConnectionRecord } from '../../src/reference/records.ts';
import type { ReferenceBackend } from '../../src/reference/server.ts';
import { bearer, connectForTest, startForTest, withFault, type TestClient } from './testkit.ts';

type Json = Record<string, unknown>;

const QUESTION = 'What is my GPU spend?';
const ANSWER = `Reference answer to: ${QUESTION}`;
const USER = 'reference-user-001';
/** How long a test waits to be sure nothing comes: well past the 5 ms event gaps of a whole run. */
const QUIET_MS = 300;

function obj(value: unknown): Json {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `not an object: ${JSON.stringify(value)}`);
  return value as Json;
}

function num(value: unknown): number {
  assert.equal(typeof value, 'number');
  return value as number;
}

interface Handshake {
  readonly client: TestClient;
  readonly response: Json;
  readonly threadId: string;
  readonly runId: string;
}

/** Connects with a valid token and reads the ping, the welcome and handshake_response. */
async function connectThird(t: TestContext, url: string): Promise<Handshake> {
  const client = await connectForTest(t, url, { headers: await bearer() });
  assert.equal((await client.nextJson()).type, 'ping');
  assert.equal((await client.nextJson()).type, 'connection_established');
  const response = await client.nextJson();
  assert.equal(response.type, 'handshake_response');
  return { client, response, threadId: String(response.thread_id), runId: String(response.run_id) };
}

function acknowledge(client: TestClient, threadId: string): void {
  client.send({ type: 'handshake_acknowledged', thread_id: threadId, timestamp: new Date().toISOString() });
}

/** The whole handshake: acknowledged, `handshake_complete` read, the processing phase waited for. */
async function ready(t: TestContext, url: string): Promise<Handshake> {
  const hs = await connectThird(t, url);
  acknowledge(hs.client, hs.threadId);
  assert.deepEqual(await hs.client.nextJson(), { type: 'handshake_complete' });
  await delay(PROCESSING_DELAY_MS + 100);
  return hs;
}

function ask(client: TestClient, threadId: string | null, runId: string | null): void {
  client.send({ type: 'user_message', payload: { content: QUESTION, thread_id: threadId, run_id: runId, timestamp: new Date().toISOString() } });
}

/** Reads frames until the top-level agent's completion or timeout failure (the one carrying `runId`). */
async function readRun(client: TestClient, runId: string): Promise<Json[]> {
  const out: Json[] = [];
  for (;;) {
    const frame = await client.nextJson();
    out.push(frame);
    if ((frame.type === 'agent_completed' || frame.type === 'agent_timeout_failure') && frame.run_id === runId) return out;
  }
}

/** `type` or `type:agent_name` for agent lifecycle events, so the order of agents shows. */
function sequence(frames: readonly Json[]): string[] {
  return frames.map((f) => (f.type === 'agent_started' || f.type === 'agent_completed' ? `${String(f.type)}:${String(f.agent_name)}` : String(f.type)));
}

async function expectQuiet(client: TestClient): Promise<void> {
  await assert.rejects(client.next(QUIET_MS), { message: `no frame within ${QUIET_MS} ms` });
}

function onlyRecord(backend: ReferenceBackend): ConnectionRecord {
  const [record, ...more] = backend.connections();
  assert.ok(record !== undefined);
  assert.equal(more.length, 0);
  return record;
}

const FULL_RUN = [
  'thread_created',
  'agent_started:netra-assistant',
  'agent_thinking',
  'agent_started:netra-assistant',
  'agent_completed:netra-assistant',
  'agent_started:MessageHandler',
  'agent_completed:MessageHandler',
  'agent_started:claude_code_optimizer',
  'agent_completed:claude_code_optimizer',
  'tool_executing',
  'tool_completed',
  'agent_progress',
  'agent_completed:netra-assistant',
];

suite('third generation: the lifecycle handshake', { concurrency: true }, () => {
  test('the exchange in order: welcome, handshake_response, acknowledgement, handshake_complete, then the run on the proposed thread', async (t) => {
    const backend = await startForTest(t);
    const { client, response, threadId, runId } = await connectThird(t, withFault(backend.url, 'lifecycle'));
    const welcome = obj(client.allJson()[1]);
    const welcomeData = obj(welcome.data);
    assert.match(String(welcomeData.connection_id), /^ws_conn_[0-9a-f]{16}$/);
    assert.equal(welcomeData.user_id, USER);

    assert.match(threadId, /^thread_ref_[0-9a-f]{12}$/);
    assert.match(runId, /^run_[0-9a-f]{12}$/);
    assert.match(String(response.request_id), /^req_[0-9a-f]{12}$/);
    assert.match(String(response.session_token), /^[A-Za-z0-9_-]{32}$/);
    assert.deepEqual(response, {
      type: 'handshake_response',
      thread_id: threadId,
      run_id: runId,
      request_id: response.request_id,
      session_token: response.session_token,
      timestamp: num(response.timestamp),
      message: 'Handshake complete',
    });

    acknowledge(client, threadId);
    assert.deepEqual(await client.nextJson(), { type: 'handshake_complete' });
    const completeAtMs = client.frames.at(-1)?.atMs ?? 0;
    await delay(PROCESSING_DELAY_MS + 100);
    ask(client, threadId, runId);
    const frames = await readRun(client, runId);
    assert.ok(frames.length > 0 && completeAtMs > 0);

    assert.deepEqual(sequence(frames), FULL_RUN);
    for (const f of frames) assert.equal(f.thread_id, threadId, JSON.stringify(f));
    assert.deepEqual(obj(frames[0]?.payload), { thread_id: threadId, timestamp: num(obj(frames[0]?.payload).timestamp) });

    const started = frames.filter((f) => f.type === 'agent_started');
    assert.equal(started[0]?.run_id, runId, 'the top-level agent runs under the handshake run_id');
    const subRunIds = started.slice(1).map((f) => String(f.run_id));
    assert.equal(new Set([runId, ...subRunIds]).size, 4, 'every agent has its own run_id');
    for (const sub of started.slice(1)) assert.deepEqual(obj(sub.payload), { status: 'started', message: `${String(sub.agent_name)} has started processing your request`, parent_run_id: runId });
    for (const done of frames.filter((f) => f.type === 'agent_completed').slice(0, -1)) {
      const payload = obj(done.payload);
      assert.deepEqual(payload, {
        status: 'done',
        result: { summary: `${String(done.agent_name)} finished its part` },
        execution_time_ms: num(payload.execution_time_ms),
        parent_run_id: runId,
      });
    }
    assert.deepEqual(obj(frames.find((f) => f.type === 'agent_progress')?.payload), {
      status: 'in_progress',
      progress_percentage: 80,
      message: 'Putting the answer together',
    });
    const last = frames.at(-1);
    assert.equal(last?.run_id, runId);
    assert.equal(last?.agent_name, 'netra-assistant');
    const lastPayload = obj(last?.payload);
    assert.deepEqual(lastPayload, { status: 'done', result: { answer: ANSWER, response: ANSWER }, execution_time_ms: num(lastPayload.execution_time_ms) });

    const record = onlyRecord(backend);
    assert.deepEqual(record.handshake, {
      threadId,
      runId,
      requestId: response.request_id,
      sessionToken: response.session_token,
      acknowledgedThreadId: threadId,
      completed: true,
      processing: true,
    });
    assert.deepEqual(record.chatMessages, [{ type: 'user_message', threadId, runId, text: QUESTION, outcome: 'run' }]);
    assert.deepEqual(record.messagesReceived, ['handshake_acknowledged', 'user_message']);
  });

  test('per server: lifecycle given server-wide, start_agent with the proposed thread is answered too', async (t) => {
    const backend = await startForTest(t, { faults: 'lifecycle' });
    const { client, threadId, runId } = await ready(t, backend.url);
    client.send({ type: 'start_agent', payload: { user_request: QUESTION, thread_id: threadId } });
    const frames = await readRun(client, runId);
    assert.deepEqual(sequence(frames), FULL_RUN);
    assert.deepEqual(onlyRecord(backend).chatMessages, [{ type: 'start_agent', threadId, runId: null, text: QUESTION, outcome: 'run' }]);
  });

  test('a message sent before the processing phase is silently lost: no error, no events', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await connectThird(t, withFault(backend.url, 'lifecycle'));
    ask(client, threadId, runId);
    acknowledge(client, threadId);
    assert.deepEqual(await client.nextJson(), { type: 'handshake_complete' });
    ask(client, threadId, runId);
    client.send({ type: 'bogus' });
    await expectQuiet(client);
    const record = onlyRecord(backend);
    assert.deepEqual(
      record.chatMessages.map((c) => c.outcome),
      ['before_processing', 'before_processing'],
    );
    assert.equal(record.handshake?.processing, true);

    ask(client, threadId, runId);
    assert.deepEqual(sequence(await readRun(client, runId)), FULL_RUN);
  });

  test('a message with a thread id other than the proposed one gets no events', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await ready(t, withFault(backend.url, 'lifecycle'));
    ask(client, 'thread_123', runId);
    ask(client, null, null);
    await expectQuiet(client);
    assert.deepEqual(onlyRecord(backend).chatMessages, [
      { type: 'user_message', threadId: 'thread_123', runId, text: QUESTION, outcome: 'wrong_thread' },
      { type: 'user_message', threadId: null, runId: null, text: QUESTION, outcome: 'wrong_thread' },
    ]);
    ask(client, threadId, null);
    assert.deepEqual(sequence(await readRun(client, runId)), FULL_RUN);
  });

  test('an acknowledgement of another thread never completes the handshake', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await connectThird(t, withFault(backend.url, 'lifecycle'));
    acknowledge(client, 'thread_mine');
    await expectQuiet(client);
    acknowledge(client, threadId);
    ask(client, threadId, runId);
    await expectQuiet(client);
    const record = onlyRecord(backend);
    assert.equal(record.handshake?.acknowledgedThreadId, 'thread_mine');
    assert.equal(record.handshake?.completed, false);
    assert.deepEqual(record.chatMessages.map((c) => c.outcome), ['before_processing']);
  });

  test('a client of an earlier generation (no acknowledgement) gets no events at all', async (t) => {
    const backend = await startForTest(t);
    const { client } = await connectThird(t, withFault(backend.url, 'lifecycle'));
    client.send({ type: 'user_message', payload: { content: QUESTION, thread_id: 'thread_123', run_id: null } });
    await expectQuiet(client);
    assert.deepEqual(onlyRecord(backend).chatMessages.map((c) => c.outcome), ['before_processing']);
  });

  test('pings are answered before the processing phase', async (t) => {
    const backend = await startForTest(t);
    const { client } = await connectThird(t, withFault(backend.url, 'lifecycle'));
    client.send({ type: 'ping' });
    assert.equal((await client.nextJson()).type, 'pong');
  });
});

suite('third generation: faults', { concurrency: true }, () => {
  test('handshake_missing: no handshake_response, a message right after the welcome is answered with third-generation events', async (t) => {
    const backend = await startForTest(t);
    const client = await connectForTest(t, withFault(backend.url, 'handshake_missing'), { headers: await bearer() });
    assert.equal((await client.nextJson()).type, 'ping');
    assert.equal((await client.nextJson()).type, 'connection_established');
    ask(client, 'thread_123', 'run_client');
    const frames = await readRun(client, 'run_client');
    assert.deepEqual(sequence(frames), FULL_RUN);
    for (const f of frames) assert.equal(f.thread_id, 'thread_123');
    const record = onlyRecord(backend);
    assert.equal(record.handshake, null);
    assert.equal(record.faults, 'handshake_missing');
    assert.deepEqual(record.chatMessages.map((c) => c.outcome), ['run']);
  });

  test('handshake_first: handshake_response comes before the welcome', async (t) => {
    const backend = await startForTest(t);
    const client = await connectForTest(t, withFault(backend.url, 'handshake_first'), { headers: await bearer() });
    assert.deepEqual(
      [await client.nextJson(), await client.nextJson(), await client.nextJson()].map((f) => f.type),
      ['ping', 'handshake_response', 'connection_established'],
    );
    const threadId = String(obj(client.allJson()[1]).thread_id);
    acknowledge(client, threadId);
    assert.deepEqual(await client.nextJson(), { type: 'handshake_complete' });
  });

  test('handshake_incomplete: the acknowledgement gets no handshake_complete and messages stay unread', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await connectThird(t, withFault(backend.url, 'handshake_incomplete'));
    acknowledge(client, threadId);
    await delay(PROCESSING_DELAY_MS + 100);
    ask(client, threadId, runId);
    await expectQuiet(client);
    const record = onlyRecord(backend);
    assert.deepEqual(record.handshake && { ack: record.handshake.acknowledgedThreadId, completed: record.handshake.completed, processing: record.handshake.processing }, {
      ack: threadId,
      completed: false,
      processing: false,
    });
    assert.deepEqual(record.chatMessages.map((c) => c.outcome), ['before_processing']);
    assert.equal(client.frames.length, 3);
  });

  test('processing_delay_ms: a message sent before the late processing phase is lost, one sent after is answered', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await connectThird(t, withFault(backend.url, 'processing_delay_ms=1000'));
    acknowledge(client, threadId);
    assert.deepEqual(await client.nextJson(), { type: 'handshake_complete' });
    await delay(PROCESSING_DELAY_MS + 100);
    ask(client, threadId, runId);
    await expectQuiet(client);
    await delay(700);
    ask(client, threadId, runId);
    assert.deepEqual(sequence(await readRun(client, runId)), FULL_RUN);
    assert.deepEqual(onlyRecord(backend).chatMessages.map((c) => c.outcome), ['before_processing', 'run']);
  });

  test('sub_agents=0: one agent_started, one agent_completed', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await ready(t, withFault(backend.url, 'lifecycle,sub_agents=0'));
    ask(client, threadId, runId);
    assert.deepEqual(sequence(await readRun(client, runId)), [
      'thread_created',
      'agent_started:netra-assistant',
      'agent_thinking',
      'tool_executing',
      'tool_completed',
      'agent_progress',
      'agent_completed:netra-assistant',
    ]);
  });

  test('sub_agents=5: names past the staging list are sub_agent_<n>', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await ready(t, withFault(backend.url, 'lifecycle,sub_agents=5,no_tools'));
    ask(client, threadId, runId);
    const frames = await readRun(client, runId);
    assert.deepEqual(
      frames.filter((f) => f.type === 'agent_started').map((f) => f.agent_name),
      ['netra-assistant', 'netra-assistant', 'MessageHandler', 'claude_code_optimizer', 'sub_agent_4', 'sub_agent_5'],
    );
  });

  test('no_tools: no tool events', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await ready(t, withFault(backend.url, 'lifecycle,no_tools'));
    ask(client, threadId, runId);
    assert.deepEqual(
      sequence(await readRun(client, runId)),
      FULL_RUN.filter((e) => !e.startsWith('tool_')),
    );
  });

  test('timeout_warning: agent_timeout_warning with elapsed, limit and remaining seconds, then the completion', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await ready(t, withFault(backend.url, 'lifecycle,timeout_warning'));
    ask(client, threadId, runId);
    const frames = await readRun(client, runId);
    assert.deepEqual(sequence(frames).slice(-3), ['agent_progress', 'agent_timeout_warning', 'agent_completed:netra-assistant']);
    const warning = frames.at(-2);
    assert.deepEqual(warning, {
      type: 'agent_timeout_warning',
      run_id: runId,
      thread_id: threadId,
      agent_name: 'netra-assistant',
      timestamp: warning?.timestamp,
      payload: { elapsed_seconds: 96, total_timeout_seconds: 120, remaining_seconds: 24, message: 'Agent execution is approaching its 120 s limit' },
    });
    assert.equal(obj(frames.at(-1)?.payload).status, 'done');
  });

  test('timeout_failure: agent_timeout_failure and no completion of the top-level agent; the socket stays open', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await ready(t, withFault(backend.url, 'lifecycle,timeout_failure'));
    ask(client, threadId, runId);
    const frames = await readRun(client, runId);
    assert.deepEqual(sequence(frames), [...FULL_RUN.slice(0, -1), 'agent_timeout_failure']);
    const failure = frames.at(-1);
    assert.deepEqual(failure, {
      type: 'agent_timeout_failure',
      run_id: runId,
      thread_id: threadId,
      agent_name: 'netra-assistant',
      timestamp: failure?.timestamp,
      payload: { timeout_seconds: 120, final_status: 'TIMEOUT', error: 'Agent execution timed out after 120 seconds' },
    });
    await expectQuiet(client);
    client.send({ type: 'ping' });
    assert.equal((await client.nextJson()).type, 'pong');
  });

  test('envelope=data in the third generation: run ids inside data, the top-level completion still last', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await ready(t, withFault(backend.url, 'lifecycle,envelope=data'));
    ask(client, threadId, runId);
    const frames: Json[] = [];
    for (;;) {
      const f = await client.nextJson();
      frames.push(f);
      if (f.type === 'agent_completed' && obj(f.data).run_id === runId) break;
    }
    assert.equal(frames.length, FULL_RUN.length);
    assert.deepEqual(obj(obj(frames.at(-1)?.data).result), { answer: ANSWER, response: ANSWER });
  });

  test('chunking: the long-document events, each with the thread and the top-level run id', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await ready(t, withFault(backend.url, 'lifecycle,chunking,sub_agents=0,no_tools'));
    ask(client, threadId, runId);
    const frames = await readRun(client, runId);
    assert.deepEqual(sequence(frames), [
      'thread_created',
      'thread_ready_for_chunks',
      'agent_started:netra-assistant',
      'agent_thinking',
      'chunk_response_immediate',
      'chunk_response_immediate',
      'agent_aggregation_complete',
      'agent_progress',
      'agent_completed:netra-assistant',
    ]);
    assert.deepEqual(
      frames.slice(1, 7).filter((f) => f.type !== 'agent_started' && f.type !== 'agent_thinking').map((f) => [f.run_id, f.thread_id, f.payload]),
      [
        [runId, threadId, { thread_id: threadId, total_chunks: 2, status: 'ready' }],
        [runId, threadId, { chunk_index: 0, total_chunks: 2, content: 'Part 1 of the document, read' }],
        [runId, threadId, { chunk_index: 1, total_chunks: 2, content: 'Part 2 of the document, read' }],
        [runId, threadId, { total_chunks: 2, status: 'complete', message: 'Chunk responses aggregated' }],
      ],
    );
  });

  test('duplicate_completion repeats only the top-level completion', async (t) => {
    const backend = await startForTest(t);
    const { client, threadId, runId } = await ready(t, withFault(backend.url, 'lifecycle,duplicate_completion,sub_agents=1'));
    ask(client, threadId, runId);
    const frames = await readRun(client, runId);
    frames.push(await client.nextJson());
    assert.deepEqual(sequence(frames).slice(3), ['agent_started:netra-assistant', 'agent_completed:netra-assistant', 'tool_executing', 'tool_completed', 'agent_progress', 'agent_completed:netra-assistant', 'agent_completed:netra-assistant']);
    assert.deepEqual(frames.slice(-2).map((f) => f.run_id), [runId, runId]);
  });

  test('the run faults work in earlier generations too: sub_agents, no_tools, timeout_failure', async (t) => {
    const backend = await startForTest(t);
    const client = await connectForTest(t, withFault(backend.url, 'sub_agents=1,no_tools,timeout_failure'), { headers: await bearer() });
    assert.equal((await client.nextJson()).type, 'ping');
    assert.equal((await client.nextJson()).type, 'system_message');
    ask(client, 'thread_123', null);
    const frames = await client.readUntil('agent_timeout_failure');
    assert.deepEqual(sequence(frames), [
      'agent_started:supervisor',
      'agent_thinking',
      'agent_started:netra-assistant',
      'agent_completed:netra-assistant',
      'agent_timeout_failure',
    ]);
    assert.equal(obj(frames[3]?.payload).status, 'completed');
  });
});
