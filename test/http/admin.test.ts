import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckResult } from '../../src/result/types.ts';
import { bearerToken, tokenMatches } from '../../src/http/admin.ts';
import { ADMIN_TOKEN, realRuns, scenario, serve, testDeps, type Scenario } from './test-helpers.ts';
import type { AdminRequestEvent, HttpDeps, RunNowOutcome } from '../../src/http/types.ts';

const CHECK_TARGETS: Readonly<Record<string, readonly string[]>> = {
  golden_path: ['prod', 'staging'],
  slow_path: ['prod'],
  busy_check: ['prod'],
};

interface Harness {
  readonly deps: HttpDeps;
  readonly calls: string[];
  readonly events: AdminRequestEvent[];
}

/** A scheduler stand-in over real results: knows which targets have which check, and that busy_check is running. */
function harness(s: Scenario, adminToken: string | null = ADMIN_TOKEN): Harness {
  const calls: string[] = [];
  const events: AdminRequestEvent[] = [];
  const results: Readonly<Record<string, CheckResult>> = {
    'prod/golden_path': s.runs.prodSuccess,
    'staging/golden_path': s.runs.stagingFailure,
    'prod/slow_path': s.runs.prodSlow,
  };
  const runNow = (check: string, target: string | undefined): Promise<RunNowOutcome> => {
    calls.push(`${target ?? '*'}/${check}`);
    const targets = CHECK_TARGETS[check] ?? [];
    const chosen = target === undefined ? targets : targets.filter((name) => name === target);
    if (chosen.length === 0) return Promise.resolve({ kind: 'not_found' });
    if (chosen.length > 1) return Promise.resolve({ kind: 'ambiguous', targets: chosen });
    if (check === 'busy_check') return Promise.resolve({ kind: 'busy' });
    const result = results[`${chosen[0] ?? ''}/${check}`];
    assert.ok(result !== undefined);
    return Promise.resolve({ kind: 'ran', result });
  };
  const deps = testDeps(s, { adminToken, runNow, onAdminRequest: (event) => events.push(event) });
  return { deps, calls, events };
}

function withoutTranscript(result: CheckResult): Record<string, unknown> {
  const { transcript: _transcript, ...rest } = result;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

interface AdminCase {
  readonly name: string;
  readonly adminToken?: string | null;
  readonly path: string;
  readonly authorization?: string;
  readonly status: number;
  readonly body: (s: Scenario) => unknown;
  readonly wwwAuthenticate?: string;
  /** What runNow was asked, `target/check` (`*` without ?target=). */
  readonly calls: readonly string[];
  readonly outcome: string;
}

const OK = `Bearer ${ADMIN_TOKEN}`;

const CASES: readonly AdminCase[] = [
  {
    name: 'is 404 when no admin token is configured',
    adminToken: null,
    path: '/checks/golden_path/run?target=prod',
    authorization: OK,
    status: 404,
    body: () => ({ error: 'admin endpoint disabled: set CANARY_ADMIN_TOKEN' }),
    calls: [],
    outcome: 'disabled',
  },
  {
    name: 'is 404 when the admin token is empty',
    adminToken: '',
    path: '/checks/golden_path/run?target=prod',
    authorization: 'Bearer x',
    status: 404,
    body: () => ({ error: 'admin endpoint disabled: set CANARY_ADMIN_TOKEN' }),
    calls: [],
    outcome: 'disabled',
  },
  {
    name: 'is 401 without an Authorization header',
    path: '/checks/golden_path/run?target=prod',
    status: 401,
    wwwAuthenticate: 'Bearer',
    body: () => ({ error: 'missing bearer token' }),
    calls: [],
    outcome: 'unauthorized',
  },
  {
    name: 'is 401 with another scheme',
    path: '/checks/golden_path/run?target=prod',
    authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`,
    status: 401,
    wwwAuthenticate: 'Bearer',
    body: () => ({ error: 'missing bearer token' }),
    calls: [],
    outcome: 'unauthorized',
  },
  {
    name: 'is 401 with a wrong token',
    path: '/checks/golden_path/run?target=prod',
    authorization: 'Bearer not-the-admin-token',
    status: 401,
    wwwAuthenticate: 'Bearer',
    body: () => ({ error: 'invalid bearer token' }),
    calls: [],
    outcome: 'unauthorized',
  },
  {
    name: 'is 401 with a prefix of the token',
    path: '/checks/golden_path/run?target=prod',
    authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
    status: 401,
    wwwAuthenticate: 'Bearer',
    body: () => ({ error: 'invalid bearer token' }),
    calls: [],
    outcome: 'unauthorized',
  },
  {
    name: 'runs the check and answers 200 with the result, without transcript, and its transcript URL',
    path: '/checks/golden_path/run?target=prod',
    authorization: OK,
    status: 200,
    body: (s) => ({ ...withoutTranscript(s.runs.prodSuccess), transcriptUrl: `/runs/${s.runs.prodSuccess.runId}` }),
    calls: ['prod/golden_path'],
    outcome: 'ran',
  },
  {
    name: 'accepts the scheme in any case and answers 200 for a run that failed',
    path: '/checks/golden_path/run?target=staging',
    authorization: `bearer ${ADMIN_TOKEN}`,
    status: 200,
    body: (s) => ({ ...withoutTranscript(s.runs.stagingFailure), transcriptUrl: `/runs/${s.runs.stagingFailure.runId}` }),
    calls: ['staging/golden_path'],
    outcome: 'ran',
  },
  {
    name: 'runs a check only one target has without ?target=',
    path: '/checks/slow_path/run',
    authorization: OK,
    status: 200,
    body: (s) => ({ ...withoutTranscript(s.runs.prodSlow), transcriptUrl: `/runs/${s.runs.prodSlow.runId}` }),
    calls: ['*/slow_path'],
    outcome: 'ran',
  },
  {
    name: 'is 409 while the check is running',
    path: '/checks/busy_check/run',
    authorization: OK,
    status: 409,
    body: () => ({ error: 'check is running' }),
    calls: ['*/busy_check'],
    outcome: 'busy',
  },
  {
    name: 'is 409 listing the targets when several have the check and no ?target= is given',
    path: '/checks/golden_path/run',
    authorization: OK,
    status: 409,
    body: () => ({ error: 'several targets have this check: add ?target=', targets: ['prod', 'staging'] }),
    calls: ['*/golden_path'],
    outcome: 'ambiguous',
  },
  {
    name: 'is 404 for an unknown check',
    path: '/checks/no_such_check/run',
    authorization: OK,
    status: 404,
    body: () => ({ error: 'check not found' }),
    calls: ['*/no_such_check'],
    outcome: 'not_found',
  },
  {
    name: 'is 404 for a known check on an unknown target',
    path: '/checks/golden_path/run?target=mars',
    authorization: OK,
    status: 404,
    body: () => ({ error: 'check not found' }),
    calls: ['mars/golden_path'],
    outcome: 'not_found',
  },
  {
    name: 'is 400 when ?target= is given twice',
    path: '/checks/golden_path/run?target=prod&target=staging',
    authorization: OK,
    status: 400,
    body: () => ({ error: 'give target at most once' }),
    calls: [],
    outcome: 'bad_request',
  },
];

describe('POST /checks/:name/run', { concurrency: true }, () => {
  let s: Scenario;
  before(async () => {
    s = scenario(await realRuns());
  });

  for (const c of CASES) {
    it(c.name, async (t) => {
      const h = harness(s, c.adminToken === undefined ? ADMIN_TOKEN : c.adminToken);
      const base = await serve(t, h.deps);
      const headers: Record<string, string> = { 'x-cloud-trace-context': 'abc123/1;o=1' };
      if (c.authorization !== undefined) headers['authorization'] = c.authorization;
      const res = await fetch(`${base}${c.path}`, { method: 'POST', headers });
      const text = await res.text();
      assert.equal(res.status, c.status, text);
      assert.deepEqual(JSON.parse(text), c.body(s));
      assert.equal(res.headers.get('www-authenticate'), c.wwwAuthenticate ?? null);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.deepEqual(h.calls, c.calls);
      const url = new URL(c.path, base);
      const target = url.searchParams.getAll('target');
      assert.deepEqual(h.events, [
        {
          check: url.pathname.split('/')[2],
          target: target.length === 1 ? target[0] : null,
          outcome: c.outcome,
          traceHeader: 'abc123/1;o=1',
        },
      ]);
      assert.equal(text.includes(ADMIN_TOKEN), false);
      assert.equal(text.includes('"transcript"'), false);
    });
  }

  it('links a transcript URL that serves the run with its transcript', async (t) => {
    const h = harness(s);
    const base = await serve(t, h.deps);
    const ran = (await (await fetch(`${base}/checks/golden_path/run?target=staging`, { method: 'POST', headers: { authorization: OK } })).json()) as {
      transcriptUrl: string;
    };
    const res = await fetch(`${base}${ran.transcriptUrl}`);
    assert.equal(res.status, 200);
    const run = (await res.json()) as CheckResult;
    assert.equal(run.runId, s.runs.stagingFailure.runId);
    assert.equal(run.transcript.entries.length, s.runs.stagingFailure.transcript.entries.length);
  });

  it('answers 500 {"error":"internal error"} and logs outcome error when runNow throws', async (t) => {
    const errors: unknown[] = [];
    const events: AdminRequestEvent[] = [];
    const boom = new Error('scheduler exploded');
    const base = await serve(
      t,
      testDeps(s, { runNow: () => Promise.reject(boom), onAdminRequest: (e) => events.push(e), onError: (e) => errors.push(e) }),
    );
    const res = await fetch(`${base}/checks/golden_path/run?target=prod`, { method: 'POST', headers: { authorization: OK } });
    assert.equal(res.status, 500);
    assert.equal(await res.text(), '{"error":"internal error"}');
    assert.deepEqual(events, [{ check: 'golden_path', target: 'prod', outcome: 'error', traceHeader: null }]);
    assert.deepEqual(errors, [boom]);
  });

  it('never shows the admin token in any response, whatever is asked', async (t) => {
    const h = harness(s);
    const base = await serve(t, h.deps);
    const auth = { authorization: OK };
    const requests: [string, RequestInit][] = [
      ...['/', '/status.json', '/metrics', '/healthz', '/readyz', '/nope', `/runs/${s.runs.stagingFailure.runId}`, `/runs/${s.runs.stagingFailure.runId}/view`, `/runs/${ADMIN_TOKEN}`, `/runs/${ADMIN_TOKEN}/view`].map(
        (path): [string, RequestInit] => [path, { headers: auth }],
      ),
      ...['golden_path', 'golden_path?target=prod', 'busy_check', 'nope'].map(
        (path): [string, RequestInit] => [`/checks/${path}/run`, { method: 'POST', headers: auth }],
      ),
      [`/checks/golden_path/run?target=prod`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } }],
      [`/checks/golden_path/run`, { method: 'GET', headers: auth }],
    ];
    for (const [path, init] of requests) {
      const res = await fetch(`${base}${path}`, init);
      const body = await res.text();
      assert.equal(body.includes(ADMIN_TOKEN), false, `${init.method ?? 'GET'} ${path} answered ${res.status} with the token`);
      for (const [name, value] of res.headers) assert.equal(value.includes(ADMIN_TOKEN), false, `header ${name} of ${path}`);
    }
    assert.equal(JSON.stringify(h.events).includes(ADMIN_TOKEN.slice(0, 12)), false);
  });
});

describe('bearer token handling', () => {
  it('reads the token of a Bearer header and nothing else', () => {
    const table: readonly [string | undefined, string | null][] = [
      [undefined, null],
      ['', null],
      ['Bearer', null],
      ['Bearer ', null],
      ['Bearer abc', 'abc'],
      ['bearer abc', 'abc'],
      ['BEARER   abc  ', 'abc'],
      ['Bearer abc def', null],
      ['Basic abc', null],
      ['Bearerabc', null],
    ];
    for (const [header, token] of table) assert.equal(bearerToken(header), token, String(header));
  });

  it('matches only the exact token, whatever the lengths', () => {
    assert.equal(tokenMatches(ADMIN_TOKEN, ADMIN_TOKEN), true);
    assert.equal(tokenMatches(`${ADMIN_TOKEN}x`, ADMIN_TOKEN), false);
    assert.equal(tokenMatches(ADMIN_TOKEN.slice(0, -1), ADMIN_TOKEN), false);
    assert.equal(tokenMatches('', ADMIN_TOKEN), false);
    assert.equal(tokenMatches('x'.repeat(10_000), ADMIN_TOKEN), false);
  });
});
