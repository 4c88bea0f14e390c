import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { suite, test } from 'node:test';
import { GIANT_FRAME_BYTES } from '../../src/reference/event-frames.ts';
import { FaultSpecError } from '../../src/reference/faults.ts';
import { bearer, connectForTest, startForTest, withFault, type TestClient } from './testkit.ts';

const FIVE = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'];
const AGENT_TYPES = new Set([...FIVE, 'agent_error']);
const ISO_PYTHON = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
const ISO_NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const QUESTION = 'What is my GPU spend?';
const USER = 'reference-user-001';

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `not an object: ${JSON.stringify(value)}`);
  return value as Json;
}

function num(value: unknown): number {
  assert.equal(typeof value, 'number');
  return value as number;
}

/** Connects with a valid token and reads the ping and the welcome. */
async function connectReady(t: Parameters<typeof startForTest>[0], url: string): Promise<TestClient> {
  const client = await connectForTest(t, url, { headers: await bearer() });
  assert.equal((await client.nextJson()).type, 'ping');
  const welcome = await client.nextJson();
  assert.ok(welcome.type === 'system_message' || welcome.type === 'connection_established', JSON.stringify(welcome));
  return client;
}

function ask(client: TestClient, extra: Json = {}): void {
  client.send({ type: 'user_message', payload: { content: QUESTION, thread_id: 'thread_123', run_id: null, ...extra } });
}

/** Every frame after the welcome, as JSON (non-JSON frames as text). */
function afterWelcome(client: TestClient): unknown[] {
  return client.allJson().slice(2);
}

function agentTypes(frames: readonly unknown[]): string[] {
  return frames.flatMap((f) => {
    const type = typeof f === 'object' && f !== null ? (f as Json)['type'] : undefined;
    return typeof type === 'string' && AGENT_TYPES.has(type) ? [type] : [];
  });
}

suite('default behaviour', { concurrency: true }, () => {
  test('golden path: ping before the old welcome, then five envelope-A events', async (t) => {
    const backend = await startForTest(t);
    const client = await connectForTest(t, backend.url, { headers: await bearer() });

    const ping = await client.nextJson();
    assert.deepEqual(ping, { type: 'ping', data: { timestamp: num(ping.timestamp) }, timestamp: ping.timestamp });

    const welcome = await client.nextJson();
    const data = obj(welcome.data);
    assert.match(String(data.connection_id), /^ws_ref_\d{10}_[0-9a-f]{8}$/);
    assert.match(String(data.server_time), ISO_PYTHON);
    assert.deepEqual(welcome, {
      type: 'system_message',
      data: {
        event: 'connection_established',
        connection_id: data.connection_id,
        user_id: USER,
        server_time: data.server_time,
        connection_ready: true,
        environment: 'reference',
        startup_complete: true,
        config: { heartbeat_interval: 25, max_message_size: 8192 },
        factory_pattern_enabled: true,
      },
      timestamp: num(welcome.timestamp),
      server_id: null,
      correlation_id: null,
    });

    ask(client);
    const events = await client.readUntil('agent_completed');
    assert.deepEqual(events.map((e) => e.type), FIVE);
    const runId = String(events[0]?.run_id);
    assert.match(runId, /^run_[0-9a-f]{12}$/);
    for (const e of events) {
      assert.deepEqual(Object.keys(e), ['type', 'run_id', 'thread_id', 'agent_name', 'timestamp', 'payload']);
      assert.equal(e.run_id, runId);
      assert.equal(e.thread_id, 'thread_123');
      assert.equal(e.agent_name, 'supervisor');
      assert.match(String(e.timestamp), ISO_PYTHON);
    }
    const payloads = events.map((e) => obj(e.payload));
    assert.deepEqual(payloads[0], { status: 'started', message: 'supervisor has started processing your request' });
    assert.deepEqual(payloads[1], { reasoning: `Step 1: working out how to answer "${QUESTION}"`, step_number: 1, progress_percentage: 20, status: 'thinking' });
    assert.deepEqual(payloads[2], { tool_name: 'cost_lookup', parameters: {}, status: 'executing' });
    assert.deepEqual(payloads[3], { tool_name: 'cost_lookup', result: {}, execution_time_ms: num(payloads[3]?.execution_time_ms), status: 'completed' });
    assert.deepEqual(payloads[4], {
      status: 'completed',
      result: { answer: `Reference answer to: ${QUESTION}` },
      execution_time_ms: num(payloads[4]?.execution_time_ms),
    });
    assert.ok(num(payloads[4]?.execution_time_ms) >= 15, 'four 5 ms gaps');

    const [record] = backend.connections();
    assert.deepEqual(record, {
      id: 1,
      path: '/ws',
      faults: '',
      offeredSubprotocols: [],
      selectedSubprotocol: null,
      headerNames: record?.headerNames,
      authOk: true,
      userId: USER,
      tokenSource: 'header',
      claims: record?.claims,
      pongsReceived: 0,
      messagesReceived: ['user_message'],
      environment: null,
      handshake: null,
      chatMessages: [{ type: 'user_message', threadId: 'thread_123', runId: null, text: QUESTION, outcome: 'run' }],
    });
    assert.equal(record?.claims?.['sub'], USER);
    assert.equal(record?.claims?.['token_type'], 'access');
    assert.ok(record?.headerNames.includes('authorization'));
    assert.ok(record?.headerNames.includes('sec-websocket-key'));
  });

  test('/websocket is an alias of /ws', async (t) => {
    const backend = await startForTest(t);
    const client = await connectReady(t, `${backend.httpUrl.replace('http', 'ws')}/websocket`);
    ask(client);
    assert.deepEqual((await client.readUntil('agent_completed')).map((e) => e.type), FIVE);
  });

  test('every chat message type starts a run, with its text and thread', async (t) => {
    const backend = await startForTest(t, { faults: 'envelope=data' });
    const client = await connectReady(t, backend.url);
    const messages: readonly (readonly [Json, string, string | null])[] = [
      [{ type: 'chat', payload: { text: 'via text' } }, 'via text', null],
      [{ type: 'message', payload: { message: 'via message', thread_id: 't-9' } }, 'via message', 't-9'],
      [{ type: 'user', content: 'flat content', thread_id: 't-flat' }, 'flat content', 't-flat'],
      [{ type: 'user_input', payload: { content: 'input' } }, 'input', null],
      [{ type: 'chat_message', text: 'flat text' }, 'flat text', null],
      [{ type: 'start_agent', payload: { user_request: 'the request', thread_id: 't-sa' } }, 'the request', 't-sa'],
    ];
    for (const [message, text, thread] of messages) {
      client.send(message);
      const events = await client.readUntil('agent_completed');
      const completed = obj(events.at(-1)?.data);
      assert.deepEqual(completed.result, { answer: `Reference answer to: ${text}` });
      if (thread === null) assert.match(String(completed.thread_id), /^thread_[0-9a-f]{12}$/);
      else assert.equal(completed.thread_id, thread);
    }
    assert.deepEqual(backend.connections()[0]?.messagesReceived, ['chat', 'message', 'user', 'user_input', 'chat_message', 'start_agent']);
  });

  test('client ping, heartbeat, unknown types and bad JSON', async (t) => {
    const backend = await startForTest(t);
    const client = await connectReady(t, backend.url);
    client.send({ type: 'ping' });
    const pong = await client.nextJson();
    assert.deepEqual(pong, { type: 'pong', timestamp: num(pong.timestamp) });
    client.send({ type: 'heartbeat' });
    const ack = await client.nextJson();
    assert.deepEqual(ack, { type: 'heartbeat_ack', status: 'healthy', timestamp: num(ack.timestamp) });
    client.send({ type: 'get_threads', payload: {} });
    const unknown = await client.nextJson();
    assert.deepEqual(unknown, { type: 'ack', received_type: 'get_threads', status: 'acknowledged', timestamp: num(unknown.timestamp) });
    client.send('{"type": "user_message", ');
    const bad = await client.nextJson();
    assert.deepEqual(bad, {
      type: 'error_message',
      error_code: 'FORMAT_ERROR',
      error_message: 'Invalid JSON message',
      details: { environment: 'reference' },
      timestamp: num(bad.timestamp),
      recovery_suggestions: null,
    });
    client.send('[1,2]');
    assert.equal((await client.nextJson()).error_code, 'FORMAT_ERROR');
    client.send({ type: 'pong' });
    client.send({ type: 'ping' });
    assert.equal((await client.nextJson()).type, 'pong');
    const record = backend.connections()[0];
    assert.deepEqual(record?.messagesReceived, ['ping', 'heartbeat', 'get_threads', 'pong', 'ping']);
    assert.equal(record?.pongsReceived, 1);
  });

  test('heartbeat pings follow every heartbeatIntervalMs, and client pongs are counted', async (t) => {
    const backend = await startForTest(t, { heartbeatIntervalMs: 40 });
    const client = await connectReady(t, backend.url);
    for (let i = 0; i < 3; i++) {
      assert.equal((await client.nextJson(500)).type, 'ping');
      client.send({ type: 'pong' });
    }
    await delay(20);
    assert.equal(backend.connections()[0]?.pongsReceived, 3);
    assert.deepEqual(obj((client.frames[1]?.json as Json).data).config, { heartbeat_interval: 0.04, max_message_size: 8192 });
  });

  test('messages over max_message_size are dropped silently; over 1 MiB close 1009', async (t) => {
    const backend = await startForTest(t);
    const client = await connectReady(t, backend.url);
    client.send({ type: 'user_message', payload: { content: 'x'.repeat(9000) } });
    client.send({ type: 'ping' });
    assert.equal((await client.nextJson()).type, 'pong');
    assert.deepEqual(backend.connections()[0]?.messagesReceived, ['ping']);
    client.send('y'.repeat(1024 * 1024 + 1));
    assert.deepEqual(await client.closeCode(), { code: 1009, reason: '' });
    const next = await connectReady(t, backend.url);
    ask(next);
    assert.deepEqual((await next.readUntil('agent_completed')).map((e) => e.type), FIVE);
  });

  test('a client leaving mid-run does not disturb the server', async (t) => {
    const backend = await startForTest(t, { eventDelayMs: 20 });
    const leaving = await connectReady(t, backend.url);
    ask(leaving);
    await leaving.nextJson();
    await leaving.terminate();
    const garbage = await connectReady(t, backend.url);
    garbage.ws.send(Buffer.from([0xff, 0x00, 0x13]), { binary: true });
    assert.equal((await garbage.nextJson()).error_code, 'FORMAT_ERROR');
    const next = await connectReady(t, backend.url);
    ask(next);
    assert.deepEqual((await next.readUntil('agent_completed')).map((e) => e.type), FIVE);
  });
});

suite('shape faults', { concurrency: true }, () => {
  test('welcome=new sends the newer welcome', async (t) => {
    const backend = await startForTest(t, { faults: 'welcome=new' });
    const client = await connectForTest(t, backend.url, { headers: await bearer() });
    assert.equal((await client.nextJson()).type, 'ping');
    const welcome = await client.nextJson();
    const data = obj(welcome.data);
    assert.match(String(data.connection_id), /^main_[0-9a-f]{16}$/);
    assert.match(String(data.timestamp), ISO_Z);
    assert.deepEqual(welcome, {
      type: 'connection_established',
      data: {
        mode: 'main',
        user_id: USER,
        connection_id: data.connection_id,
        golden_path_events: FIVE,
        features: {},
        timestamp: data.timestamp,
      },
      timestamp: num(welcome.timestamp),
    });
  });

  test('envelope=data puts fields and ids under data, with thought and tool', async (t) => {
    const backend = await startForTest(t, { faults: 'envelope=data' });
    const client = await connectReady(t, backend.url);
    ask(client);
    const events = await client.readUntil('agent_completed');
    assert.deepEqual(events.map((e) => e.type), FIVE);
    const runId = obj(events[0]?.data).run_id;
    for (const e of events) {
      assert.deepEqual(Object.keys(e), ['type', 'data', 'timestamp', 'critical', 'attempt']);
      assert.match(String(e.timestamp), ISO_NAIVE);
      assert.equal(e.critical, true);
      assert.equal(e.attempt, null);
    }
    const [started, thinking, executing, completedTool, completed] = events.map((e) => obj(e.data));
    const ids = (d: Json | undefined): Json => ({
      timestamp: num(d?.timestamp),
      run_id: runId,
      thread_id: 'thread_123',
      user_context: { user_id: USER, request_id: obj(d?.user_context).request_id },
    });
    assert.match(String(obj(executing?.user_context).request_id), /^req_[0-9a-f]{12}$/);
    assert.deepEqual(started, { status: 'started', message: 'supervisor has started processing your request', agent_name: 'supervisor', ...ids(started) });
    assert.deepEqual(thinking, { thought: `Step 1: working out how to answer "${QUESTION}"`, step_number: 1, progress_percentage: 20, status: 'thinking', ...ids(thinking) });
    assert.deepEqual(executing, { tool: 'cost_lookup', metadata: {}, status: 'executing', ...ids(executing) });
    assert.deepEqual(completedTool, { tool: 'cost_lookup', result: {}, execution_time_ms: num(completedTool?.execution_time_ms), status: 'completed', ...ids(completedTool) });
    assert.deepEqual(completed, {
      status: 'completed',
      result: { answer: `Reference answer to: ${QUESTION}` },
      execution_time_ms: num(completed?.execution_time_ms),
      ...ids(completed),
    });
  });

  test('nowMs is the clock stamped into frames, to the fraction of a millisecond', async (t) => {
    const stampMs = Date.now() + 0.125;
    const backend = await startForTest(t, { faults: 'envelope=data', nowMs: () => stampMs });
    const client = await connectForTest(t, backend.url, { headers: await bearer() });
    const ping = await client.nextJson();
    assert.deepEqual(ping, { type: 'ping', data: { timestamp: stampMs / 1000 }, timestamp: stampMs / 1000 });
    await client.nextJson();
    ask(client);
    const events = await client.readUntil('agent_completed');
    assert.deepEqual(
      events.map((e) => [e.type, obj(e.data).timestamp]),
      FIVE.map((type) => [type, stampMs / 1000]),
    );
    assert.equal(obj(events[4]?.data).execution_time_ms, 0);
  });

  test('envelope=flat puts every field at the top level', async (t) => {
    const backend = await startForTest(t, { faults: 'envelope=flat' });
    const client = await connectReady(t, backend.url);
    ask(client);
    const events = await client.readUntil('agent_completed');
    const executing = events[2];
    assert.deepEqual(executing, {
      type: 'tool_executing',
      run_id: events[0]?.run_id,
      thread_id: 'thread_123',
      agent_name: 'supervisor',
      timestamp: executing?.timestamp,
      tool_name: 'cost_lookup',
      parameters: {},
      status: 'executing',
    });
  });

  test('envelope=system_message wraps each event', async (t) => {
    const backend = await startForTest(t, { faults: 'envelope=system_message' });
    const client = await connectReady(t, backend.url);
    ask(client);
    const frames: Json[] = [];
    for (let i = 0; i < 5; i++) frames.push(await client.nextJson());
    assert.deepEqual(frames.map((f) => [f.type, f.event]), FIVE.map((e) => ['system_message', e]));
    const payload = obj(frames[0]?.payload);
    assert.deepEqual(frames[0], {
      type: 'system_message',
      event: 'agent_started',
      payload: {
        run_id: payload.run_id,
        thread_id: 'thread_123',
        agent_name: 'supervisor',
        timestamp: payload.timestamp,
        status: 'started',
        message: 'supervisor has started processing your request',
      },
      timestamp: num(frames[0]?.timestamp),
    });
  });

  test('per-connection ?fault= is merged over the server-wide faults', async (t) => {
    const backend = await startForTest(t, { faults: 'welcome=new,delay_ms=1' });
    const plain = await connectForTest(t, backend.url, { headers: await bearer() });
    await plain.nextJson();
    assert.equal((await plain.nextJson()).type, 'connection_established');
    const overridden = await connectForTest(t, withFault(backend.url, 'welcome=old,envelope=data'), { headers: await bearer() });
    await overridden.nextJson();
    assert.equal((await overridden.nextJson()).type, 'system_message');
    ask(overridden);
    assert.ok('data' in (await overridden.nextJson()));
    assert.deepEqual(
      backend.connections().map((r) => r.faults),
      ['welcome=new,delay_ms=1', 'welcome=old,envelope=data,delay_ms=1'],
    );
  });

  test('setFaults changes the server-wide faults for later connections and refuses a bad spec', async (t) => {
    const backend = await startForTest(t);
    backend.setFaults('welcome=new');
    const first = await connectForTest(t, backend.url, { headers: await bearer() });
    await first.nextJson();
    assert.equal((await first.nextJson()).type, 'connection_established');
    assert.throws(() => backend.setFaults('no_such_fault'), FaultSpecError);
    backend.setFaults('');
    const second = await connectForTest(t, backend.url, { headers: await bearer() });
    await second.nextJson();
    assert.equal((await second.nextJson()).type, 'system_message');
    assert.deepEqual(backend.connections().map((r) => r.faults), ['welcome=new', '']);
  });

  test('reorder, repeat and drop_event change the sequence', async (t) => {
    const backend = await startForTest(t);
    const cases: readonly (readonly [string, readonly string[]])[] = [
      ['reorder', ['agent_started', 'tool_executing', 'agent_thinking', 'tool_completed', 'agent_completed']],
      [
        'repeat',
        ['agent_started', 'agent_thinking', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'],
      ],
      ['drop_event=agent_thinking', ['agent_started', 'tool_executing', 'tool_completed', 'agent_completed']],
    ];
    for (const [spec, expected] of cases) {
      const client = await connectReady(t, withFault(backend.url, spec));
      ask(client);
      assert.deepEqual((await client.readUntil('agent_completed')).map((e) => e.type), expected, spec);
    }
  });

  test('extra_frames interleaves ack, heartbeat, ping, pong and status_update', async (t) => {
    const backend = await startForTest(t, { faults: 'extra_frames' });
    const client = await connectReady(t, backend.url);
    ask(client);
    const frames = await client.readUntil('agent_completed');
    assert.deepEqual(frames.map((f) => f.type), [
      'agent_started', 'ack', 'status_update',
      'agent_thinking', 'heartbeat',
      'tool_executing', 'ping',
      'tool_completed', 'pong',
      'agent_completed',
    ]);
    assert.deepEqual(frames[1], { type: 'ack', received_type: 'user_message', status: 'acknowledged', timestamp: num(frames[1]?.timestamp) });
    assert.deepEqual(obj(frames[2]?.data), { status: 'processing', run_id: frames[0]?.run_id, thread_id: 'thread_123' });
  });

  test('unknown_shape sends a frame without a type after agent_started', async (t) => {
    const backend = await startForTest(t, { faults: 'unknown_shape' });
    const client = await connectReady(t, backend.url);
    ask(client);
    const frames = await client.readUntil('agent_completed');
    assert.deepEqual(frames[1], { kind: 'mystery', run_id: frames[0]?.run_id });
    assert.deepEqual(agentTypes(frames), FIVE);
  });

  test('giant_frame sends exactly 2 MiB after agent_started; a small client cap fails on it', async (t) => {
    const backend = await startForTest(t, { faults: 'giant_frame' });
    const roomy = await connectReady(t, backend.url);
    ask(roomy);
    await roomy.nextJson();
    const giant = await roomy.next();
    assert.equal(Buffer.byteLength(giant.text), GIANT_FRAME_BYTES);
    assert.equal(obj(giant.json).type, 'agent_thinking');
    assert.equal(String(obj(obj(giant.json).payload).reasoning).length > 2_000_000, true);

    const capped = await connectForTest(t, backend.url, { headers: await bearer(), maxPayloadBytes: 64 * 1024 });
    await capped.nextJson();
    await capped.nextJson();
    ask(capped);
    const closed = await capped.closed;
    assert.deepEqual(agentTypes(afterWelcome(capped)), ['agent_started']);
    assert.equal((capped.errors[0] as NodeJS.ErrnoException | undefined)?.code, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    assert.equal(closed.code, 1006);
  });
});

suite('run faults', { concurrency: true }, () => {
  test('close_1011_after=2 sends exactly two events then closes 1011', async (t) => {
    const backend = await startForTest(t, { faults: 'close_1011_after=2' });
    const client = await connectReady(t, backend.url);
    ask(client);
    assert.deepEqual(await client.closeCode(), { code: 1011, reason: 'Internal error' });
    assert.deepEqual(agentTypes(afterWelcome(client)), ['agent_started', 'agent_thinking']);
  });

  test('close_code_after=4000@3 closes with 4000 after three events', async (t) => {
    const backend = await startForTest(t, { faults: 'close_code_after=4000@3' });
    const client = await connectReady(t, backend.url);
    ask(client);
    assert.deepEqual(await client.closeCode(), { code: 4000, reason: 'Injected close' });
    assert.deepEqual(agentTypes(afterWelcome(client)), ['agent_started', 'agent_thinking', 'tool_executing']);
  });

  test('drop_socket_after=3 drops the socket: the client sees 1006', async (t) => {
    const backend = await startForTest(t, { faults: 'drop_socket_after=3' });
    const client = await connectReady(t, backend.url);
    ask(client);
    assert.deepEqual(await client.closeCode(), { code: 1006, reason: '' });
    assert.deepEqual(agentTypes(afterWelcome(client)), ['agent_started', 'agent_thinking', 'tool_executing']);
  });

  test('close_1000_early closes 1000 after agent_started', async (t) => {
    const backend = await startForTest(t, { faults: 'close_1000_early' });
    const client = await connectReady(t, backend.url);
    ask(client);
    assert.deepEqual(await client.closeCode(), { code: 1000, reason: 'Normal closure' });
    assert.deepEqual(agentTypes(afterWelcome(client)), ['agent_started']);
  });

  test('agent_error sends agent_error after agent_thinking and keeps the socket open', async (t) => {
    const backend = await startForTest(t, { faults: 'agent_error' });
    const client = await connectReady(t, backend.url);
    ask(client);
    const frames = await client.readUntil('agent_error');
    assert.deepEqual(frames.map((f) => f.type), ['agent_started', 'agent_thinking', 'agent_error']);
    assert.deepEqual(frames[2]?.payload, { status: 'error', error_message: 'Agent execution failed: injected fault', error_context: {} });
    client.send({ type: 'ping' });
    assert.equal((await client.nextJson()).type, 'pong');
  });

  test('completed_error completes with status error', async (t) => {
    const backend = await startForTest(t, { faults: 'completed_error' });
    const client = await connectReady(t, backend.url);
    ask(client);
    const completed = (await client.readUntil('agent_completed')).at(-1);
    const payload = obj(completed?.payload);
    assert.deepEqual(payload, { status: 'error', result: null, error_message: 'Agent execution failed', execution_time_ms: num(payload.execution_time_ms) });
  });

  test('error_frame answers with an error frame only; the socket stays open', async (t) => {
    const backend = await startForTest(t, { faults: 'error_frame' });
    const client = await connectReady(t, backend.url);
    ask(client);
    assert.deepEqual(await client.nextJson(), { type: 'error', message: 'Agent execution failed' });
    client.send({ type: 'ping' });
    assert.equal((await client.nextJson()).type, 'pong');
  });

  test('error_frame_1011 sends the error frame, then closes 1011', async (t) => {
    const backend = await startForTest(t, { faults: 'error_frame_1011' });
    const client = await connectReady(t, backend.url);
    ask(client);
    assert.deepEqual(await client.nextJson(), { type: 'error', message: 'Agent execution failed' });
    assert.deepEqual(await client.closeCode(), { code: 1011, reason: 'Internal error' });
    assert.deepEqual(afterWelcome(client), [{ type: 'error', message: 'Agent execution failed' }]);
  });

  test('stall_after=2 sends two events, then only heartbeats', async (t) => {
    const backend = await startForTest(t, { faults: 'stall_after=2', heartbeatIntervalMs: 30 });
    const client = await connectReady(t, backend.url);
    ask(client);
    await delay(200);
    const frames = afterWelcome(client);
    assert.deepEqual(agentTypes(frames), ['agent_started', 'agent_thinking']);
    const types = new Set(frames.map((f) => obj(f).type));
    assert.deepEqual([...types].sort(), ['agent_started', 'agent_thinking', 'ping']);
    assert.equal(client.ws.readyState, client.ws.OPEN);
  });

  test('delay_ms spaces the events', async (t) => {
    const backend = await startForTest(t, { faults: 'delay_ms=60' });
    const client = await connectReady(t, backend.url);
    const start = Date.now();
    ask(client);
    await client.readUntil('agent_completed');
    assert.ok(Date.now() - start >= 240, `took ${Date.now() - start} ms`);
  });
});

suite('handshake faults', { concurrency: true }, () => {
  test('close_1011_handshake closes 1011 before ping and welcome', async (t) => {
    const backend = await startForTest(t, { faults: 'close_1011_handshake' });
    const client = await connectForTest(t, backend.url, { headers: await bearer() });
    assert.deepEqual(await client.closeCode(), { code: 1011, reason: 'Factory SSOT validation failed' });
    assert.deepEqual(client.frames, []);
  });

  test('drop_socket_handshake drops the socket after the 101', async (t) => {
    const backend = await startForTest(t, { faults: 'drop_socket_handshake' });
    const client = await connectForTest(t, backend.url, { headers: await bearer() });
    assert.deepEqual(await client.closeCode(), { code: 1006, reason: '' });
    assert.deepEqual(client.frames, []);
  });

  test('no_welcome, bad_welcome and wrong_welcome', async (t) => {
    const backend = await startForTest(t, { heartbeatIntervalMs: 60_000 });
    const none = await connectForTest(t, withFault(backend.url, 'no_welcome'), { headers: await bearer() });
    const bad = await connectForTest(t, withFault(backend.url, 'bad_welcome'), { headers: await bearer() });
    const wrong = await connectForTest(t, withFault(backend.url, 'wrong_welcome'), { headers: await bearer() });
    for (const client of [none, bad, wrong]) assert.equal((await client.nextJson()).type, 'ping');
    assert.equal((await bad.next()).text, '{"type": "system_message", "data": {');
    assert.deepEqual(await wrong.nextJson(), { type: 'hello' });
    await assert.rejects(none.next(150), { message: 'no frame within 150 ms' });
  });

  test('welcome_delay_ms holds the welcome, not the ping', async (t) => {
    const backend = await startForTest(t, { faults: 'welcome_delay_ms=200' });
    const client = await connectForTest(t, backend.url, { headers: await bearer() });
    assert.equal((await client.nextJson()).type, 'ping');
    assert.equal((await client.nextJson()).type, 'system_message');
    const [ping, welcome] = client.frames.map((f) => obj(f.json));
    const gapMs = (num(welcome?.timestamp) - num(ping?.timestamp)) * 1000;
    assert.ok(Math.round(gapMs) >= 199, `welcome sent ${gapMs} ms after the ping`);
  });

  test('pong_required: a pong releases the welcome', async (t) => {
    const backend = await startForTest(t, { faults: 'pong_required' });
    const client = await connectForTest(t, backend.url, { headers: await bearer() });
    assert.equal((await client.nextJson()).type, 'ping');
    client.send({ type: 'pong' });
    assert.equal((await client.nextJson()).type, 'system_message');
    assert.equal(backend.connections()[0]?.pongsReceived, 1);
  });

  test('pong_required: no pong within 2 s closes 1008 "Heartbeat timeout"', async (t) => {
    const backend = await startForTest(t, { faults: 'pong_required' });
    const client = await connectForTest(t, backend.url, { headers: await bearer() });
    assert.deepEqual(await client.closeCode(), { code: 1008, reason: 'Heartbeat timeout' });
    const waitedMs = (await client.closed).atMs - num(obj(client.frames[0]?.json).timestamp) * 1000;
    assert.ok(waitedMs >= 1995, `closed ${waitedMs} ms after the ping was sent`);
    assert.deepEqual(client.frames.map((f) => obj(f.json).type), ['ping']);
  });
});
