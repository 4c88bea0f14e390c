/**
 * Figure 3: series per golden_path check on `/metrics`. One `canary serve` with one check against
 * the reference backend, after its first run: the series lines labelled `check="golden_path"`,
 * broken down by family. Target-wide series (no `check` label) are not counted.
 */
import { startBackendProcess } from './lib/backend.ts';
import { writeTarget } from './lib/config.ts';
import type { Figure } from './lib/figure.ts';
import { byFamily, seriesLines, startServe, timedGet, untilEveryCheckRan, type Served } from './lib/serve.ts';
import { met, type FigureOutput } from './lib/table.ts';

const GOAL_SERIES = 100;

async function measure(): Promise<FigureOutput> {
  const backend = await startBackendProcess();
  const config = await writeTarget({ url: backend.url, checks: 1, every: '1h' });
  let served: Served | null = null;
  try {
    served = await startServe(config.path);
    await untilEveryCheckRan(served, 30_000);
    const { body } = await timedGet(`${served.url}/metrics`);
    const lines = seriesLines(body).filter((line) => line.includes('check="golden_path"'));
    const families = byFamily(lines);
    return {
      rows: [
        {
          figure: 'series per `golden_path` check on `/metrics`',
          canary: String(lines.length),
          reference: '—',
          ratio: '—',
          goal: `≤ ${GOAL_SERIES}`,
          met: met(lines.length <= GOAL_SERIES, lines.length > 0),
        },
      ],
      notes: [`series of one golden_path check after one successful run, by family: ${families.map(([family, n]) => `${family} ${n}`).join(', ')}`],
    };
  } finally {
    await served?.child.stop();
    await backend.child.stop();
    await config.remove();
  }
}

/** Figure 3. */
export const seriesFigure: Figure = { name: 'series', title: 'series per golden_path check', measure };
