/**
 * Figure 1: CPU per golden-path run, warm. The canary (a started service's `runNow`, as the admin
 * endpoint runs a check: walk, executor, run store, metrics, log sink) and the raw-`ws` floor each
 * run in a child process of their own against the reference backend in a third, so
 * process.cpuUsage() counts one client only. After a warm-up, batches alternate canary and floor;
 * the figure is the median over batches of CPU time per run.
 *
 * Driven by the schedule: the built CLI's `serve` with {@link SCHEDULED_CHECKS} checks every second
 * (scheduler, HTTP server, logs to a pipe: all of it), CPU from /proc over a window after warm-up,
 * divided by the runs it logged; against the same floor.
 *
 * A third client, interleaved with the two, measures what the goal competes with: the floor plus
 * the libraries' share of a run (floor-plus.ts: a fresh jose token, prom-client samples, a pino
 * line; no canary code), without the image's flags, as the floor.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { startBackendProcess, type BackendProcess } from './lib/backend.ts';
import { cpuMs, until } from './lib/children.ts';
import { startServe } from './lib/serve.ts';
import { writeTarget } from './lib/config.ts';
import type { BenchOptions, Figure } from './lib/figure.ts';
import { median, ms, ratio } from './lib/stats.ts';
import { met, type FigureOutput } from './lib/table.ts';
import { startWorker, type Worker } from './lib/workers.ts';

const GOAL_RATIO = 1.3;
const SCHEDULED_CHECKS = 20;

/** CPU per run of a `serve` child running {@link SCHEDULED_CHECKS} checks every second, over `windowMs` after 15 rounds. */
async function scheduledPerRunMs(backend: BackendProcess, windowMs: number): Promise<{ cpuMs: number; runs: number }> {
  const config = await writeTarget({ url: backend.url, checks: SCHEDULED_CHECKS, every: '1s' });
  try {
    const served = await startServe(config.path);
    try {
      const child = served.child;
      // Warm, as figure 1's 300 runs: 15 rounds of every check before the window.
      await until('15 rounds', async () => (child.counted() >= 15 * SCHEDULED_CHECKS ? true : null), 60_000, 100);
      const [cpu0, runs0] = [await cpuMs(child.pid), child.counted()];
      await delay(windowMs);
      const [cpu1, runs1] = [await cpuMs(child.pid), child.counted()];
      return { cpuMs: (cpu1 - cpu0) / (runs1 - runs0), runs: runs1 - runs0 };
    } finally {
      await served.child.stop();
    }
  } finally {
    await config.remove();
  }
}

async function perRunMs(worker: Worker, runs: number): Promise<{ cpuMs: number; failed: number }> {
  const reply = await worker.ask({ op: 'batch', runs }, 'batch', 120_000);
  return { cpuMs: reply.cpuUs / 1000 / runs, failed: reply.failed };
}

async function measure(options: BenchOptions): Promise<FigureOutput> {
  // Warm means steady: run by run, the canary's CPU per run falls for its first 150-250 runs (V8
  // optimizes the walk's many small functions later than the floor's one handler), so both warm
  // up over 300 runs in batches of 50, whose first and last are printed in the notes.
  const warmupBatches = options.quick ? 1 : 6;
  const warmupRuns = options.quick ? 10 : 50;
  const batches = options.quick ? 3 : 5;
  const runsPerBatch = options.quick ? 10 : 100;
  const backend = await startBackendProcess();
  const config = await writeTarget({ url: backend.url, checks: 1, every: '1h' });
  const workers: Worker[] = [];
  try {
    const canary = await startWorker('canary', config.path);
    workers.push(canary);
    const floor = await startWorker('floor', backend.url);
    workers.push(floor);
    const plus = await startWorker('floor-plus', backend.url);
    workers.push(plus);
    const warmCanary: number[] = [];
    const warmFloor: number[] = [];
    for (let i = 0; i < warmupBatches; i++) {
      warmCanary.push((await perRunMs(canary, warmupRuns)).cpuMs);
      warmFloor.push((await perRunMs(floor, warmupRuns)).cpuMs);
      await perRunMs(plus, warmupRuns);
    }
    const perWorker = new Map<Worker, number[]>([
      [canary, []],
      [floor, []],
      [plus, []],
    ]);
    let failed = 0;
    for (let i = 0; i < batches; i++) {
      const order = i % 2 === 0 ? [canary, floor, plus] : [plus, floor, canary];
      for (const worker of order) {
        const batch = await perRunMs(worker, runsPerBatch);
        failed += batch.failed;
        perWorker.get(worker)?.push(batch.cpuMs);
      }
    }
    const [canaryMs, floorMs, plusMs] = [canary, floor, plus].map((w) => perWorker.get(w) ?? []) as [number[], number[], number[]];
    const c = median(canaryMs);
    const f = median(floorMs);
    const p = median(plusMs);
    const measured = failed === 0 && Number.isFinite(c) && Number.isFinite(f);
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    const scheduled = await scheduledPerRunMs(backend, options.quick ? 5000 : 15_000);
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
        {
          figure: 'the same, driven by the schedule',
          canary: ms(scheduled.cpuMs),
          reference: `floor ${ms(f)}`,
          ratio: ratio(scheduled.cpuMs, f),
          goal: `≤ ${GOAL_RATIO}× floor`,
          met: met(scheduled.cpuMs <= GOAL_RATIO * f, measured && Number.isFinite(scheduled.cpuMs)),
        },
      ],
      notes: [
        `cpu: ${batches} batches of ${runsPerBatch} runs each after ${warmupBatches * warmupRuns} warm-up runs, interleaved; per-batch ms/run canary [${canaryMs.map((v) => v.toFixed(2)).join(', ')}], floor [${floorMs.map((v) => v.toFixed(2)).join(', ')}], floor plus the libraries [${plusMs.map((v) => v.toFixed(2)).join(', ')}]; failed runs ${failed}`,
        `cpu, the floor plus the libraries' share of a run (a fresh jose token, the run's prom-client samples, one pino line; no canary code, no image flags): ${ms(p)}, ${ratio(p, f)} the floor, leaving ${ms(GOAL_RATIO * f - p)} a run of the goal's ${ms(GOAL_RATIO * f)} for the canary's own work (it takes ${ms(c - p)})`,
        `cpu while warming up, ms/run per batch of ${warmupRuns}: canary ${warmCanary.map((v) => v.toFixed(2)).join(' → ')}, floor ${warmFloor.map((v) => v.toFixed(2)).join(' → ')}`,
        `cpu driven by the schedule: built CLI serve, ${SCHEDULED_CHECKS} checks every 1 s, ${scheduled.runs} runs in the window, CPU from /proc/<pid>/stat (10 ms ticks)`,
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
