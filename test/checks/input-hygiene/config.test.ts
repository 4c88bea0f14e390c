import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertConfigError, loadConfig, tempFiles } from '../../support/config.ts';

const HEAD = 'target: t\nurl: ws://127.0.0.1:1/ws\nchecks:\n  - name: hygiene\n    type: input_hygiene\n';
const hygiene = (lines: string): string => `${HEAD}${lines}`;

const BAD: readonly { readonly name: string; readonly yaml: string; readonly expected: readonly string[] }[] = [
  {
    name: 'an unknown answer',
    yaml: hygiene('    accept: [error_frame, close_1011]\n'),
    expected: ['checks[0].accept[1]: expected one of error_frame, silent_drop, close_1009, got "close_1011"'],
  },
  {
    name: 'an empty accept',
    yaml: hygiene('    accept: []\n'),
    expected: ['checks[0].accept: expected a non-empty list of answers (error_frame, silent_drop, close_1009), got an empty list'],
  },
  {
    name: 'a repeated answer',
    yaml: hygiene('    accept: [silent_drop, silent_drop]\n'),
    expected: ['checks[0].accept[1]: duplicate answer "silent_drop" (also checks[0].accept[0])'],
  },
  { name: 'answer_window not a duration', yaml: hygiene('    answer_window: 1\n'), expected: ['checks[0].answer_window: expected a duration like "30s" or "500ms", got 1'] },
  { name: 'answer_window of zero', yaml: hygiene('    answer_window: 0s\n'), expected: ['checks[0].answer_window: expected a duration greater than 0, got "0s"'] },
  {
    name: 'two answer windows as long as the timeout',
    yaml: hygiene('    timeout: 2s\n    slow_after: 1s\n    answer_window: 1s\n'),
    expected: ['checks[0].answer_window: expected less than half of timeout (2s), got "1s"'],
  },
  {
    name: 'the default answer_window against a tiny timeout',
    yaml: hygiene('    timeout: 2s\n    slow_after: 1s\n'),
    expected: ['checks[0].answer_window: expected less than half of timeout (2s), got the default 1s'],
  },
  { name: 'a key of another check type', yaml: hygiene('    connections: 3\n'), expected: ['checks[0].connections: unknown field'] },
];

suite('input_hygiene config', () => {
  for (const bad of BAD) {
    test(`rejects ${bad.name}`, (t) => assertConfigError(t, bad.yaml, bad.expected));
  }

  test('defaults: every answer accepted, a 1s answer window, and the walk settings of a golden path', async (t) => {
    const dir = await tempFiles(t, { 'a.yaml': hygiene('') });
    const config = await loadConfig(join(dir, 'a.yaml'), {});
    const check = config.targets[0]?.checks[0];
    assert.ok(check?.type === 'input_hygiene');
    assert.deepEqual([check.accept, check.answerWindowMs, check.timeoutMs], [['error_frame', 'silent_drop', 'close_1009'], 1000, 150_000]);
  });

  test('reads accept and answer_window', async (t) => {
    const dir = await tempFiles(t, { 'a.yaml': hygiene('    accept: [close_1009, error_frame]\n    answer_window: ${WINDOW}\n') });
    const config = await loadConfig(join(dir, 'a.yaml'), { WINDOW: '250ms' });
    const check = config.targets[0]?.checks[0];
    assert.ok(check?.type === 'input_hygiene');
    assert.deepEqual([check.accept, check.answerWindowMs], [['close_1009', 'error_frame'], 250]);
  });
});
