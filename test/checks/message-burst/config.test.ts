import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertConfigError, loadConfig, tempFiles } from '../../support/config.ts';

const HEAD = 'target: t\nurl: ws://127.0.0.1:1/ws\nchecks:\n  - name: burst\n    type: message_burst\n';

/** The one file's text with `lines` appended to its check (indented 4). */
const burst = (lines: string): string => `${HEAD}${lines}`;

const BAD: readonly { readonly name: string; readonly yaml: string; readonly expected: readonly string[] }[] = [
  { name: 'messages below 2', yaml: burst('    messages: 1\n'), expected: ['checks[0].messages: expected an integer from 2 to 20, got 1'] },
  { name: 'messages above 20', yaml: burst('    messages: 21\n'), expected: ['checks[0].messages: expected an integer from 2 to 20, got 21'] },
  { name: 'messages not whole', yaml: burst('    messages: 2.5\n'), expected: ['checks[0].messages: expected an integer from 2 to 20, got 2.5'] },
  { name: 'messages a word', yaml: burst('    messages: five\n'), expected: ['checks[0].messages: expected an integer from 2 to 20, got "five"'] },
  { name: 'a key of another check type', yaml: burst('    connections: 5\n'), expected: ['checks[0].connections: unknown field'] },
];

suite('message_burst config', () => {
  for (const bad of BAD) {
    test(`rejects ${bad.name}`, (t) => assertConfigError(t, bad.yaml, bad.expected));
  }

  test('defaults: 5 messages, and the walk settings of a golden path', async (t) => {
    const dir = await tempFiles(t, { 'a.yaml': burst('    timeout: 20s\n') });
    const config = await loadConfig(join(dir, 'a.yaml'), {});
    const check = config.targets[0]?.checks[0];
    assert.ok(check?.type === 'message_burst');
    assert.deepEqual({ messages: check.messages, timeoutMs: check.timeoutMs, expectedEvents: check.expectedEvents }, {
      messages: 5,
      timeoutMs: 20_000,
      expectedEvents: ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'],
    });
  });

  test('messages: 20 and an interpolated count are accepted', async (t) => {
    const dir = await tempFiles(t, { 'a.yaml': burst('    messages: ${N}\n') });
    const config = await loadConfig(join(dir, 'a.yaml'), { N: '20' });
    const check = config.targets[0]?.checks[0];
    assert.ok(check?.type === 'message_burst');
    assert.equal(check.messages, 20);
  });
});
