import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { FAULT_NAMES, FAULT_SYNTAX, FAULTS, FaultSpecError, formatFaults, isThirdGeneration, mergeFaults, parseFaults, type FaultSet } from '../../src/reference/faults.ts';

const VALID_NAMES =
  'upgrade_hang, upgrade_status, auth_http, subprotocol, drop_socket_handshake, close_1011_handshake, storm_1011, auth_frame, ' +
  'test_bypass, accept_expired, pong_required, welcome_delay_ms, no_welcome, bad_welcome, wrong_welcome, welcome, envelope, delay_ms, ' +
  'error_frame, error_frame_1011, reorder, repeat, drop_event, extra_frames, unknown_shape, giant_frame, agent_error, ' +
  'completed_error, close_1000_early, close_1011_after, close_code_after, drop_socket_after, stall_after, ' +
  'leak_events, silent_agent, hygiene_1011, hygiene_events, oversize_1009, burst_drop, duplicate_completion, ' +
  'lifecycle, handshake_missing, handshake_first, handshake_incomplete, processing_delay_ms, sub_agents, no_tools, chunking, timeout_warning, timeout_failure, health';

suite('parseFaults', { concurrency: true }, () => {
  const valid: readonly (readonly [string, FaultSet])[] = [
    ['', {}],
    ['  ', {}],
    [' reorder , ,delay_ms=50,', { reorder: true, delay_ms: 50 }],
    ['close_1011_after=2,delay_ms=50', { close_1011_after: 2, delay_ms: 50 }],
    ['close_1011_after=0', { close_1011_after: 0 }],
    ['close_code_after=4000@3', { close_code_after: { code: 4000, after: 3 } }],
    ['auth_http=401', { auth_http: 401 }],
    ['upgrade_status=503', { upgrade_status: 503 }],
    ['envelope=system_message,welcome=new,subprotocol=new', { envelope: 'system_message', welcome: 'new', subprotocol: 'new' }],
    ['drop_event=agent_thinking', { drop_event: 'agent_thinking' }],
    ['upgrade_hang,giant_frame,pong_required', { upgrade_hang: true, giant_frame: true, pong_required: true }],
    ['lifecycle,sub_agents=0,processing_delay_ms=750', { lifecycle: true, sub_agents: 0, processing_delay_ms: 750 }],
    ['subprotocol=third,handshake_first,timeout_failure', { subprotocol: 'third', handshake_first: true, timeout_failure: true }],
  ];
  for (const [spec, expected] of valid) {
    test(`parses ${JSON.stringify(spec)}`, () => {
      assert.deepEqual(parseFaults(spec), expected);
    });
  }

  const invalid: readonly (readonly [string, string])[] = [
    ['bogus', `Invalid fault spec "bogus": unknown fault "bogus" (valid faults: ${VALID_NAMES})`],
    ['close_1011_after', 'Invalid fault spec "close_1011_after": fault "close_1011_after" needs a value: close_1011_after=N'],
    ['close_1011_after=', 'Invalid fault spec "close_1011_after=": fault "close_1011_after" needs a value: close_1011_after=N'],
    ['close_1011_after=x', 'Invalid fault spec "close_1011_after=x": fault "close_1011_after" has a bad value "x": expected an integer from 0 to 1000000'],
    ['close_1011_after=-1', 'Invalid fault spec "close_1011_after=-1": fault "close_1011_after" has a bad value "-1": expected an integer from 0 to 1000000'],
    ['reorder=1', 'Invalid fault spec "reorder=1": fault "reorder" takes no value, got "reorder=1"'],
    ['envelope=xml', 'Invalid fault spec "envelope=xml": fault "envelope" has a bad value "xml": expected one of payload, data, flat, system_message'],
    ['subprotocol=fourth', 'Invalid fault spec "subprotocol=fourth": fault "subprotocol" has a bad value "fourth": expected one of old, new, third'],
    ['welcome=newest', 'Invalid fault spec "welcome=newest": fault "welcome" has a bad value "newest": expected one of old, new'],
    ['auth_http=402', 'Invalid fault spec "auth_http=402": fault "auth_http" has a bad value "402": expected one of 401, 403'],
    ['upgrade_status=101', 'Invalid fault spec "upgrade_status=101": fault "upgrade_status" has a bad value "101": expected an HTTP status from 200 to 599'],
    ['delay_ms=1.5', 'Invalid fault spec "delay_ms=1.5": fault "delay_ms" has a bad value "1.5": expected an integer from 0 to 2147483647 (milliseconds)'],
    [
      'drop_event=agent_done',
      'Invalid fault spec "drop_event=agent_done": fault "drop_event" has a bad value "agent_done": expected one of agent_started, agent_thinking, tool_executing, tool_completed, agent_completed, agent_error',
    ],
    [
      'close_code_after=1006@2',
      'Invalid fault spec "close_code_after=1006@2": fault "close_code_after" has a bad value "1006@2": expected CODE@N with a sendable close code (1000-1003, 1007-1014, 3000-4999) and N from 0',
    ],
    ['delay_ms=1,delay_ms=2', 'Invalid fault spec "delay_ms=1,delay_ms=2": fault "delay_ms" is given more than once'],
    [
      'reorder,nope,delay_ms=x',
      `Invalid fault spec "reorder,nope,delay_ms=x": unknown fault "nope" (valid faults: ${VALID_NAMES}); fault "delay_ms" has a bad value "x": expected an integer from 0 to 2147483647 (milliseconds)`,
    ],
  ];
  for (const [spec, message] of invalid) {
    test(`rejects ${JSON.stringify(spec)}`, () => {
      assert.throws(() => parseFaults(spec), (err: unknown) => {
        assert.ok(err instanceof FaultSpecError);
        assert.equal(err.message, message);
        assert.equal(err.code, 'FAULT_SPEC_INVALID');
        assert.equal(err.spec, spec);
        return true;
      });
    });
  }

  test('collects every problem', () => {
    assert.throws(() => parseFaults('a,b=1,reorder'), (err: unknown) => {
      assert.ok(err instanceof FaultSpecError);
      assert.equal(err.problems.length, 2);
      return true;
    });
  });
});

suite('fault table', { concurrency: true }, () => {
  test('describes every fault on one line', () => {
    assert.deepEqual(Object.keys(FAULTS), [...FAULT_NAMES]);
    assert.equal(FAULT_NAMES.join(', '), VALID_NAMES);
    for (const name of FAULT_NAMES) {
      assert.ok(FAULTS[name].length > 10, name);
      assert.ok(!FAULTS[name].includes('\n'), name);
    }
  });

  test('shows the syntax of each fault', () => {
    assert.equal(FAULT_SYNTAX.reorder, 'reorder');
    assert.equal(FAULT_SYNTAX.close_1011_after, 'close_1011_after=N');
    assert.equal(FAULT_SYNTAX.delay_ms, 'delay_ms=MS');
    assert.equal(FAULT_SYNTAX.close_code_after, 'close_code_after=CODE@N');
    assert.equal(FAULT_SYNTAX.auth_http, 'auth_http=401|403');
    assert.equal(FAULT_SYNTAX.envelope, 'envelope=payload|data|flat|system_message');
  });

  test('formats a set canonically, in table order, and parses it back', () => {
    const spec = 'stall_after=3,close_code_after=4000@2,envelope=data,reorder,auth_http=403';
    const formatted = formatFaults(parseFaults(spec));
    assert.equal(formatted, 'auth_http=403,envelope=data,reorder,close_code_after=4000@2,stall_after=3');
    assert.deepEqual(parseFaults(formatted), parseFaults(spec));
  });

  test('the third generation is lifecycle or any fault that implies it', () => {
    for (const spec of ['lifecycle', 'handshake_missing', 'handshake_first', 'handshake_incomplete', 'processing_delay_ms=0']) {
      assert.equal(isThirdGeneration(parseFaults(spec)), true, spec);
    }
    for (const spec of ['', 'sub_agents=2', 'no_tools', 'timeout_warning', 'timeout_failure', 'subprotocol=third', 'welcome=new']) {
      assert.equal(isThirdGeneration(parseFaults(spec)), false, spec);
    }
  });

  test('per-connection faults replace server-wide ones of the same name', () => {
    const merged = mergeFaults(parseFaults('welcome=new,delay_ms=50'), parseFaults('delay_ms=1,reorder'));
    assert.deepEqual(merged, { welcome: 'new', delay_ms: 1, reorder: true });
  });
});
