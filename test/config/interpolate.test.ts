import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { interpolate } from '../../src/config/interpolate.ts';

const ENV: NodeJS.ProcessEnv = { HOST: 'api.example.com', EMPTY: '', PORT: '443' };

function run(text: string): { readonly value: string | undefined; readonly problems: readonly string[] } {
  const problems: string[] = [];
  const value = interpolate(text, ENV, (message) => problems.push(message));
  return { value, problems };
}

suite('interpolate: text → value', () => {
  const table: readonly (readonly [string, string])[] = [
    ['no references', 'no references'],
    ['wss://${HOST}:${PORT}/ws', 'wss://api.example.com:443/ws'],
    ['${HOST:-other}', 'api.example.com'],
    ['${UNSET:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${UNSET:-}', ''],
    ['${EMPTY}', ''],
    ['${UNSET:-a:-b $x}', 'a:-b $x'],
    ['$${HOST}', '${HOST}'],
    ['$$${HOST}', '$${HOST}'],
    ['$HOST and $$ and $', '$HOST and $$ and $'],
    ['cost: $5 {braces}', 'cost: $5 {braces}'],
  ];
  for (const [text, value] of table) {
    test(JSON.stringify(text), () => assert.deepEqual(run(text), { value, problems: [] }));
  }
});

suite('interpolate: bad text → exact problems', () => {
  const table: readonly (readonly [string, readonly string[]])[] = [
    ['${UNSET}', ['environment variable UNSET is not set']],
    ['${A} and ${B}', ['environment variable A is not set', 'environment variable B is not set']],
    ['${host name}', ['expected ${NAME} or ${NAME:-default}, got "${host name}"']],
    ['${}', ['expected ${NAME} or ${NAME:-default}, got "${}"']],
    ['${1X}', ['expected ${NAME} or ${NAME:-default}, got "${1X}"']],
    ['${A:-${B}}', ['expected ${NAME} or ${NAME:-default}, got "${A:-${B}"']],
    ['ws://${HOST', ['expected ${NAME} or ${NAME:-default}, got "${HOST" (no closing "}")']],
  ];
  for (const [text, problems] of table) {
    test(JSON.stringify(text), () => assert.deepEqual(run(text), { value: undefined, problems }));
  }
});
