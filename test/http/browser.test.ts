/**
 * The status page and run view in real headless Chromium. Fails (never skips) without Chromium.
 * Set CANARY_SCREENSHOT_DIR to keep the screenshots for a look.
 */
import { before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkRows, dumpDom, requireChromium, screenshot, textOf, type DomRow } from './browser-helpers.ts';
import { HOSTILE_CHECK, plusSeconds, realRuns, scenario, serve, snapshotOf, testDeps, type Scenario } from './test-helpers.ts';
import type { CheckResult } from '../../src/result/types.ts';
import { RunStore } from '../../src/service/run-store.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BROWSER_TEST = { timeout: 40_000 };

async function screenshotDir(t: TestContext): Promise<string> {
  const keep = process.env['CANARY_SCREENSHOT_DIR'];
  if (keep !== undefined && keep !== '') {
    await mkdir(keep, { recursive: true });
    return keep;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'canary-shots-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function assertPng(file: string): Promise<void> {
  const png = await readFile(file);
  assert.ok(png.length > 1000, `${file} is ${png.length} bytes`);
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1280, 800], 'width and height');
}

function rowOf(rows: readonly DomRow[], targetName: string, check: string): DomRow {
  const row = rows.find((r) => r.attributes['data-target'] === targetName && r.attributes['data-check'] === check);
  assert.ok(row !== undefined, `no row for ${targetName}/${check} among ${rows.map((r) => `${r.attributes['data-target']}/${r.attributes['data-check']}`).join(', ')}`);
  return row;
}

describe('pages in headless Chromium', { concurrency: true }, () => {
  let s: Scenario;
  before(async () => {
    requireChromium();
    s = scenario(await realRuns());
  });

  it('shows the failing check as failure close_1011 with a link to its transcript, and the healthy one as success', BROWSER_TEST, async (t) => {
    const base = await serve(t, testDeps(s));
    const dom = await dumpDom(`${base}/`);
    assert.match(dom, /<meta http-equiv="refresh" content="15">/);
    assert.equal(/<script/i.test(dom), false, 'no script element made it into the DOM');
    assert.equal(textOf(/<div class="banner[^"]*" id="summary">([\s\S]*?)<\/div>/.exec(dom)?.[1] ?? ''), '2 of 5 checks failing · 1 degraded · 1 pending');

    const rows = checkRows(dom);
    assert.deepEqual(
      rows.map((r) => `${r.attributes['data-state']} ${r.attributes['data-target']}/${r.attributes['data-check']}`),
      ['failure staging/golden_path', `failure edge/${HOSTILE_CHECK}`, 'degraded prod/slow_path', 'success prod/golden_path', 'pending eu/golden_path'],
    );

    const failing = rowOf(rows, 'staging', 'golden_path');
    assert.equal(failing.attributes['data-state'], 'failure');
    const failingText = textOf(failing.html);
    assert.match(failingText, /^✘ failure staging wss:\/\/staging\.example\.test\/ws golden_path /);
    assert.match(failingText, /close_1011 in events/);
    assert.match(failing.html, /<td class="state state-failure">✘ failure<\/td>/);
    const links = [...failing.html.matchAll(/<a class="failure-link" href="([^"]*)">last failure<\/a>/g)].map((m) => m[1]);
    assert.deepEqual(links, [`/runs/${s.runs.stagingFailure.runId}/view`]);

    const healthy = rowOf(rows, 'prod', 'golden_path');
    assert.equal(healthy.attributes['data-state'], 'success');
    const since = /T(\d\d:\d\d:\d\d)/.exec(s.runs.prodSuccess.startedAt)?.[1];
    assert.ok(textOf(healthy.html).startsWith(`✔ success prod wss://prod.example.test/ws golden_path every 60s passing since ${since} UTC (1 run, 12s; since start-up, maybe longer) 1h 100% (1/1) · 1d 100% (1/1) 12s ago `), textOf(healthy.html));
    assert.match(healthy.html, /<td class="state state-success">✔ success<\/td>/);

    const hostile = rowOf(rows, 'edge', HOSTILE_CHECK);
    assert.match(textOf(hostile.html), /<script>alert\("check"\)<\/script>/, 'the hostile name shows as text');
  });

  it('renders the run view of the failure with its transcript', BROWSER_TEST, async (t) => {
    const base = await serve(t, testDeps(s));
    const failure = s.runs.stagingFailure;
    const dom = await dumpDom(`${base}/runs/${failure.runId}/view`);
    assert.equal(textOf(/<h1>([\s\S]*?)<\/h1>/.exec(dom)?.[1] ?? ''), '✘ failure staging / golden_path');
    assert.equal((dom.match(/<tr class="dir-row-/g) ?? []).length, failure.transcript.entries.length);
    assert.match(textOf(dom), /Close code 1011 internal error reason “Internal error”/);
  });

  it('shows a check history: the strip of runs, failing since when and for how many runs, ratios, the URL, up since and the region', BROWSER_TEST, async (t) => {
    const now = s.now;
    const at = (minutesAgo: number): string => plusSeconds(now, -60 * minutesAgo);
    const copy = (run: CheckResult, runId: string, minutesAgo: number): CheckResult => ({ ...run, target: 'hist', runId, startedAt: at(minutesAgo) });
    const runs = [
      copy(s.runs.prodSuccess, 'old-ok', 180),
      copy(s.runs.prodSuccess, 'ok-1', 10),
      copy(s.runs.prodSlow, 'slow-2', 9),
      copy(s.runs.prodSuccess, 'ok-3', 8),
      ...[5, 4, 3, 2].map((minutesAgo, i) => copy(s.runs.stagingFailure, `fail-${i + 4}`, minutesAgo)),
    ];
    const store = new RunStore();
    for (const run of runs) store.record({ ...run, check: 'golden_path' });
    const url = 'wss://probe:hunter2@hist.example.test:8443/agent/ws?token=SECRET-QUERY#frag';
    const snapshot = snapshotOf(store, [{ target: 'hist', check: 'golden_path', url }], now, at(240), 'europe-west1');
    const base = await serve(t, testDeps(s, { status: () => snapshot, getRun: (runId) => store.get(runId) }));
    const dom = await dumpDom(`${base}/`);

    const started = at(240).replace('T', ' ').replace(/\.\d+Z$/, '');
    assert.equal(textOf(/<div class="meta up" id="up">([\s\S]*?)<\/div>/.exec(dom)?.[1] ?? ''), `up since ${started} UTC (4h ago): history and ratios count only the runs since then`);
    assert.match(textOf(/<div class="meta">([\s\S]*?)<\/div>/.exec(dom)?.[1] ?? ''), /^version 0\.1\.0-test · region europe-west1 · as of /);
    for (const secret of ['hunter2', 'probe:', 'SECRET-QUERY', 'token=', '#frag']) assert.equal(dom.includes(secret), false, secret);

    const row = rowOf(checkRows(dom), 'hist', 'golden_path');
    const strip = [...row.html.matchAll(/<a class="hb hb-(\w+)" href="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(strip, runs.map((run) => `${run.result} /runs/${run.runId}/view`));
    const clock = /T(\d\d:\d\d:\d\d)/.exec(at(5))?.[1];
    assert.equal(
      textOf(/<td class="history"[^>]*>([\s\S]*?)<\/td>/.exec(row.html)?.[1] ?? ''),
      `failing since ${clock} UTC (4 runs, 5m) 1h 42.8% (3/7) · 1d 50% (4/8)`,
    );
    assert.match(textOf(row.html), /^✘ failure hist wss:\/\/hist\.example\.test:8443\/agent\/ws golden_path /);
  });

  it('shows the target URL on the run page, without its query string', BROWSER_TEST, async (t) => {
    const base = await serve(t, testDeps(s));
    const failure = s.runs.stagingFailure;
    const dom = await dumpDom(`${base}/runs/${failure.runId}/view`);
    const url = textOf(/<th scope="row">URL<\/th><td>([\s\S]*?)<\/td>/.exec(dom)?.[1] ?? '');
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/\S*$/);
    assert.equal(url, failure.url);
    assert.equal(dom.includes('close_1011_after'), false, 'the fault query string stays out of the page');
  });

  it('screenshots the status page and the run view at 1280×800', BROWSER_TEST, async (t) => {
    const base = await serve(t, testDeps(s));
    const dir = await screenshotDir(t);
    const status = path.join(dir, 'status-page.png');
    const run = path.join(dir, 'run-view.png');
    await Promise.all([screenshot(`${base}/`, status), screenshot(`${base}/runs/${s.runs.stagingFailure.runId}/view`, run)]);
    await assertPng(status);
    await assertPng(run);
  });
});
