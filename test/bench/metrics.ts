/**
 * Figure 4: `/metrics` with 100 checks. One `canary serve` with 100 golden_path checks against the
 * reference backend; each runs once at start (real runs, not results fed to the sink), and once
 * every check has a result, scrapes alternate `/metrics` (text, then OpenMetrics) and `/healthz` from this process, 100 ms apart: time
 * until the whole body is read and its size, medians.
 */
import { startBackendProcess } from './lib/backend.ts';
import { writeTarget } from './lib/config.ts';
import type { BenchOptions, Figure } from './lib/figure.ts';
import { seriesLines, startServe, timedGet, untilEveryCheckRan, type Served } from './lib/serve.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { bytes, median, ms, ratio } from './lib/stats.ts';
import { met, type FigureOutput } from './lib/table.ts';

const CHECKS = 100;
const GOAL_MS = 10;
const GOAL_BYTES = 1024 * 1024;
/** Between two requests, so that one scrape's garbage collection is not timed in the next. */
const PAUSE_MS = 100;
const OPENMETRICS = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';

async function measure(options: BenchOptions): Promise<FigureOutput> {
  const scrapes = options.quick ? 5 : 20;
  const backend = await startBackendProcess();
  const config = await writeTarget({ url: backend.url, checks: CHECKS, every: '1h' });
  let served: Served | null = null;
  try {
    served = await startServe(config.path);
    await untilEveryCheckRan(served, 60_000);
    const metricsMs: number[] = [];
    const openMetricsMs: number[] = [];
    const healthMs: number[] = [];
    let body = '';
    let openMetricsBytes = 0;
    await timedGet(`${served.url}/metrics`);
    for (let i = 0; i < scrapes; i++) {
      const scrape = await timedGet(`${served.url}/metrics`);
      metricsMs.push(scrape.ms);
      body = scrape.body;
      await delay(PAUSE_MS);
      const open = await timedGet(`${served.url}/metrics`, { Accept: OPENMETRICS });
      openMetricsMs.push(open.ms);
      openMetricsBytes = Buffer.byteLength(open.body);
      await delay(PAUSE_MS);
      healthMs.push((await timedGet(`${served.url}/healthz`)).ms);
      await delay(PAUSE_MS);
    }
    const size = Buffer.byteLength(body);
    const m = median(metricsMs);
    const h = median(healthMs);
    return {
      rows: [
        {
          figure: `\`/metrics\` with ${CHECKS} checks`,
          canary: `${seriesLines(body).length.toLocaleString('en')} series, ${bytes(size)}, ${ms(m)} per scrape`,
          reference: `\`/healthz\` ${ms(h)}`,
          ratio: ratio(m, h),
          goal: `≤ ${GOAL_MS} ms, ≤ ${bytes(GOAL_BYTES)}`,
          met: met(m <= GOAL_MS && size <= GOAL_BYTES, body !== ''),
        },
      ],
      notes: [
        `metrics: median of ${scrapes} scrapes after every check ran once (real runs); text format, plain GET; with Prometheus' OpenMetrics Accept header ${ms(median(openMetricsMs))} and ${bytes(openMetricsBytes)}`,
      ],
    };
  } finally {
    await served?.child.stop();
    await backend.child.stop();
    await config.remove();
  }
}

/** Figure 4. */
export const metricsFigure: Figure = { name: 'metrics', title: '/metrics with 100 checks', measure };
