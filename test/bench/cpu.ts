/**
 * Figure 1: CPU per golden-path run, warm. The canary (a started service's `runNow`, as the admin
 * endpoint runs a check: walk, executor, run store, metrics, log sink) and the raw-`ws` floor each
 * run in a child process of their own against the reference backend in a third, so
 * process.cpuUsage() counts one client only. After a warm-up, batches alternate canary and floor;
 * the figure is the median over batches of CPU time per run.
 */
import { startBackendProcess } from './lib/backend.ts';
import { writeTarget } from './lib/config.ts';
import type { BenchOptions, Figure } from './lib/figure.ts';
import { median, ms, ratio } from './lib/stats.ts';
import { met, type FigureOutput } from './lib/table.ts';
import { startWorker, type Worker } from './lib/workers.ts';

const GOAL_RATIO = 1.3;

async function perRunMs(worker: Worker, runs: number): Promise<{ cpuMs: number; failed: number }> {
  const reply = await worker.ask({ op: 'batch', runs }, 'batch', 120_000);
  return { cpuMs: reply.cpuUs / 1000 / runs, failed: reply.failed };
}

async function measure(options: BenchOptions): Promise<FigureOutput> {
  const warmup = options.quick ? 10 : 50;
  const batches = options.quick ? 3 : 5;
  const runsPerBatch = options.quick ? 10 : 40;
  const backend = await startBackendProcess();
  const config = await writeTarget({ url: backend.url, checks: 1, every: '1h' });
  const workers: Worker[] = [];
  try {
    const canary = await startWorker('canary', config.path);
    workers.push(canary);
    const floor = await startWorker('floor', backend.url);
    workers.push(floor);
    await perRunMs(canary, warmup);
    await perRunMs(floor, warmup);
    const canaryMs: number[] = [];
    const floorMs: number[] = [];
    let failed = 0;
    for (let i = 0; i < batches; i++) {
      const order = i % 2 === 0 ? [canary, floor] : [floor, canary];
      for (const worker of order) {
        const batch = await perRunMs(worker, runsPerBatch);
        failed += batch.failed;
        (worker === canary ? canaryMs : floorMs).push(batch.cpuMs);
      }
    }
    const c = median(canaryMs);
    const f = median(floorMs);
    const measured = failed === 0 && Number.isFinite(c) && Number.isFinite(f);
    return {
      rows: [
        {
          figure: 'CPU per golden-path run, warm `serve`',
          canary: ms(c),
          reference: `floor ${ms(f)}`,
          ratio: ratio(c, f),
          goal: `≤ ${GOAL_RATIO}× floor`,
          met: met(c <= GOAL_RATIO * f, measured),
        },
      ],
      notes: [
        `cpu: ${batches} batches of ${runsPerBatch} runs each after ${warmup} warm-up runs, interleaved; per-batch ms/run canary [${canaryMs.map((v) => v.toFixed(2)).join(', ')}], floor [${floorMs.map((v) => v.toFixed(2)).join(', ')}]; failed runs ${failed}`,
      ],
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await backend.child.stop();
    await config.remove();
  }
}

/** Figure 1. */
export const cpuFigure: Figure = { name: 'cpu', title: 'CPU per golden-path run', measure };
