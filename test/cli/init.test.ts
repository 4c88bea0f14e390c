import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/cli.ts';
import { INIT_HELP } from '../../src/cli/init.ts';
import type { Io } from '../../src/cli/usage.ts';

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function canary(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env,
    isTty: false,
    logStream: new PassThrough(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('canary init', { concurrency: true }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'canary-init-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [auth, env, next] of [
    ['jwt', { API_STAGING_EXAMPLE_COM_JWT_SECRET: 'init-test-secret' }, '  export API_STAGING_EXAMPLE_COM_JWT_SECRET=…\n'],
    ['bearer', { API_STAGING_EXAMPLE_COM_TOKEN: 'init-test-token' }, '  export API_STAGING_EXAMPLE_COM_TOKEN=…\n'],
    ['token_url', {}, ''],
    ['none', {}, ''],
  ] as const) {
    it(`writes a commented ${auth} target file that canary validate accepts`, async () => {
      const out = join(dir, `${auth}.yaml`);
      const written = await canary(['init', '--url', 'wss://api.staging.example.com/ws', '--auth', auth, '--out', out]);
      assert.deepEqual(written, {
        code: 0,
        stdout: `wrote ${out} (target api-staging-example-com, auth ${auth}, golden_path every 3m). Next:\n${next}  canary validate ${out}\n  canary run --config ${out}\n`,
        stderr: '',
      });
      const text = await readFile(out, 'utf8');
      assert.match(text, /^target: api-staging-example-com$/m);
      assert.match(text, /^url: "wss:\/\/api\.staging\.example\.com\/ws"$/m);
      assert.match(text, new RegExp(`^  type: ${auth}\\b`, 'm'));
      assert.ok(text.split('\n').filter((line) => line.includes('#')).length >= 8, text);
      assert.deepEqual(await canary(['validate', out], env), { code: 0, stdout: `${out}: ok (1 target(s), 1 check(s))\n`, stderr: '' });
    });
  }

  it('names the target as given and keeps an existing file unless --force', async () => {
    const out = join(dir, 'kept.yaml');
    await writeFile(out, 'mine\n');
    const args = ['init', '--url', 'ws://127.0.0.1:8765/ws', '--auth', 'none', '--target', 'lab', '--out', out];
    assert.deepEqual(await canary(args), { code: 2, stdout: '', stderr: `canary init: ${out} exists; pass --force to overwrite it\n` });
    assert.equal(await readFile(out, 'utf8'), 'mine\n');
    assert.equal((await canary([...args, '--force'])).code, 0);
    assert.match(await readFile(out, 'utf8'), /^target: lab$/m);
  });

  for (const [args, message] of [
    [['--auth', 'jwt'], 'init needs --url'],
    [['--url', 'wss://x.example/ws'], '--auth expects one of jwt, token_url, bearer, none, got nothing'],
    [['--url', 'wss://x.example/ws', '--auth', 'basic'], '--auth expects one of jwt, token_url, bearer, none, got "basic"'],
    [['--url', 'https://x.example/ws', '--auth', 'none'], '--url expects a ws:// or wss:// URL, got "https://…"'],
    [['--url', 'not a url', '--auth', 'none'], '--url expects a ws:// or wss:// URL, got "not a url"'],
    [['--url', 'wss://me:pw@x.example/ws', '--auth', 'none'], '--url must not carry credentials: the auth section brings them'],
    [['--url', 'wss://x.example/ws', '--auth', 'none', '--target', 'Prod!'], '--target expects lower case letters, digits, _ and -, got "Prod!"'],
  ] as const) {
    it(`exits 2 on ${args.join(' ')}`, async () => {
      assert.deepEqual(await canary(['init', ...args]), { code: 2, stdout: '', stderr: `canary init: ${message}\n\n${INIT_HELP}` });
    });
  }
});

describe('canary serve without a target', { concurrency: true }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'canary-empty-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const refusal = (at: string): string =>
    `canary serve: no targets configured: mount your checks at ${at} (one YAML file per target; canary init writes one), or run canary serve without --config for the demo\n`;

  it('exits 2 naming the folder when it holds only templates', async () => {
    const folder = join(dir, 'templates-only');
    await mkdir(folder);
    await writeFile(join(folder, 'staging.example.yaml'), 'target: staging\n');
    assert.deepEqual(await canary(['serve', '--config', folder, '--port', '0']), { code: 2, stdout: '', stderr: refusal(folder) });
  });

  it('exits 2 naming the folder when it does not exist', async () => {
    const folder = join(dir, 'not-mounted');
    assert.deepEqual(await canary(['serve', '--config', folder, '--port', '0']), { code: 2, stdout: '', stderr: refusal(folder) });
  });

  it('leaves a missing YAML file to the config error that names it', async () => {
    const file = join(dir, 'missing.yaml');
    assert.deepEqual(await canary(['serve', '--config', file, '--port', '0']), {
      code: 2,
      stdout: '',
      stderr: `canary: invalid config\n${file}: (file): cannot read: file not found\n`,
    });
  });
});
