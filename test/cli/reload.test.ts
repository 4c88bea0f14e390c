import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceBackend, type ReferenceBackend } from '../../src/reference/index.ts';
import { valueOf } from '../metrics/test-helpers.ts';
import { until } from '../support/net.ts';
import { jwtTargetFile, startCanary } from './cli-process.ts';

const SIGNING_SECRET = 'reload-cli-signing-secret-77d2';
const WAIT_MS = 15_000;

function targetFile(name: string, url: string): string {
  return jwtTargetFile(name, url, { every: '1h', timeout: '5s' });
}

describe('canary serve on SIGHUP', () => {
  let dir: string;
  let backend: ReferenceBackend;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'canary-reload-'));
    backend = await startReferenceBackend({ secret: SIGNING_SECRET });
  });
  after(async () => {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('re-reads a changed config folder, refuses a broken one and keeps running the last good one', async (t) => {
    await writeFile(join(dir, 'alpha.yaml'), targetFile('alpha', backend.url));
    const served = startCanary(t, ['serve', '--config', dir, '--port', '0', '--host', '127.0.0.1'], {
      env: { PATH: process.env['PATH'], TEST_SIGNING_SECRET: SIGNING_SECRET },
    });
    const { child } = served;
    const exited = served.exited.then(({ code }) => code);
    const url = await until('serve to listen', async () => /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(served.stdout())?.[1] ?? null, WAIT_MS);
    const metricsWhen = (what: string, ok: (text: string) => boolean): Promise<string> =>
      until(what, async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return ok(text) ? text : null;
      }, WAIT_MS);
    await metricsWhen('alpha to run at start', (text) => valueOf(text, 'canary_check_up', { check: 'golden_path', target: 'alpha' }) === 1);

    await rm(join(dir, 'alpha.yaml'));
    await writeFile(join(dir, 'beta.yaml'), targetFile('beta', backend.url));
    child.kill('SIGHUP');
    let text = await metricsWhen('beta to run after the reload', (body) => valueOf(body, 'canary_check_up', { check: 'golden_path', target: 'beta' }) === 1);
    assert.equal(text.includes('target="alpha"'), false);
    assert.equal(valueOf(text, 'canary_config_reloads_total', { result: 'success' }), 1);
    assert.equal(valueOf(text, 'canary_config_last_reload_successful'), 1);

    await writeFile(join(dir, 'broken.yaml'), 'target: Broken!\nurl: http://x\nchecks: []\n');
    child.kill('SIGHUP');
    text = await metricsWhen('the broken config to be refused', (body) => valueOf(body, 'canary_config_reloads_total', { result: 'failure' }) === 1);
    assert.equal(valueOf(text, 'canary_config_last_reload_successful'), 0);
    assert.equal(valueOf(text, 'canary_check_up', { check: 'golden_path', target: 'beta' }), 1);
    const status = (await (await fetch(`${url}/status.json`)).json()) as { checks: { target: string }[] };
    assert.deepEqual(status.checks.map((c) => c.target), ['beta']);
    const failed = served.stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => String(entry['message']).startsWith('config reload failed'));
    assert.equal(failed?.['severity'], 'ERROR');
    const problems = failed?.['problems'];
    assert.ok(Array.isArray(problems));
    assert.deepEqual(problems.map((p) => String(p).replace(dir, '<dir>')), [
      '<dir>/broken.yaml: target: expected a label value matching [a-z0-9_-]+, got "Broken!"',
      '<dir>/broken.yaml: url: expected a URL starting with ws:// or wss://, got "http://x"',
      '<dir>/broken.yaml: checks: expected a non-empty list of checks, got an empty list',
    ]);

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
