import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertConfigError, loadConfig, tempFiles } from '../../support/config.ts';

const HEAD = 'target: t\nurl: ws://127.0.0.1:1/ws\n';
const JWT = 'auth:\n  type: jwt\n  secret: s3cret\n';
const BEARER = 'auth:\n  type: bearer\n  token_env: CANARY_TOKEN\n';
const CHECK = 'checks:\n  - name: authz\n    type: auth_enforcement\n';

/** A file with `auth` (YAML lines, or '' for none) and `lines` appended to its one check. */
const file = (auth: string, lines = ''): string => `${HEAD}${auth}${CHECK}${lines}`;

const ALL = 'no_token, expired, wrong_key, wrong_issuer, wrong_token_type, bypass_headers';
const NEEDS_JWT = 'needs auth.type jwt (the canary signs the forged tokens with its key)';

const BAD: readonly { readonly name: string; readonly yaml: string; readonly expected: readonly string[] }[] = [
  {
    name: 'a probe that needs the key, with bearer auth',
    yaml: file(BEARER, '    probes: [no_token, expired]\n'),
    expected: [`checks[0].probes[1]: "expired" ${NEEDS_JWT}`],
  },
  {
    name: 'every probe that needs the key, without auth',
    yaml: file('', '    probes: [wrong_issuer, wrong_key, wrong_token_type]\n'),
    expected: [`checks[0].probes[0]: "wrong_issuer" ${NEEDS_JWT}`, `checks[0].probes[2]: "wrong_token_type" ${NEEDS_JWT}`],
  },
  {
    name: 'an unknown probe',
    yaml: file(JWT, '    probes: [stolen_cookie]\n'),
    expected: [`checks[0].probes[0]: expected one of ${ALL}, got "stolen_cookie"`],
  },
  {
    name: 'a duplicate probe',
    yaml: file(JWT, '    probes: [no_token, wrong_key, no_token]\n'),
    expected: ['checks[0].probes[2]: duplicate probe "no_token" (also checks[0].probes[0])'],
  },
  {
    name: 'an empty list of probes',
    yaml: file(JWT, '    probes: []\n'),
    expected: [`checks[0].probes: expected a non-empty list of probes (${ALL}), got an empty list`],
  },
  {
    name: 'probes that are not a list',
    yaml: file(JWT, '    probes: no_token\n'),
    expected: [`checks[0].probes: expected a non-empty list of probes (${ALL}), got "no_token"`],
  },
  {
    name: 'a key of another check type',
    yaml: file(JWT, '    connections: 5\n'),
    expected: ['checks[0].connections: unknown field'],
  },
];

suite('auth_enforcement config', () => {
  for (const bad of BAD) {
    test(`rejects ${bad.name}`, (t) => assertConfigError(t, bad.yaml, bad.expected));
  }

  const DEFAULTS: readonly [string, string, readonly string[]][] = [
    ['jwt', JWT, ['no_token', 'expired', 'wrong_key', 'wrong_issuer', 'wrong_token_type', 'bypass_headers']],
    ['bearer', BEARER, ['no_token', 'wrong_key', 'bypass_headers']],
    ['none', '', ['no_token', 'wrong_key', 'bypass_headers']],
  ];
  for (const [type, auth, probes] of DEFAULTS) {
    test(`probes default to every probe auth.type ${type} allows`, async (t) => {
      const dir = await tempFiles(t, { 'a.yaml': file(auth) });
      const config = await loadConfig(join(dir, 'a.yaml'), {});
      const check = config.targets[0]?.checks[0];
      assert.ok(check?.type === 'auth_enforcement');
      assert.deepEqual(check.probes, probes);
    });
  }

  test('keeps the configured probes in their order', async (t) => {
    const dir = await tempFiles(t, { 'a.yaml': file(BEARER, '    probes: [bypass_headers, no_token]\n') });
    const config = await loadConfig(join(dir, 'a.yaml'), {});
    const check = config.targets[0]?.checks[0];
    assert.ok(check?.type === 'auth_enforcement');
    assert.deepEqual(check.probes, ['bypass_headers', 'no_token']);
  });
});
