import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startReferenceBackend, REFERENCE_SECRET, type ReferenceBackend } from '../../src/reference/index.ts';
import { ConfigError } from '../../src/config/errors.ts';
import type { Config, GoldenPathCheck, TargetConfig } from '../../src/config/types.ts';
import { createLogger } from '../../src/logging/index.ts';
import { startService, type RunningService } from '../../src/service/service.ts';
import { MemoryDestination } from '../logging/test-helpers.ts';
import { valueOf } from '../metrics/test-helpers.ts';
import { goldenPathCheck, jwtAuth, target } from '../support/fixtures.ts';
import { until } from '../support/net.ts';

/** A schedule that never fires during a test. */
const NEVER: GoldenPathCheck['schedule'] = { kind: 'cron', cron: '0 0 1 1 *' };
const ADMIN = 'reload-test-admin-token-e41c';
const WAIT_MS = 8000;

function config(targets: TargetConfig[]): Config {
  return { targets, service: { adminToken: null } };
}

interface Served {
  readonly service: RunningService;
  readonly logs: MemoryDestination;
  /** What the next reload reads: a config, or an error to throw. */
  next: Config | Error;
}

async function serve(first: Config): Promise<Served> {
  const logs = new MemoryDestination();
  const logger = createLogger({ destination: logs, pretty: false, env: {} });
  const served: { next: Config | Error } = { next: first };
  const service = await startService({
    config: first,
    port: 0,
    host: '127.0.0.1',
    logger,
    adminToken: ADMIN,
    env: {},
    runAtStart: false,
    loadConfig: async () => {
      if (served.next instanceof Error) throw served.next;
      return served.next;
    },
  });
  return Object.assign(served, { service, logs });
}

async function post(service: RunningService, path: string, token: string | null = ADMIN): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: await response.json() };
}

async function scrape(service: RunningService): Promise<string> {
  return (await fetch(`${service.url}/metrics`)).text();
}

async function checksOnPage(service: RunningService): Promise<string[]> {
  const status = (await (await fetch(`${service.url}/status.json`)).json()) as { checks: { target: string; check: string }[] };
  return status.checks.map((c) => `${c.target}/${c.check}`).sort();
}

describe('reloading the service config', { concurrency: true }, () => {
  let backend: ReferenceBackend;
  before(async () => {
    backend = await startReferenceBackend();
  });
  after(() => backend.close());

  const check = (): GoldenPathCheck => goldenPathCheck({ schedule: NEVER });
  const named = (name: string, overrides: Partial<TargetConfig> = {}): TargetConfig =>
    target(backend.url, jwtAuth(REFERENCE_SECRET), { target: name, checks: [check()], ...overrides });

  it('keeps unchanged checks as they are, starts new ones at once and removes the series of removed ones', async (t) => {
    const served = await serve(config([named('kept'), named('gone')]));
    t.after(() => served.service.close());
    for (const name of ['kept', 'gone']) assert.equal((await post(served.service, `/checks/golden_path/run?target=${name}`)).status, 200);
    const keptRun = served.service.store.recent('kept', 'golden_path')[0]?.runId;

    served.next = config([named('kept'), named('fresh')]);
    const reloaded = await post(served.service, '/-/reload');
    assert.deepEqual(reloaded, {
      status: 200,
      body: { status: 'reloaded', added: ['fresh/golden_path'], removed: ['gone/golden_path'], changed: [], unchanged: 1 },
    });

    const text = await until('the new check to run once at reload', async () => {
      const body = await scrape(served.service);
      return valueOf(body, 'canary_check_up', { check: 'golden_path', target: 'fresh' }) === 1 ? body : null;
    }, WAIT_MS);
    assert.equal(text.includes('target="gone"'), false);
    assert.equal(valueOf(text, 'canary_check_runs_total', { check: 'golden_path', target: 'kept', result: 'success' }), 1);
    assert.equal(valueOf(text, 'canary_check_up', { check: 'golden_path', target: 'kept' }), 1);
    assert.equal(valueOf(text, 'canary_check_runs_total', { check: 'golden_path', target: 'fresh', result: 'success' }), 1);
    assert.equal(valueOf(text, 'canary_config_last_reload_successful'), 1);
    assert.equal(valueOf(text, 'canary_config_reloads_total', { result: 'success' }), 1);
    assert.equal(valueOf(text, 'canary_config_reloads_total', { result: 'failure' }), 0);
    assert.deepEqual(await checksOnPage(served.service), ['fresh/golden_path', 'kept/golden_path']);
    assert.deepEqual(served.service.store.recent('kept', 'golden_path').map((r) => r.runId), [keptRun]);
    assert.deepEqual((await post(served.service, '/checks/golden_path/run?target=gone')).body, { error: 'check not found' });
    const logged = served.logs.entries().find((e) => e['message'] === 'config reloaded');
    assert.deepEqual(
      { added: logged?.['added'], removed: logged?.['removed'], changed: logged?.['changed'], unchanged: logged?.['unchanged'] },
      { added: ['fresh/golden_path'], removed: ['gone/golden_path'], changed: [], unchanged: 1 },
    );
  });

  it('starts the series of a changed check afresh and keeps its history', async (t) => {
    const served = await serve(config([named('moved')]));
    t.after(() => served.service.close());
    assert.equal((await post(served.service, '/checks/golden_path/run')).status, 200);

    served.next = config([named('moved', { checks: [goldenPathCheck({ schedule: NEVER, timeoutMs: 7000 })] })]);
    const outcome = await served.service.reload();
    assert.deepEqual(outcome, { kind: 'reloaded', added: [], removed: [], changed: ['moved/golden_path'], unchanged: 0 });

    const text = await until('the changed check to run once at reload', async () => {
      const body = await scrape(served.service);
      return valueOf(body, 'canary_check_up', { check: 'golden_path', target: 'moved' }) === 1 ? body : null;
    }, WAIT_MS);
    assert.equal(valueOf(text, 'canary_check_timeout_seconds', { check: 'golden_path', target: 'moved' }), 7);
    assert.equal(valueOf(text, 'canary_check_runs_total', { check: 'golden_path', target: 'moved', result: 'success' }), 1);
    assert.equal(served.service.store.recent('moved', 'golden_path').length, 2);
  });

  it('refuses an invalid config, logs its problems and keeps the old one running', async (t) => {
    const served = await serve(config([named('steady')]));
    t.after(() => served.service.close());
    served.next = new ConfigError([{ file: 'checks/steady.yaml', field: 'url', message: 'expected a URL starting with ws:// or wss://, got "http://x"' }]);

    assert.deepEqual(await post(served.service, '/-/reload', null), { status: 401, body: { error: 'missing bearer token' } });
    assert.deepEqual(await post(served.service, '/-/reload', 'wrong'), { status: 401, body: { error: 'invalid bearer token' } });
    assert.deepEqual(await post(served.service, '/-/reload'), {
      status: 422,
      body: { error: 'config invalid (1 problem, see the log); the previous config keeps running' },
    });
    const failed = served.logs.entries().find((e) => String(e['message']).startsWith('config reload failed'));
    assert.equal(failed?.['severity'], 'ERROR');
    assert.deepEqual(failed?.['problems'], ['checks/steady.yaml: url: expected a URL starting with ws:// or wss://, got "http://x"']);

    let text = await scrape(served.service);
    assert.equal(valueOf(text, 'canary_config_last_reload_successful'), 0);
    assert.equal(valueOf(text, 'canary_config_reloads_total', { result: 'failure' }), 1);
    assert.equal(valueOf(text, 'canary_check_runs_total', { check: 'golden_path', target: 'steady', result: 'success' }), 0);
    assert.deepEqual(await checksOnPage(served.service), ['steady/golden_path']);
    assert.equal((await post(served.service, '/checks/golden_path/run')).status, 200);

    served.next = config([named('steady')]);
    assert.deepEqual(await served.service.reload(), { kind: 'reloaded', added: [], removed: [], changed: [], unchanged: 1 });
    text = await scrape(served.service);
    assert.equal(valueOf(text, 'canary_config_last_reload_successful'), 1);
    assert.equal(valueOf(text, 'canary_config_reloads_total', { result: 'success' }), 1);
    assert.equal(valueOf(text, 'canary_check_runs_total', { check: 'golden_path', target: 'steady', result: 'success' }), 1);
  });
});

describe('a reload reads signing keys again', () => {
  it('a replaced private key file signs from the next reload on, not before', async (t) => {
    const pair = (): { publicKey: string; privateKey: string } =>
      generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const trusted = pair();
    const replacement = pair();
    const dir = await mkdtemp(path.join(tmpdir(), 'canary-reload-key-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const keyFile = path.join(dir, 'canary.key.pem');
    await writeFile(keyFile, trusted.privateKey, { mode: 0o600 });
    const backend = await startReferenceBackend({ verifyKey: { algorithm: 'ES256', publicKeyPem: trusted.publicKey } });
    t.after(() => backend.close());
    const auth = jwtAuth(REFERENCE_SECRET, { algorithm: 'ES256', secret: null, privateKeyFile: keyFile });
    const first = config([target(backend.url, auth, { target: 'keyed', checks: [goldenPathCheck({ schedule: NEVER })] })]);
    const served = await serve(first);
    t.after(() => served.service.close());
    const outcome = async (): Promise<unknown> => {
      const ran = await served.service.runNow('golden_path', 'keyed');
      return ran.kind === 'ran' ? [ran.result.result, ran.result.reason] : ran.kind;
    };
    assert.deepEqual(await outcome(), ['success', null]);
    await writeFile(keyFile, replacement.privateKey, { mode: 0o600 });
    assert.deepEqual(await outcome(), ['success', null]);
    assert.equal((await post(served.service, '/-/reload')).status, 200);
    assert.deepEqual(await outcome(), ['failure', 'auth_rejected']);
  });
});
