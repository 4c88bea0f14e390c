import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openMetricsToText, wantsOpenMetrics } from '../../src/metrics/exposition.ts';

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

describe('OpenMetrics to Prometheus text conversion', { concurrency: true }, () => {
  const cases: readonly { readonly name: string; readonly input: string; readonly output: string }[] = [
    {
      name: 'gives counter families back their _total name',
      input: '# HELP runs Runs.\n# TYPE runs counter\nruns_total{a="1"} 2\n# EOF\n',
      output: '# HELP runs_total Runs.\n# TYPE runs_total counter\nruns_total{a="1"} 2\n',
    },
    {
      name: 'drops exemplars from histogram buckets',
      input:
        '# HELP d Seconds.\n# TYPE d histogram\nd_bucket{le="1",c="x"} 1 # {run_id="abc"} 0.5 1700000000.5\nd_bucket{le="+Inf",c="x"} 1\nd_sum{c="x"} 0.5\nd_count{c="x"} 1\n# EOF\n',
      output: '# HELP d Seconds.\n# TYPE d histogram\nd_bucket{le="1",c="x"} 1\nd_bucket{le="+Inf",c="x"} 1\nd_sum{c="x"} 0.5\nd_count{c="x"} 1\n',
    },
    {
      name: 'keeps label values that look like exemplars',
      input: '# HELP g G.\n# TYPE g gauge\ng{m="a } # {b=\\"c\\"} 1"} 3\n# EOF\n',
      output: '# HELP g G.\n# TYPE g gauge\ng{m="a } # {b=\\"c\\"} 1"} 3\n',
    },
    {
      name: 'turns unknown into untyped, drops UNIT and converts timestamps to milliseconds',
      input: '# TYPE u unknown\n# UNIT u seconds\nu 1 1700000000.25\n# EOF\n',
      output: '# TYPE u untyped\nu 1 1700000000250\n',
    },
    {
      name: 'unescapes quotes in HELP, keeps backslashes and newlines escaped',
      input: '# HELP h A \\"quoted\\" \\\\ path\\nnext.\n# TYPE h gauge\nh 1\n# EOF\n',
      output: '# HELP h A "quoted" \\\\ path\\nnext.\n# TYPE h gauge\nh 1\n',
    },
    {
      name: 'names info families with their _info suffix as gauges',
      input: '# TYPE build info\nbuild_info{v="1"} 1\n# EOF\n',
      output: '# TYPE build_info gauge\nbuild_info{v="1"} 1\n',
    },
  ];
  for (const { name, input, output } of cases) {
    it(name, () => {
      assert.equal(openMetricsToText(input), output);
    });
  }
});
