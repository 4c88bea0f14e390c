/**
 * Figure 7: cold start to first result, the built CLI (lib/build.ts) against the reference
 * backend in its own process. `run --json` from spawn to its result on stdout; `serve` from spawn
 * to its first run's log line; against `node -e ""` from spawn to exit. The three alternate, and
 * each figure is the median of its starts.
 */
import { jobKey, stableHash } from '../../src/service/jobs.ts';
import { SPREAD_MS } from '../../src/service/scheduler.ts';
import { startBackendProcess } from './lib/backend.ts';
import { builtCli } from './lib/build.ts';
import { cleanEnv, imageEnv, startChild } from './lib/children.ts';
import { checkName, writeTarget } from './lib/config.ts';
import type { BenchOptions, Figure } from './lib/figure.ts';
import { RUN_LOG_LINE } from './lib/serve.ts';
import { median, ms, ratio } from './lib/stats.ts';
import { met, type FigureOutput } from './lib/table.ts';

const GOAL_MS = 400;

/** Milliseconds from spawning `args` until stdout matches `pattern` (or, without one, until exit). */
async function startToMs(args: readonly string[], pattern: RegExp | null, env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = startChild(args, { env });
  try {
    if (pattern === null) {
      const code = await child.exited;
      if (code !== 0) throw new Error(`${args.join(' ')} exited ${String(code)}: ${child.stderr().slice(-500)}`);
    } else {
      await child.waitFor(pattern, 30_000);
    }
    return performance.now() - started;
  } finally {
    await child.stop(2000);
  }
}

async function measure(options: BenchOptions): Promise<FigureOutput> {
  const starts = options.quick ? 3 : 9;
  const cli = builtCli();
  const backend = await startBackendProcess();
  const config = await writeTarget({ url: backend.url, checks: 1, every: '1h' });
  try {
    const bare: number[] = [];
    const run: number[] = [];
    const serve: number[] = [];
    for (let i = 0; i < starts; i++) {
      bare.push(await startToMs(['-e', ''], null, cleanEnv()));
      run.push(await startToMs([cli, 'run', '--config', config.path, '--json'], /"result":"success"/, imageEnv()));
      serve.push(await startToMs([cli, 'serve', '--config', config.path, '--port', '0', '--host', '127.0.0.1'], RUN_LOG_LINE, imageEnv()));
    }
    const b = median(bare);
    const r = median(run);
    const s = median(serve);
    const spreadMs = stableHash(`spread:${jobKey('bench', checkName(0))}`) % SPREAD_MS;
    return {
      rows: [
        {
          figure: 'cold start to first result',
          canary: `${ms(r)} (\`run\`), ${ms(s)} (\`serve\`)`,
          reference: `\`node -e ""\` ${ms(b)}`,
          ratio: `${ratio(r, b)}, ${ratio(s, b)}`,
          goal: `≤ ${GOAL_MS} ms`,
          met: met(r <= GOAL_MS && s <= GOAL_MS, Number.isFinite(r) && Number.isFinite(s)),
        },
      ],
      notes: [
        `cold: median of ${starts} interleaved starts each, built CLI (dist/cli/main.js); run: spawn to its --json result on stdout; serve: spawn to its first run's log line (it runs every check at start, after the check's stable spread offset, ${spreadMs} ms for bench/golden_path: ${ms(s - spreadMs)} without it); node -e "": spawn to exit`,
      ],
    };
  } finally {
    await backend.child.stop();
    await config.remove();
  }
}

/** Figure 7. */
export const coldFigure: Figure = { name: 'cold', title: 'cold start to first result', measure };
