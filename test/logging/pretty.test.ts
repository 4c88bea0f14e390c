import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { createLogger } from '../../src/logging/logger.ts';
import { formatPretty } from '../../src/logging/pretty.ts';
import { createRunLogSink } from '../../src/logging/run-sink.ts';
import { failedResult, FIXED_CLOCK, MemoryDestination } from './test-helpers.ts';

const TIME = /^\d{2}:\d{2}:\d{2} /;

/** The line with its local-time prefix checked and cut off (the time zone is the machine's). */
function withoutTime(line: string | undefined): string {
  assert.match(line ?? '', TIME);
  return (line ?? '').replace(TIME, '');
}

suite('pretty output', () => {
  test('a failed run: one head line, then its transcript indented', () => {
    const out = new MemoryDestination();
    createRunLogSink(createLogger({ destination: out, pretty: true, clock: FIXED_CLOCK })).record(failedResult());
    const lines = out.lines();
    assert.deepEqual([withoutTime(lines[0]), ...lines.slice(1)], [
      'ERROR run failed: close_1011 in events  target=local check=golden_path run_id=run-2 type=golden_path result=failure ' +
        'phase=events reason=close_1011 detail="The server closed with 1011 (internal error)." closeCode=1011 ' +
        'closeReason="internal error" durationSeconds=0.46 phases=token:0.01,upgrade:0.02,welcome:0.03,events:0.4 ' +
        'events=agent_started:0.1 protocol=welcome:system_message,envelope:payload,subprotocol:jwt-auth ' +
        'startedAt=2025-01-02T03:04:00.000Z',
      '         0.0ms > upgrade GET /ws',
      '       100.3ms < text    {"type":"agent_started"}',
      '       400.0ms < close   1011 internal error',
    ]);
  });

  test('fractions are rounded for reading: three decimals from 1 up, three significant digits below', () => {
    const line = formatPretty({
      severity: 'INFO',
      time: '2025-01-02T03:04:00.000Z',
      message: 'run ok',
      durationSeconds: 0.0058853140000001075,
      slowSeconds: 12.345678,
      phases: { token: 0.00012345, events: 1.99999 },
      events: [{ name: 'agent_started', seconds: 0.123456 }],
      count: 7,
    });
    assert.equal(
      withoutTime(line),
      'INFO  run ok  durationSeconds=0.00589 slowSeconds=12.346 phases=token:0.000123,events:2 events=agent_started:0.123 count=7',
    );
  });

  test('the time is the entry’s, in local time', () => {
    const out = new MemoryDestination();
    createLogger({ destination: out, pretty: true, clock: FIXED_CLOCK }).info('x');
    const local = new Date(FIXED_CLOCK.nowMs());
    const expected = [local.getHours(), local.getMinutes(), local.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    assert.equal(out.lines()[0], `${expected} INFO  x`);
  });

  test('each severity has a five-column name', () => {
    const out = new MemoryDestination();
    const logger = createLogger({ destination: out, pretty: true, level: 'debug' });
    logger.debug('a');
    logger.info('a');
    logger.warning('a');
    logger.error('a');
    logger.critical('a');
    assert.deepEqual(
      out.lines().map(withoutTime),
      ['DEBUG a', 'INFO  a', 'WARN  a', 'ERROR a', 'CRIT  a'],
    );
  });

  test('control characters are escaped, so every entry stays one line and cannot drive the terminal', () => {
    const line = formatPretty({
      severity: 'WARNING',
      time: '2025-01-02T03:04:05.678Z',
      message: 'two\nlines\u001b[2J',
      frame: 'a\u001b]0;pwned\u0007b',
      list: ['ok', 'with space', 'tab\there'],
    });
    assert.equal(
      withoutTime(line),
      'WARN  two\\u000alines\\u001b[2J  frame="a\\u001b]0;pwned\\u0007b" list=ok,"with space","tab\\there"',
    );
  });

  test('an error shows its message, then its stack indented', () => {
    const error = new Error('boom');
    error.stack = 'Error: boom\n    at one (a.js:1:1)\n    at two (b.js:2:2)';
    const out = new MemoryDestination();
    createLogger({ destination: out, pretty: true }).error('handler failed', { err: error, route: '/checks/x/run' });
    assert.deepEqual(out.lines().map((l, i) => (i === 0 ? withoutTime(l) : l)), [
      'ERROR handler failed  err=boom route=/checks/x/run',
      '    at one (a.js:1:1)',
      '    at two (b.js:2:2)',
    ]);
  });

  test('pretty is the default on a TTY, JSON otherwise', () => {
    const tty = Object.assign(new MemoryDestination(), { isTTY: true });
    createLogger({ destination: tty, clock: FIXED_CLOCK }).info('hello');
    assert.match(tty.lines()[0] ?? '', /^\d{2}:\d{2}:\d{2} INFO  hello$/);
    const pipe = new MemoryDestination();
    createLogger({ destination: pipe, clock: FIXED_CLOCK }).info('hello');
    assert.equal(pipe.entries()[0]?.['message'], 'hello');
  });
});
