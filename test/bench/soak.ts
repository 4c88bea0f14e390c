/**
 * Figure 6: a soak in one `canary serve`, 50 golden_path checks every second against the reference
 * backend. The child runs with `--expose-gc` and lib/soak-preload.ts, which on SIGUSR2 forces a
 * full collection and reports the heap. Peak RSS is sampled every 200 ms over the whole soak;
 * heap after a forced GC and open descriptors are read at a baseline and at the end. The run store
 * keeps 50 runs per check, so the heap grows legitimately until it is full (2,500 runs): the
 * baseline is taken then when the soak is long enough (at least 1,000 runs more), else halfway.
 */
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_RUNS_PER_CHECK } from '../../src/service/run-store.ts';
import { startBackendProcess } from './lib/backend.ts';
import { openFds, rssKib, until } from './lib/children.ts';
import { writeTarget } from './lib/config.ts';
import type { BenchOptions, Figure } from './lib/figure.ts';
import { startServe, type Served } from './lib/serve.ts';
import { max, median, megabytesFromKib } from './lib/stats.ts';
import { met, type FigureOutput } from './lib/table.ts';

const CHECKS = 50;
const PRELOAD = fileURLToPath(new URL('./lib/soak-preload.ts', import.meta.url));
const GOAL_PEAK_BYTES = 200e6;
/** Heap after GC at the end may exceed the baseline by this share and still be flat. */
const HEAP_SLACK = 0.05;
/** Open descriptors at the end may exceed the baseline by this many (runs in flight hold sockets). */
const FD_SLACK = 5;
const STORE_FULL_RUNS = CHECKS * DEFAULT_RUNS_PER_CHECK;

/** Forces a GC in the child and resolves with its heap in use afterwards, in bytes. */
async function heapAfterGc(served: Served): Promise<number> {
  const before = served.child.stderr().split('BENCH_HEAP').length;
  served.child.process.kill('SIGUSR2');
  return until(
    'the heap after a forced GC',
    async () => {
      const parts = served.child.stderr().split('BENCH_HEAP ');
      if (parts.length <= before) return null;
      return Number.parseInt(parts[parts.length - 1] ?? '', 10);
    },
    10_000,
    20,
  );
}

async function fdsNow(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(await openFds(pid));
    await delay(100);
  }
  return median(readings);
}

function mb(value: number): string {
  return `${(value / 1e6).toFixed(1)} MB`;
}

async function measure(options: BenchOptions): Promise<FigureOutput> {
  const runs = options.soakRuns;
  const baselineRuns = runs >= STORE_FULL_RUNS + 1000 ? STORE_FULL_RUNS : Math.floor(runs / 2);
  const backend = await startBackendProcess();
  const config = await writeTarget({ url: backend.url, checks: CHECKS, every: '1s' });
  let served: Served | null = null;
  try {
    served = await startServe(config.path, { nodeArgs: ['--expose-gc', '--import', PRELOAD] });
    const child = served.child;
    const rssKibSamples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        rssKibSamples.push(await rssKib(child.pid));
        await delay(200);
      }
    })();
    const timeoutMs = (runs / CHECKS) * 3000 + 30_000;
    const startedAt = performance.now();
    await until('the baseline', async () => (child.counted() >= baselineRuns ? true : null), timeoutMs, 100);
    const heapBaseline = await heapAfterGc(served);
    const fdsBaseline = await fdsNow(child.pid);
    await until('the end of the soak', async () => (child.counted() >= runs ? true : null), timeoutMs, 100);
    const seconds = (performance.now() - startedAt) / 1000;
    const heapEnd = await heapAfterGc(served);
    const fdsEnd = await fdsNow(child.pid);
    sampling = false;
    await sampler;
    const peakKib = max(rssKibSamples);
    const flatHeap = heapEnd <= heapBaseline * (1 + HEAP_SLACK);
    const flatFds = fdsEnd <= fdsBaseline + FD_SLACK;
    const failures = (child.stdout().match(/"result":"failure"/g) ?? []).length;
    return {
      rows: [
        {
          figure: `${runs.toLocaleString('en')}-run soak in one \`serve\` (${CHECKS} checks every second)`,
          canary: `peak RSS ${megabytesFromKib(peakKib)}; heap after GC ${mb(heapBaseline)} → ${mb(heapEnd)}; descriptors ${fdsBaseline} → ${fdsEnd}`,
          reference: '—',
          ratio: '—',
          goal: 'peak RSS ≤ 200 MB; heap after GC and descriptors flat',
          met: met(peakKib * 1024 <= GOAL_PEAK_BYTES && flatHeap && flatFds, Number.isFinite(peakKib)),
        },
      ],
      notes: [
        `soak: ${child.counted()} runs in ${seconds.toFixed(0)} s (failures in the kept log: ${failures}); baseline after ${baselineRuns} runs${baselineRuns === STORE_FULL_RUNS ? ' (run store full)' : ' (halfway: too short to fill the run store, --soak-runs=' + String(STORE_FULL_RUNS + 1000) + ' or more waits for it)'}; flat: heap within ${HEAP_SLACK * 100} %, descriptors within ${FD_SLACK}; RSS sampled every 200 ms (${rssKibSamples.length} samples); \`--soak-runs=10000\` for the full soak`,
      ],
    };
  } finally {
    await served?.child.stop();
    await backend.child.stop();
    await config.remove();
  }
}

/** Figure 6. */
export const soakFigure: Figure = { name: 'soak', title: 'soak in one serve', measure };
