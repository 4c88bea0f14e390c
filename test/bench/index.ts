/**
 * `npm run bench`: the figures of issue 13, each against its floor or peer, printed as one table.
 *
 *   npm run bench -- [--only=cpu,latency,series,metrics,idle,soak,cold,redaction] [--quick]
 *                    [--soak-runs=N] [--markdown]
 *
 * `--markdown` prints the table as the README's "Performance" section shows it. Every server is
 * on 127.0.0.1 and every child process is killed when the benchmark ends.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { coldFigure } from './cold.ts';
import { cpuFigure } from './cpu.ts';
import { idleFigure } from './idle.ts';
import { latencyFigure } from './latency.ts';
import { metricsFigure } from './metrics.ts';
import { seriesFigure } from './series.ts';
import { soakFigure } from './soak.ts';
import { killAll } from './lib/children.ts';
import type { BenchOptions, Figure } from './lib/figure.ts';
import { markdownTable, plainTable, type Row } from './lib/table.ts';

/**
 * In the order they run and print. The soak runs last: after its minutes at full load and a few
 * hundred MB, the machine starts processes slower for a while (`node -e ""` 112 against 86 ms in
 * one run), which a cold start measured right after it pays.
 */
const FIGURES: readonly Figure[] = [cpuFigure, latencyFigure, seriesFigure, metricsFigure, idleFigure, coldFigure, soakFigure];
const REDACTION = fileURLToPath(new URL('./redaction.ts', import.meta.url));
const NAMES = [...FIGURES.map((f) => f.name), 'redaction'];

function options(): { bench: BenchOptions; only: readonly string[]; markdown: boolean } {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      'soak-runs': { type: 'string' },
    },
  });
  const only = values.only === undefined ? NAMES : values.only.split(',').map((name) => name.trim());
  const unknown = only.filter((name) => !NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`--only: unknown figure(s) ${unknown.join(', ')}; expected some of ${NAMES.join(', ')}`);
  const soakRuns = values['soak-runs'] === undefined ? (values.quick ? 500 : 4000) : Number(values['soak-runs']);
  if (!Number.isInteger(soakRuns) || soakRuns < 1) throw new Error(`--soak-runs expects a positive integer, got ${values['soak-runs']}`);
  return { bench: { quick: values.quick, soakRuns }, only, markdown: values.markdown };
}

async function main(): Promise<void> {
  const { bench, only, markdown } = options();
  const rows: Row[] = [];
  const notes: string[] = [];
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  for (const figure of FIGURES) {
    if (!only.includes(figure.name)) continue;
    const started = performance.now();
    process.stderr.write(`bench: ${figure.title}...\n`);
    try {
      const output = await figure.measure(bench);
      rows.push(...output.rows);
      notes.push(...output.notes);
    } catch (error) {
      rows.push({ figure: figure.title, canary: 'error', reference: '', ratio: '', goal: '', met: 'n/a' });
      notes.push(`${figure.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.stderr.write(`bench: ${figure.title} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  notes.push(
    `machine: Node ${process.version}, ${availableParallelism()} cores, 1-minute load average ${loadAtStart.toFixed(1)} at the start and ${(loadavg()[0] ?? Number.NaN).toFixed(1)} at the end (timing figures need a machine at rest: load from other work lands in them)`,
  );
  if (rows.length > 0) {
    console.log(markdown ? markdownTable(rows) : plainTable(rows));
    console.log('');
    for (const note of notes) console.log(markdown ? `- ${note}` : note);
  }
  if (only.includes('redaction')) {
    console.log('');
    spawnSync(process.execPath, [REDACTION], { stdio: 'inherit' });
  }
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(code);
  });
}
try {
  await main();
} finally {
  killAll();
}
