import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli } from './cli-process.ts';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** A bearer target that needs MY_TOKEN, MSG and ca.pem from its environment. */
const NEEDY = [
  'target: t',
  'url: ws://127.0.0.1:1/ws',
  'auth: {type: bearer, token_env: MY_TOKEN}',
  'tls: {ca_file: ca.pem}',
  'checks:',
  '  - type: golden_path',
  '    name: gp',
  '    message: "${MSG}"',
  '',
].join('\n');

async function needyFile(t: { after: (fn: () => Promise<void>) => void }, withCa: boolean): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'canary-validate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'a.yaml'), NEEDY);
  if (withCa) await writeFile(path.join(dir, 'ca.pem'), CA_PEM);
  return path.join(dir, 'a.yaml');
}

describe('canary validate: environment gaps', { concurrency: true }, () => {
  it('warns about each gap, naming field and variable or file, and exits 0', async (t) => {
    const file = await needyFile(t, false);
    const ca = path.join(path.dirname(file), 'ca.pem');
    const exit = await cli(t, ['validate', file]);
    assert.deepEqual(exit, {
      code: 0,
      stdout: `${file}: ok, but a run here would miss 3 thing(s) from the environment (--strict makes them errors)\n`,
      stderr: [
        `warning: ${file}: auth.token_env: environment variable MY_TOKEN is not set: every run would fail token_error`,
        `warning: ${file}: checks[0].message: environment variable MSG is not set`,
        `warning: ${file}: tls.ca_file: cannot read "${ca}": file not found`,
        '',
      ].join('\n'),
    });
  });

  it('--strict makes the gaps errors: exit 2', async (t) => {
    const file = await needyFile(t, false);
    const exit = await cli(t, ['validate', '--strict', file], { MSG: 'hello' });
    assert.deepEqual(exit, {
      code: 2,
      stdout: '',
      stderr: [
        'canary: invalid config',
        `${file}: auth.token_env: environment variable MY_TOKEN is not set: every run would fail token_error`,
        `${file}: tls.ca_file: cannot read "${path.join(path.dirname(file), 'ca.pem')}": file not found`,
        '',
      ].join('\n'),
    });
  });

  it('--strict with everything a run needs is ok', async (t) => {
    const file = await needyFile(t, true);
    const exit = await cli(t, ['validate', '--strict', file], { MSG: 'hello', MY_TOKEN: 'secret-token' });
    assert.deepEqual(exit, { code: 0, stdout: `${file}: ok (1 target(s), 1 check(s))\n`, stderr: '' });
  });

  it('a file error is still an error without --strict, listed with the gaps', async (t) => {
    const file = await needyFile(t, true);
    await writeFile(file, NEEDY.replace('name: gp', 'name: gp\n    timeout: 5x'));
    const exit = await cli(t, ['validate', file], { MY_TOKEN: 'secret-token' });
    assert.deepEqual(exit, {
      code: 2,
      stdout: '',
      stderr: [
        'canary: invalid config',
        `${file}: checks[0].timeout: expected a duration like "30s" or "500ms", got "5x"`,
        `${file}: checks[0].message: environment variable MSG is not set`,
        '',
      ].join('\n'),
    });
  });
});
