import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Summary } from 'prom-client';
import { exportFamily, familyChunk, renderFamily, renderPage, wantsOpenMetrics, type ExportedFamily } from '../../src/metrics/exposition.ts';
import { createMetrics } from '../../src/metrics/sink.ts';
import { close1011Result, oneCheckConfig, parseSamples, seriesKey, successResult } from './test-helpers.ts';

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('exposition format negotiation', { concurrency: true }, () => {
  const cases: readonly [string | undefined, boolean][] = [
    [PROMETHEUS_ACCEPT, true],
    ['application/openmetrics-text; version=1.0.0', true],
    ['Application/OpenMetrics-Text', true],
    ['text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.9', true],
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['text/plain', false],
    ['text/plain;version=0.0.4', false],
    ['application/openmetrics-text;q=0', false],
    ['application/openmetrics-text;q=0.2,text/plain', false],
    ['application/json', false],
  ];
  for (const [accept, expected] of cases) {
    it(`${expected ? 'serves' : 'does not serve'} OpenMetrics for Accept ${JSON.stringify(accept)}`, () => {
      assert.equal(wantsOpenMetrics(accept), expected);
    });
  }
});

describe('rendering one family', { concurrency: true }, () => {
  const cases: readonly { readonly name: string; readonly family: ExportedFamily; readonly openMetrics: string; readonly text: string }[] = [
    {
      name: 'names a counter family without _total in OpenMetrics and with it in the text format, its samples always with it',
      family: { name: 'runs_total', help: 'Runs.', type: 'counter', values: [{ labels: { a: '1' }, value: 2 }] },
      openMetrics: '# HELP runs Runs.\n# TYPE runs counter\nruns_total{a="1"} 2',
      text: '# HELP runs_total Runs.\n# TYPE runs_total counter\nruns_total{a="1"} 2',
    },
    {
      name: 'writes exemplars on histogram buckets in OpenMetrics only, le before the shared labels',
      family: {
        name: 'd',
        help: 'Seconds.',
        type: 'histogram',
        values: [
          { metricName: 'd_bucket', labels: { le: 1 }, sharedLabels: { c: 'x' }, value: 1, exemplar: { labelSet: { run_id: 'abc' }, value: 0.5, timestamp: 1700000000.5 } },
          { metricName: 'd_bucket', labels: { le: '+Inf' }, sharedLabels: { c: 'x' }, value: 1, exemplar: null },
          { metricName: 'd_sum', labels: {}, sharedLabels: { c: 'x' }, value: 0.5 },
          { metricName: 'd_count', labels: {}, sharedLabels: { c: 'x' }, value: 1 },
        ],
      },
      openMetrics:
        '# HELP d Seconds.\n# TYPE d histogram\nd_bucket{le="1",c="x"} 1 # {run_id="abc"} 0.5 1700000000.5\nd_bucket{le="+Inf",c="x"} 1\nd_sum{c="x"} 0.5\nd_count{c="x"} 1',
      text: '# HELP d Seconds.\n# TYPE d histogram\nd_bucket{le="1",c="x"} 1\nd_bucket{le="+Inf",c="x"} 1\nd_sum{c="x"} 0.5\nd_count{c="x"} 1',
    },
    {
      name: 'escapes backslashes, newlines and quotes in label values, backslashes and newlines in HELP',
      family: { name: 'g', help: 'A "quoted" \\ path\nnext.', type: 'gauge', values: [{ labels: { m: 'a } # {b="c"} 1\\\n' }, value: 3 }] },
      openMetrics: '# HELP g A "quoted" \\\\ path\\nnext.\n# TYPE g gauge\ng{m="a } # {b=\\"c\\"} 1\\\\\\n"} 3',
      text: '# HELP g A "quoted" \\\\ path\\nnext.\n# TYPE g gauge\ng{m="a } # {b=\\"c\\"} 1\\\\\\n"} 3',
    },
    {
      name: 'writes NaN and infinities as prom-client does, and a type the text format lacks as untyped',
      family: { name: 'u', help: 'U.', type: 'stateset', values: [{ labels: {}, value: Number.NaN }, { labels: { s: 'b' }, value: Number.NEGATIVE_INFINITY }] },
      openMetrics: '# HELP u U.\n# TYPE u stateset\nu Nan\nu{s="b"} -Inf',
      text: '# HELP u U.\n# TYPE u untyped\nu Nan\nu{s="b"} -Inf',
    },
  ];
  for (const { name, family, openMetrics, text } of cases) {
    it(name, () => {
      assert.equal(renderFamily(family, 'openmetrics'), openMetrics);
      assert.equal(renderFamily(family, 'text'), text);
    });
  }

  it('ends an OpenMetrics page with # EOF and a text page with a newline', () => {
    const families = ['a 1', 'b 2'].map(familyChunk);
    assert.equal(renderPage(families, 'openmetrics').join(''), 'a 1\nb 2\n# EOF\n');
    assert.equal(renderPage(families, 'text').join(''), 'a 1\nb 2\n');
  });
});

describe('the /metrics page against prom-client\'s own rendering', { concurrency: true }, () => {
  const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';

  it('writes the OpenMetrics page byte for byte as prom-client does, exemplars and foreign metrics included', async () => {
    const m = createMetrics(oneCheckConfig(), { revision: 'r1', defaultMetrics: false, loadedAtSeconds: 1_700_000_000 });
    const registers = [m.registry];
    new Summary({ name: 'extra_summary_seconds', help: 'A summary.', labelNames: ['k'], registers, percentiles: [0.5] }).observe({ k: 'v' }, 2);
    new Counter({ name: 'extra_plain', help: 'A counter named without _total.', registers }).inc(3);
    m.record(successResult({ runId: 'exemplar0run0001' }));
    m.record(close1011Result());
    m.started('test', 'golden_path', 0.02);
    const theirs = await m.registry.metrics();
    const ours = (await m.render(OPENMETRICS)).chunks.join('');
    assert.equal(ours, theirs);
    assert.equal((await m.render(OPENMETRICS)).chunks.join(''), await m.registry.metrics());
    assert.match(ours, /^canary_event_latency_seconds_bucket\{le="1",[^}]*\} 1 # \{run_id="exemplar0run0001"\} 0\.5 /m);
  });

  it('writes the same samples in the text format, without exemplars, counter families named with _total', async () => {
    const m = createMetrics(oneCheckConfig(), { revision: 'r1', defaultMetrics: false });
    m.record(successResult());
    m.record(close1011Result());
    const om = (await m.render(OPENMETRICS)).chunks.join('');
    const text = (await m.render(undefined)).chunks.join('');
    const withoutExemplars = om.replace(/ # \{[^}]*\} \S+ \S+$/gm, '');
    const key = (s: { readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly value: number }): string => `${seriesKey(s.name, s.labels)} ${s.value}`;
    assert.deepEqual(parseSamples(text).map(key), parseSamples(withoutExemplars.replace(/^# EOF\n/m, '')).map(key));
    assert.equal(text.includes(' # {'), false);
    assert.match(text, /^# TYPE canary_check_failures_total counter$/m);
    assert.match(om, /^# TYPE canary_check_failures counter$/m);
  });
});

describe('exportFamily', () => {
  it('reads a histogram with each bucket\'s le apart from the series\' labels, and a gauge by get()', async () => {
    const histogram = new Histogram({ name: 'h', help: 'H.', labelNames: ['c'], buckets: [1], registers: [] });
    histogram.observe({ c: 'x' }, 0.5);
    const gauge = new Gauge({ name: 'g', help: 'G.', registers: [] });
    gauge.set(4);
    const h = await exportFamily(histogram);
    assert.deepEqual(
      h.values.map((v) => [v.metricName, v.labels, v.sharedLabels, v.value]),
      [
        ['h_bucket', { le: 1 }, { c: 'x' }, 1],
        ['h_bucket', { le: '+Inf' }, { c: 'x' }, 1],
        ['h_sum', {}, { c: 'x' }, 0.5],
        ['h_count', {}, { c: 'x' }, 1],
      ],
    );
    assert.deepEqual((await exportFamily(gauge)).values, [{ value: 4, labels: {} }]);
  });
});
