import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReferenceBackend, type ReferenceBackend } from '../../src/reference/index.ts';
import { valueOf } from '../metrics/test-helpers.ts';
import { freePort, until } from '../support/net.ts';
import { jwtTargetFile } from './cli-process.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const SIGNING_SECRET = 'serve-test-signing-secret-4c1d9e';
const ADMIN_TOKEN = 'serve-test-admin-token-93ab07';
const JWT_SHAPED = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/;
const SUBPROTOCOL_TOKEN = /jwt\.ZXlK/;

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `canary serve` and waits for the line that says where it listens. */
function serve(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Served> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}\n${err}`)), 15_000);
    const onData = (): void => {
      const match = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ child, url: match[1], stdout: () => out, stderr: () => err, exited });
    };
    child.stdout.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`serve exited before listening:\n${out}\n${err}`));
    });
  });
}

/** How long a test waits for the served process to get somewhere. */
const WAIT_MS = 15_000;

async function stop(served: Served): Promise<number> {
  if (served.child.exitCode !== null) return served.child.exitCode;
  served.child.kill('SIGTERM');
  const { code } = await served.exited;
  return code ?? -1;
}

describe('canary serve', { concurrency: true }, () => {
  let dir: string;
  let backend: ReferenceBackend;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'canary-serve-'));
    backend = await startReferenceBackend({ secret: SIGNING_SECRET });
  });
  after(async () => {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function configFile(name: string, url: string, every: string, timeout = '5s'): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, jwtTargetFile(name, url, { every, timeout, slow_after: '4s' }));
    return file;
  }

  it('with no config serves the embedded reference backend with canary_check_up 1 within seconds', async (t) => {
    const served = await serve([], {});
    t.after(() => stop(served));
    const text = await until('up=1 from the start-up run', async () => {
      const body = await (await fetch(`${served.url}/metrics`)).text();
      return valueOf(body, 'canary_check_up', { check: 'golden_path', target: 'local' }) === 1 ? body : null;
    }, WAIT_MS);
    assert.equal(valueOf(text, 'canary_check_runs_total', { check: 'golden_path', target: 'local', result: 'failure' }), 0);
    assert.equal((await fetch(`${served.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${served.url}/readyz`)).status, 200);
    assert.equal(await stop(served), 0);
  });

  it('exits 0 within 8 s on SIGTERM while a run is in flight, and logs the cancelled run', async () => {
    const stalled = `${backend.url}?fault=stall_after%3D1`;
    const served = await serve(['--config', await configFile('stalled', stalled, '1m', '60s')], { TEST_SIGNING_SECRET: SIGNING_SECRET });
    await until('the run to be in flight', async () => {
      const status = (await (await fetch(`${served.url}/status.json`)).json()) as { checks: { running: boolean }[] };
      return status.checks[0]?.running === true ? true : null;
    }, WAIT_MS);
    const started = Date.now();
    served.child.kill('SIGTERM');
    const { code } = await served.exited;
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
    const entries = served.stdout().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const run = entries.find((e) => e['reason'] === 'cancelled');
    assert.equal(run?.['severity'], 'WARNING');
    assert.equal(entries.at(-1)?.['message'], 'stopped');
  });

  it('exits 2 with every config error and leaves nothing listening', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'target: Bad!\nurl: http://x\nchecks: []\n');
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN, 'serve', '--config', bad, '--port', String(port), '--host', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /bad\.yaml: target: expected a label value matching \[a-z0-9_-\]\+, got "Bad!"/);
    assert.match(err, /bad\.yaml: url: expected a URL starting with ws:\/\/ or wss:\/\/, got "http:\/\/x"/);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  });

  it('shows no token, signing secret or admin token in any log line, page, transcript or metric', async () => {
    const url = `${backend.url}?fault=${encodeURIComponent('subprotocol=new,close_1011_after=1')}`;
    const served = await serve(['--config', await configFile('leaky', url, '1m')], {
      TEST_SIGNING_SECRET: SIGNING_SECRET,
      CANARY_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    const ran = await fetch(`${served.url}/checks/golden_path/run`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(ran.status, 200);
    const result = (await ran.json()) as { runId: string; reason: string };
    assert.equal(result.reason, 'close_1011');
    const pages = await Promise.all(
      ['/', '/metrics', '/status.json', `/runs/${result.runId}`, `/runs/${result.runId}/view`].map(async (path) => {
        const response = await fetch(`${served.url}${path}`);
        assert.equal(response.status, 200, path);
        return `${path}\n${await response.text()}`;
      }),
    );
    assert.equal(await stop(served), 0);
    const transcript = pages.find((page) => page.startsWith(`/runs/${result.runId}\n`)) ?? '';
    assert.match(transcript, /"kind":"upgrade"/);
    for (const text of [...pages, served.stdout(), served.stderr()]) {
      assert.equal(text.includes(SIGNING_SECRET), false, text.slice(0, 200));
      assert.equal(text.includes(ADMIN_TOKEN), false, text.slice(0, 200));
      assert.equal(JWT_SHAPED.test(text), false, text.slice(0, 200));
      assert.equal(SUBPROTOCOL_TOKEN.test(text), false, text.slice(0, 200));
    }
    assert.match(served.stdout(), /"transcript":/);
  });
});
