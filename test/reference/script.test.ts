import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { parseFaults } from '../../src/reference/faults.ts';
import { planRun, plannedEvents, type RunStep } from '../../src/reference/script.ts';

const FIVE = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'];

function events(spec: string): string[] {
  return plannedEvents(planRun(parseFaults(spec), 5));
}

function shape(steps: readonly RunStep[]): string[] {
  return steps.map((s) => {
    switch (s.kind) {
      case 'event':
        return s.event.event;
      case 'extra':
        return `+${s.frame}`;
      case 'pause':
        return `~${s.ms}`;
      case 'close':
        return `close ${s.code} ${s.reason}`;
      case 'drop':
        return 'drop';
    }
  });
}

suite('planRun', { concurrency: true }, () => {
  const table: readonly (readonly [string, readonly string[]])[] = [
    ['', FIVE],
    ['reorder', ['agent_started', 'tool_executing', 'agent_thinking', 'tool_completed', 'agent_completed']],
    [
      'repeat',
      ['agent_started', 'agent_thinking', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'],
    ],
    ['drop_event=tool_completed', ['agent_started', 'agent_thinking', 'tool_executing', 'agent_completed']],
    ['agent_error', ['agent_started', 'agent_thinking', 'agent_error']],
    ['close_1000_early', ['agent_started']],
    ['close_1011_after=2', ['agent_started', 'agent_thinking']],
    ['close_1011_after=9', FIVE],
    ['stall_after=3', ['agent_started', 'agent_thinking', 'tool_executing']],
    ['drop_event=agent_started,stall_after=1', ['agent_thinking']],
    ['error_frame', []],
    [
      'lifecycle',
      [
        'thread_created',
        'agent_started',
        'agent_thinking',
        'agent_started',
        'agent_completed',
        'agent_started',
        'agent_completed',
        'agent_started',
        'agent_completed',
        'tool_executing',
        'tool_completed',
        'agent_progress',
        'agent_completed',
      ],
    ],
    ['handshake_incomplete,sub_agents=0,no_tools', ['thread_created', 'agent_started', 'agent_thinking', 'agent_progress', 'agent_completed']],
    ['timeout_warning', ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_timeout_warning', 'agent_completed']],
    ['timeout_failure', ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_timeout_failure']],
    ['lifecycle,sub_agents=0,timeout_warning,timeout_failure', ['thread_created', 'agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_progress', 'agent_timeout_warning', 'agent_timeout_failure']],
    ['lifecycle,close_1011_after=3', ['thread_created', 'agent_started', 'agent_thinking']],
    [
      'lifecycle,sub_agents=0,no_tools,chunking',
      ['thread_created', 'thread_ready_for_chunks', 'agent_started', 'agent_thinking', 'chunk_response_immediate', 'chunk_response_immediate', 'agent_aggregation_complete', 'agent_progress', 'agent_completed'],
    ],
    ['lifecycle,agent_error', ['thread_created', 'agent_started', 'agent_thinking', 'agent_error']],
    ['sub_agents=1,reorder', ['agent_started', 'tool_executing', 'agent_thinking', 'agent_started', 'agent_completed', 'tool_completed', 'agent_completed']],
  ];
  for (const [spec, expected] of table) {
    test(`events for ${JSON.stringify(spec)}`, () => {
      assert.deepEqual(events(spec), expected);
    });
  }

  test('third generation: sub-agents carry their index, the top-level completion is last with status done', () => {
    const steps = planRun(parseFaults('lifecycle,sub_agents=2'), 1).flatMap((s) => (s.kind === 'event' ? [s.event] : []));
    assert.deepEqual(steps.filter((e) => 'agent' in e), [
      { event: 'agent_started', agent: 1 },
      { event: 'agent_completed', status: 'done', agent: 1 },
      { event: 'agent_started', agent: 2 },
      { event: 'agent_completed', status: 'done', agent: 2 },
    ]);
    assert.deepEqual(steps.at(-1), { event: 'agent_completed', status: 'done' });
  });

  test('pauses delayMs between events only', () => {
    assert.deepEqual(shape(planRun({}, 7)), ['agent_started', '~7', 'agent_thinking', '~7', 'tool_executing', '~7', 'tool_completed', '~7', 'agent_completed']);
  });

  test('close_1011_after closes right after the Nth event', () => {
    assert.deepEqual(shape(planRun(parseFaults('close_1011_after=2'), 1)), ['agent_started', '~1', 'agent_thinking', 'close 1011 Internal error']);
    assert.deepEqual(shape(planRun(parseFaults('close_1011_after=0'), 1)), ['close 1011 Internal error']);
  });

  test('the smallest N wins among "after N" faults', () => {
    assert.deepEqual(shape(planRun(parseFaults('close_1011_after=3,drop_socket_after=1'), 1)), ['agent_started', 'drop']);
    assert.deepEqual(shape(planRun(parseFaults('close_code_after=4001@1,stall_after=4'), 1)), ['agent_started', 'close 4001 Injected close']);
  });

  test('close_1000_early closes after agent_started', () => {
    assert.deepEqual(shape(planRun(parseFaults('close_1000_early'), 1)), ['agent_started', 'close 1000 Normal closure']);
  });

  test('error_frame_1011 sends the error frame, waits 20 ms and closes 1011', () => {
    assert.deepEqual(shape(planRun(parseFaults('error_frame_1011'), 1)), ['+error', '~20', 'close 1011 Internal error']);
  });

  test('extra_frames spreads ack, heartbeat, ping, pong and status_update over the gaps', () => {
    assert.deepEqual(shape(planRun(parseFaults('extra_frames'), 1)), [
      'agent_started', '+ack', '+status_update', '~1',
      'agent_thinking', '+heartbeat', '~1',
      'tool_executing', '+ping', '~1',
      'tool_completed', '+pong', '~1',
      'agent_completed',
    ]);
  });

  test('unknown_shape and giant_frame follow agent_started', () => {
    assert.deepEqual(shape(planRun(parseFaults('unknown_shape,giant_frame'), 1)).slice(0, 4), ['agent_started', '+giant', '+unknown_shape', '~1']);
  });

  test('completed_error marks agent_completed as failed', () => {
    const last = planRun(parseFaults('completed_error'), 1).at(-1);
    assert.deepEqual(last, { kind: 'event', event: { event: 'agent_completed', status: 'error' } });
  });
});
