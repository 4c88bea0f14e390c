import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertConfigError, loadConfig, tempFiles } from '../../support/config.ts';

const HEAD = 'target: t\nurl: ws://127.0.0.1:1/ws\nchecks:\n  - name: storm\n    type: handshake_storm\n';

/** The one file's text with `lines` appended to its check (indented 4). */
const storm = (lines: string): string => `${HEAD}${lines}`;

const BAD: readonly { readonly name: string; readonly yaml: string; readonly expected: readonly string[] }[] = [
  { name: 'connections below 2', yaml: storm('    connections: 1\n'), expected: ['checks[0].connections: expected an integer from 2 to 50, got 1'] },
  { name: 'connections above 50', yaml: storm('    connections: 51\n'), expected: ['checks[0].connections: expected an integer from 2 to 50, got 51'] },
  { name: 'connections not whole', yaml: storm('    connections: 2.5\n'), expected: ['checks[0].connections: expected an integer from 2 to 50, got 2.5'] },
  { name: 'connections a word', yaml: storm('    connections: five\n'), expected: ['checks[0].connections: expected an integer from 2 to 50, got "five"'] },
  { name: 'window not a duration', yaml: storm('    window: 200\n'), expected: ['checks[0].window: expected a duration like "30s" or "500ms", got 200'] },
  { name: 'window of zero', yaml: storm('    window: 0ms\n'), expected: ['checks[0].window: expected a duration greater than 0, got "0ms"'] },
  {
    name: 'window as long as the timeout',
    yaml: storm('    timeout: 2s\n    slow_after: 1s\n    window: 2s\n'),
    expected: ['checks[0].window: expected less than timeout (2s), got "2s"'],
  },
  {
    name: 'default window not shorter than a tiny timeout',
    yaml: storm('    timeout: 200ms\n'),
    expected: ['checks[0].window: expected less than timeout (200ms), got the default 200ms'],
  },
  {
    name: 'a key of another check type',
    yaml: storm('    probes: [no_token]\n'),
    expected: ['checks[0].probes: unknown field'],
  },
];

suite('handshake_storm config', () => {
  for (const bad of BAD) {
    test(`rejects ${bad.name}`, (t) => assertConfigError(t, bad.yaml, bad.expected));
  }

  test('defaults: 5 connections within 200ms, and the walk settings of a golden path', async (t) => {
    const dir = await tempFiles(t, { 'a.yaml': storm('    timeout: 20s\n    welcome_timeout: 5s\n') });
    const config = await loadConfig(join(dir, 'a.yaml'), {});
    const check = config.targets[0]?.checks[0];
    assert.ok(check?.type === 'handshake_storm');
    assert.deepEqual(
      { connections: check.connections, windowMs: check.windowMs, timeoutMs: check.timeoutMs, welcomeTimeoutMs: check.welcomeTimeoutMs, handshakeTimeoutMs: check.handshakeTimeoutMs },
      { connections: 5, windowMs: 200, timeoutMs: 20_000, welcomeTimeoutMs: 5000, handshakeTimeoutMs: 10_000 },
    );
  });

  test('reads connections and window, also from the environment', async (t) => {
    const dir = await tempFiles(t, { 'a.yaml': storm('    connections: ${STORM_K}\n    window: 1s\n') });
    const config = await loadConfig(join(dir, 'a.yaml'), { STORM_K: '12' });
    const check = config.targets[0]?.checks[0];
    assert.ok(check?.type === 'handshake_storm');
    assert.deepEqual([check.connections, check.windowMs], [12, 1000]);
  });
});
