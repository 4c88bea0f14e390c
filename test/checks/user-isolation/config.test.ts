import assert from 'node:assert/strict';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { assertConfigError, loadConfig, tempFiles } from '../../support/config.ts';

const HEAD = 'target: t\nurl: ws://127.0.0.1:1/ws\n';
const JWT = 'auth:\n  type: jwt\n  secret: s3cret\n  subject: canary-staging\n';
const CHECK = 'checks:\n  - name: iso\n    type: user_isolation\n';

interface BadCase {
  readonly name: string;
  readonly yaml: string;
  /** The lines of `error.message` after `<file>: `. */
  readonly expected: readonly string[];
}

const BAD: readonly BadCase[] = [
  {
    name: 'auth none (the default)',
    yaml: `${HEAD}${CHECK}`,
    expected: [`checks[0].type: expected auth.type jwt for user_isolation (each identity's token is minted with its own sub), got "none"`],
  },
  {
    name: 'auth bearer',
    yaml: `${HEAD}auth:\n  type: bearer\n  token_env: TOKEN\n${CHECK}`,
    expected: [`checks[0].type: expected auth.type jwt for user_isolation (each identity's token is minted with its own sub), got "bearer"`],
  },
  {
    name: 'equal subjects',
    yaml: `${HEAD}${JWT}${CHECK}    subjects: [canary-x, canary-x]\n`,
    expected: ['checks[0].subjects[1]: duplicate subject "canary-x" (also checks[0].subjects[0])'],
  },
  {
    name: 'one subject',
    yaml: `${HEAD}${JWT}${CHECK}    subjects: [canary-x]\n`,
    expected: ['checks[0].subjects: expected two distinct subjects, got 1'],
  },
  {
    name: 'subjects not a list',
    yaml: `${HEAD}${JWT}${CHECK}    subjects: canary-x\n`,
    expected: ['checks[0].subjects: expected a list of two distinct subjects like [canary-a, canary-b], got "canary-x"'],
  },
  {
    name: 'an empty subject',
    yaml: `${HEAD}${JWT}${CHECK}    subjects: [canary-x, ""]\n`,
    expected: ['checks[0].subjects[1]: expected a non-empty string, got ""'],
  },
  {
    name: 'a golden_path field that is wrong, and an unknown key',
    yaml: `${HEAD}${JWT}${CHECK}    welcome_timeout: soon\n    subject: x\n`,
    expected: ['checks[0].subject: unknown field (did you mean "subjects"?)', 'checks[0].welcome_timeout: expected a duration like "30s" or "500ms", got "soon"'],
  },
];

suite('bad user_isolation checks: file → exact error text', { concurrency: true }, () => {
  for (const bad of BAD) {
    test(bad.name, (t) => assertConfigError(t, bad.yaml, bad.expected));
  }
});

test('user_isolation defaults: the walk defaults, subjects from auth.subject', async (t) => {
  const dir = await tempFiles(t, { 'a.yaml': `${HEAD}${JWT}${CHECK}` });
  const config = await loadConfig(join(dir, 'a.yaml'), {});
  const check = config.targets[0]?.checks[0];
  assert.ok(check?.type === 'user_isolation');
  assert.deepEqual(
    { type: check.type, subjects: check.subjects, timeoutMs: check.timeoutMs, expectedEvents: check.expectedEvents, message: check.message },
    {
      type: 'user_isolation',
      subjects: ['canary-staging-a', 'canary-staging-b'],
      timeoutMs: 150_000,
      expectedEvents: ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'],
      message: 'What is my GPU spend?',
    },
  );
});

test('user_isolation takes the subjects it is given', async (t) => {
  const dir = await tempFiles(t, { 'a.yaml': `${HEAD}${JWT}${CHECK}    subjects: [alice-canary, bob-canary]\n    timeout: 20s\n` });
  const check = (await loadConfig(join(dir, 'a.yaml'), {})).targets[0]?.checks[0];
  assert.ok(check?.type === 'user_isolation');
  assert.deepEqual([check.subjects, check.timeoutMs], [['alice-canary', 'bob-canary'], 20_000]);
});
