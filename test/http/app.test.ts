import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { CheckResult } from '../../src/result/types.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { listen } from '../../src/http/listen.ts';
import {
  HOSTILE_CHECK,
  HOSTILE_CLOSE_REASON,
  HOSTILE_MESSAGE,
  realRuns,
  scenario,
  serve,
  testDeps,
  type Scenario,
} from './test-helpers.ts';

/** The keys of every check in /status.json, in order. */
const CHECK_KEYS = [
  'target', 'check', 'type', 'url', 'schedule', 'state', 'running', 'lastRunId', 'lastRunAt', 'reason', 'phase', 'message',
  'degradations', 'closeCode', 'closeReason', 'httpStatus', 'missingEvent', 'timings', 'events', 'eventsDropped', 'lastSuccessAt',
  'lastFailureRunId', 'nextRunAt', 'runsSkipped', 'streak', 'successRatio', 'recent',
];

/** The history fields of a check whose runs seen (and kept) are these, oldest first. */
function historyOf(runs: readonly CheckResult[]): Record<string, unknown> {
  const last = runs.at(-1);
  const ok = runs.filter((run) => run.result !== 'failure').length;
  const ratio = { runs: runs.length, ok, ratio: runs.length === 0 ? null : ok / runs.length };
  return {
    streak: last === undefined ? null : { failing: last.result === 'failure', runs: 1, since: last.startedAt, firstRunId: last.runId, fromStart: runs.length === 1 },
    successRatio: { hour: ratio, day: ratio },
    recent: runs.map((run) => ({ runId: run.runId, result: run.result, reason: run.reason, startedAt: run.startedAt })),
  };
}

function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** The row of one check in the status page's HTML. */
function rowOf(page: string, targetName: string, checkAttr: string): string {
  const rows = page.match(/<tr class="row[^"]*"[\s\S]*?<\/tr>/g) ?? [];
  const row = rows.find((r) => r.includes(`data-target="${targetName}"`) && r.includes(`data-check="${checkAttr}"`));
  assert.ok(row !== undefined, `no row for ${targetName}/${checkAttr}`);
  return row;
}

describe('HTTP surface', { concurrency: true }, () => {
  let s: Scenario;
  before(async () => {
    s = scenario(await realRuns());
  });

  it('answers GET /healthz with 200 {"status":"ok"}', async (t) => {
    const base = await serve(t, testDeps(s, { ready: () => false }));
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('answers GET /readyz with 200 when ready and 503 when not', async (t) => {
    let ready = false;
    const base = await serve(t, testDeps(s, { ready: () => ready }));
    const before = await fetch(`${base}/readyz`);
    assert.equal(before.status, 503);
    assert.deepEqual(await before.json(), { status: 'not ready' });
    ready = true;
    const afterReady = await fetch(`${base}/readyz`);
    assert.equal(afterReady.status, 200);
    assert.deepEqual(await afterReady.json(), { status: 'ready' });
  });

  it('serves /metrics from renderMetrics with the Accept header and its content type', async (t) => {
    const accepts: (string | undefined)[] = [];
    const base = await serve(
      t,
      testDeps(s, {
        renderMetrics: (accept) => {
          accepts.push(accept);
          return Promise.resolve({ contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8', chunks: [Buffer.from('canary_up 1\n'), Buffer.from('# EOF\n')] });
        },
      }),
    );
    const res = await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.equal(res.headers.get('content-length'), '18');
    assert.equal(await res.text(), 'canary_up 1\n# EOF\n');
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '18');
    assert.equal(await head.text(), '');
    assert.deepEqual(accepts, ['application/openmetrics-text;version=1.0.0', '*/*']);
  });

  it('lists every check in /status.json with stable keys and without transcripts', async (t) => {
    const base = await serve(t, testDeps(s));
    const res = await fetch(`${base}/status.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const text = await res.text();
    assert.equal(text.includes('"transcript"'), false);
    assert.equal(text.includes('"entries"'), false);
    const body = JSON.parse(text) as { checks: Record<string, unknown>[] } & Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['version', 'startedAt', 'uptimeSeconds', 'now', 'region', 'summary', 'checks']);
    assert.deepEqual([body['uptimeSeconds'], body['region']], [7200, null]);
    assert.equal(body['version'], '0.1.0-test');
    assert.equal(body['now'], s.now);
    assert.equal(body['startedAt'], s.snapshot.startedAt);
    assert.deepEqual(body['summary'], { failure: 2, degraded: 1, success: 1, pending: 1, total: 5 });
    for (const check of body.checks) assert.deepEqual(Object.keys(check), CHECK_KEYS);

    const { prodSuccess, stagingSuccess, stagingFailure } = s.runs;
    const [prod, slow, staging, eu] = body.checks;
    assert.deepEqual(prod, {
      target: 'prod', check: 'golden_path', type: 'golden_path', url: 'wss://prod.example.test/ws', schedule: 'every 60s', state: 'success', running: false,
      lastRunId: prodSuccess.runId, lastRunAt: prodSuccess.startedAt, reason: null, phase: null, message: null, degradations: [],
      closeCode: null, closeReason: null, httpStatus: null, missingEvent: null,
      timings: json({ phases: prodSuccess.phases, durationSeconds: prodSuccess.durationSeconds }),
      events: json(prodSuccess.events), eventsDropped: 0, lastSuccessAt: prodSuccess.startedAt, lastFailureRunId: null,
      nextRunAt: s.snapshot.checks[0]?.nextRunAt, runsSkipped: 0, ...historyOf([prodSuccess]),
    });
    assert.deepEqual(
      Object.keys((prod?.['timings'] as { phases: object }).phases),
      ['token', 'dns', 'tcp', 'upgrade', 'welcome', 'events'],
    );
    assert.deepEqual(
      [slow?.['check'], slow?.['state'], slow?.['degradations'], slow?.['reason'], slow?.['schedule']],
      ['slow_path', 'degraded', ['slow'], null, 'cron */5 * * * *'],
    );
    assert.deepEqual(staging, {
      target: 'staging', check: 'golden_path', type: 'golden_path', url: 'wss://staging.example.test/ws', schedule: 'every 60s', state: 'failure', running: false,
      lastRunId: stagingFailure.runId, lastRunAt: stagingFailure.startedAt, reason: 'close_1011', phase: 'events',
      message: stagingFailure.message, degradations: [], closeCode: 1011, closeReason: 'Internal error', httpStatus: null,
      missingEvent: null, timings: json({ phases: stagingFailure.phases, durationSeconds: stagingFailure.durationSeconds }),
      events: json(stagingFailure.events), eventsDropped: 0, lastSuccessAt: stagingSuccess.startedAt, lastFailureRunId: stagingFailure.runId,
      nextRunAt: s.snapshot.checks[2]?.nextRunAt, runsSkipped: 2, ...historyOf([stagingSuccess, stagingFailure]),
    });
    assert.deepEqual((staging?.['events'] as { name: string }[]).map((e) => e.name), ['agent_started', 'agent_thinking']);
    assert.deepEqual(eu, {
      target: 'eu', check: 'golden_path', type: 'golden_path', url: 'wss://eu.example.test/ws', schedule: 'every 60s', state: 'pending', running: true,
      lastRunId: null, lastRunAt: null, reason: null, phase: null, message: null, degradations: [], closeCode: null,
      closeReason: null, httpStatus: null, missingEvent: null, timings: null, events: [], eventsDropped: 0, lastSuccessAt: null,
      lastFailureRunId: null, nextRunAt: null, runsSkipped: 0, ...historyOf([]),
    });
  });

  it('serves a recent run with its transcript at /runs/:id', async (t) => {
    const base = await serve(t, testDeps(s));
    const failure: CheckResult = s.runs.stagingFailure;
    const res = await fetch(`${base}/runs/${failure.runId}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as CheckResult;
    assert.deepEqual(body, json(failure));
    assert.ok(body.transcript.entries.length > 0);
    assert.equal(body.transcript.entries.at(-1)?.kind, 'close');
  });

  it('answers 404 {"error":"run not found"} for an unknown run, as JSON and as a page', async (t) => {
    const base = await serve(t, testDeps(s));
    const res = await fetch(`${base}/runs/no-such-run`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'run not found' });
    const view = await fetch(`${base}/runs/%3Cscript%3E/view`);
    assert.equal(view.status, 404);
    const page = await view.text();
    assert.match(page, /Run not found/);
    assert.equal(page.includes('&lt;script'), false, 'the page does not echo the id');
  });

  it('renders a run as a page with outcome, reason, close code, waterfall, events and transcript', async (t) => {
    const base = await serve(t, testDeps(s));
    const failure = s.runs.stagingFailure;
    const res = await fetch(`${base}/runs/${failure.runId}/view`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const page = await res.text();
    assert.match(page, /<span class="state state-failure">✘ failure<\/span> staging \/ golden_path<\/h1>/);
    assert.match(page, /<th scope="row">Reason<\/th><td><code>close_1011<\/code>/);
    assert.match(page, /<th scope="row">Phase<\/th><td><code>events<\/code>/);
    assert.match(page, /<th scope="row">Close code<\/th><td><code>1011<\/code> <span class="sub">internal error<\/span> reason “Internal error”/);
    assert.match(page, /<th scope="row">HTTP status<\/th><td><span class="sub">—<\/span>/);
    for (const phase of Object.keys(failure.phases)) assert.match(page, new RegExp(`<div class="line" data-phase="${phase}">`));
    assert.match(page, /<div class="line" data-phase="events"><span class="mono">events ✘<\/span>/);
    assert.match(page, /<td><code>agent_started<\/code><\/td>[\s\S]*<td><code>agent_thinking<\/code><\/td>/);
    const transcriptRows = page.match(/<tr class="dir-row-/g) ?? [];
    assert.equal(transcriptRows.length, failure.transcript.entries.length);
    assert.match(page, /<td class="dir-out nowrap">→ out<\/td><td>text<\/td><td><code>user_message<\/code><\/td>/);
    assert.match(page, /<td class="dir-in nowrap">← in<\/td><td>close<\/td>/);
  });

  it("shows a run's trace id on its page, and links the last run's trace from the status page only when the project is known", async (t) => {
    const failure = s.runs.stagingFailure;
    assert.match(failure.traceId ?? '', /^[0-9a-f]{32}$/);
    const withProject = await serve(t, testDeps(s, { status: () => ({ ...s.snapshot, projectId: 'my-project' }) }));
    const runPage = await (await fetch(`${withProject}/runs/${failure.runId}/view`)).text();
    assert.ok(runPage.includes(`<th scope="row">Trace id</th><td><code class="trace-id">${failure.traceId}</code></td>`), 'trace id fact');
    const staging = rowOf(await (await fetch(`${withProject}/`)).text(), 'staging', 'golden_path');
    assert.ok(
      staging.includes(
        `<a class="trace-link" href="https://console.cloud.google.com/traces/list?project=my-project&amp;tid=${failure.traceId}" title="the last run's trace in Cloud Trace">trace</a>`,
      ),
      staging,
    );
    const withoutProject = await serve(t, testDeps(s));
    const page = await (await fetch(`${withoutProject}/`)).text();
    assert.equal(page.includes('trace-link'), false);
  });

  it('escapes hostile check names, messages, close reasons and transcript text everywhere', async (t) => {
    const base = await serve(t, testDeps(s));
    const pages = [
      await (await fetch(`${base}/`)).text(),
      await (await fetch(`${base}/runs/${s.hostile.runId}/view`)).text(),
    ];
    for (const page of pages) {
      assert.equal(page.includes('<script'), false);
      assert.equal(page.includes('<img'), false);
      assert.equal(page.includes('<b>'), false);
    }
    const [status, view] = pages as [string, string];
    const row = rowOf(status, 'edge', '&lt;script&gt;alert(&quot;check&quot;)&lt;/script&gt;');
    assert.match(row, /<span class="name">&lt;script&gt;alert\(&quot;check&quot;\)&lt;\/script&gt;<\/span>/);
    assert.match(row, /closed &lt;img src=x onerror=alert\(2\)&gt; &amp; &quot;quoted&quot;/);
    assert.match(view, /reason “&lt;\/td&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;”/);
    assert.match(view, /<td class="text">\{&quot;type&quot;:&quot;agent_thinking&quot;,&quot;payload&quot;:&quot;&lt;script&gt;alert\(3\)&lt;\/script&gt;&quot;\}<\/td>/);
    assert.match(view, /<code>&lt;b&gt;agent_thinking&lt;\/b&gt;<\/code>/);
    const json = await (await fetch(`${base}/runs/${s.hostile.runId}`)).json() as CheckResult;
    assert.deepEqual([json.check, json.closeReason, json.message], [HOSTILE_CHECK, HOSTILE_CLOSE_REASON, HOSTILE_MESSAGE]);
  });

  it('renders the status page worst first with state, reason, waterfall, times and failure links', async (t) => {
    const base = await serve(t, testDeps(s));
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    const page = await res.text();
    assert.match(page, /<meta http-equiv="refresh" content="15">/);
    assert.match(page, /<title>✘ 2 of 5 checks failing — canary<\/title>/);
    assert.match(page, /<div class="banner failure" id="summary">2 of 5 checks failing <span class="extra">· 1 degraded · 1 pending<\/span><\/div>/);
    assert.equal(/<(script|link|img)\b/i.test(page), false, 'no scripts or external assets');
    const order = [...page.matchAll(/<tr class="row[^"]*" data-check="([^"]*)" data-target="([^"]*)" data-state="([^"]*)">/g)].map(
      (m) => `${m[3]} ${m[2]}/${m[1]}`,
    );
    assert.deepEqual(order, [
      'failure staging/golden_path',
      'failure edge/&lt;script&gt;alert(&quot;check&quot;)&lt;/script&gt;',
      'degraded prod/slow_path',
      'success prod/golden_path',
      'pending eu/golden_path',
    ]);

    const staging = rowOf(page, 'staging', 'golden_path');
    assert.match(staging, /<td class="state state-failure">✘ failure<\/td>/);
    assert.match(staging, /<code>close_1011<\/code> in <code>events<\/code>/);
    assert.match(staging, new RegExp(`<a class="failure-link" href="/runs/${s.runs.stagingFailure.runId}/view">last failure</a>`));
    assert.match(staging, /<td class="next nowrap" data-label="next run" title="[^"]+">in 30s<div class="sub">2 skipped<\/div><\/td>/);
    assert.match(staging, /<span class="seg ph-failed" style="width:[\d.]+%" title="events failed after [\d.]+ m?s" data-phase="events"/);

    const prod = rowOf(page, 'prod', 'golden_path');
    assert.match(prod, /<td class="state state-success">✔ success<\/td>/);
    assert.match(prod, /<td class="since nowrap" data-label="last success" title="[^"]+">12s ago/);
    assert.match(prod, /<td class="next nowrap" data-label="next run" title="[^"]+">in 45s<\/td>/);
    assert.equal(prod.includes('failure-link'), false);
    const widths = [...prod.matchAll(/<span class="seg ph-(\w+)" style="width:([\d.]+)%" title="\1 [\d.]+ m?s"/g)];
    assert.deepEqual(widths.map((m) => m[1]), ['token', 'dns', 'tcp', 'upgrade', 'welcome', 'events']);
    const sum = widths.reduce((total, m) => total + Number(m[2]), 0);
    assert.ok(Math.abs(sum - 100) < 0.1, `widths add up to ${sum}%`);

    const slow = rowOf(page, 'prod', 'slow_path');
    assert.match(slow, /<td class="state state-degraded">▲ degraded<\/td>/);
    assert.match(slow, /<code>slow<\/code>/);

    const eu = rowOf(page, 'eu', 'golden_path');
    assert.match(eu, /<td class="state state-pending">○ pending<span class="chip" title="a run is in progress">running<\/span><\/td>/);
    assert.match(eu, /<td class="since nowrap" data-label="last success" title="no success yet">never<\/td>/);
  });

  it('answers 404 {"error":"not found"} for unknown paths and 405 for the wrong method', async (t) => {
    const base = await serve(t, testDeps(s));
    const unknown = await fetch(`${base}/nope`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: 'not found' });
    const post = await fetch(`${base}/status.json`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.deepEqual(await post.json(), { error: 'method not allowed' });
    const get = await fetch(`${base}/checks/golden_path/run`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });

  it('answers 500 {"error":"internal error"} without a stack when a handler throws', async (t) => {
    const errors: unknown[] = [];
    const boom = new Error('status exploded at /secret/path.ts:1:1');
    const base = await serve(
      t,
      testDeps(s, {
        status: () => {
          throw boom;
        },
        renderMetrics: () => Promise.reject(boom),
        onError: (error) => errors.push(error),
      }),
    );
    for (const path of ['/', '/status.json', '/metrics']) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 500, path);
      const text = await res.text();
      assert.equal(text, '{"error":"internal error"}', path);
    }
    assert.deepEqual(errors, [boom, boom, boom]);
  });

  it('answers 400 for a malformed percent-encoding in a path', async (t) => {
    const base = await serve(t, testDeps(s));
    const res = await fetch(`${base}/runs/%E0%A4%A/view`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'bad request' });
  });

  it('closes promptly with an idle keep-alive connection open', async () => {
    const server = await listen(createHttpApp(testDeps(s)), 0, '127.0.0.1');
    const { socketClosed } = await new Promise<{ socketClosed: Promise<void> }>((resolve, reject) => {
      const req = request(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ socketClosed: new Promise<void>((closed) => req.socket?.once('close', () => closed())) }));
      });
      req.on('error', reject);
      req.end();
    });
    const started = performance.now();
    await server.close();
    await socketClosed;
    assert.ok(performance.now() - started < 1000, 'close() did not wait for the keep-alive timeout');
    await assert.rejects(fetch(`${server.url}/healthz`));
    await server.close();
  });
});
