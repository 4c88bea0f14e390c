/**
 * Figure 5: idle RSS of `canary serve` with 50 golden_path checks configured (hourly, so after the
 * run each does at start the service is at rest), against a bare Node process that only waits.
 * VmRSS from /proc, median of five readings 200 ms apart once settled.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { startBackendProcess } from './lib/backend.ts';
import { cleanEnv, rssKib, startChild, type Child } from './lib/children.ts';
import { writeTarget } from './lib/config.ts';
import type { BenchOptions, Figure } from './lib/figure.ts';
import { startServe, untilEveryCheckRan, type Served } from './lib/serve.ts';
import { median, megabytesFromKib, ratio } from './lib/stats.ts';
import { met, type FigureOutput } from './lib/table.ts';

const CHECKS = 50;
const GOAL_BYTES = 80e6;

async function settledRssKib(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(await rssKib(pid));
    await delay(200);
  }
  return median(readings);
}

async function measure(options: BenchOptions): Promise<FigureOutput> {
  const settleMs = options.quick ? 1000 : 3000;
  const backend = await startBackendProcess();
  const config = await writeTarget({ url: backend.url, checks: CHECKS, every: '1h' });
  let served: Served | null = null;
  let bare: Child | null = null;
  try {
    served = await startServe(config.path);
    await untilEveryCheckRan(served, 60_000);
    bare = startChild(['-e', 'setInterval(() => {}, 1e9); console.log("up")'], { env: cleanEnv() });
    await bare.waitFor(/up/, 10_000);
    await delay(settleMs);
    const canaryKib = await settledRssKib(served.child.pid);
    const bareKib = await settledRssKib(bare.pid);
    return {
      rows: [
        {
          figure: `idle RSS of \`serve\`, ${CHECKS} checks configured`,
          canary: megabytesFromKib(canaryKib),
          reference: `bare Node ${megabytesFromKib(bareKib)}`,
          ratio: ratio(canaryKib, bareKib),
          goal: '≤ 80 MB',
          met: met(canaryKib * 1024 <= GOAL_BYTES, Number.isFinite(canaryKib)),
        },
      ],
      notes: [`idle: VmRSS after every check ran once and ${settleMs / 1000} s at rest, median of 5 readings; MB = 10^6 bytes; bare Node: node -e "setInterval(() => {}, 1e9)"`],
    };
  } finally {
    await bare?.stop();
    await served?.child.stop();
    await backend.child.stop();
    await config.remove();
  }
}

/** Figure 5. */
export const idleFigure: Figure = { name: 'idle', title: 'idle RSS of serve', measure };
