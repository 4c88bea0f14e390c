/**
 * Figure 2: event-latency error under load. The canary's walk (`runCheck`) and the raw-`ws` floor
 * each hold N sessions open at once in one process (one core) against the reference backend in
 * another, which stamps every event with a sub-millisecond send time (envelope B). Sessions start
 * at {@link STARTS_PER_SECOND} (each costs a connect, a token and a result: the canary's CPU per run
 * at a higher rate would saturate the core, and the figure would measure the queue, not the
 * client), and the backend spaces events so that a run lasts as long as the ramp: all N are open
 * together at its end. Each event's error is the latency the client reported minus the backend's own
 * (lib/stamps.ts): what the client's own work added. Median and worst over every event, of the
 * calmer of the interleaved passes (see {@link LOADS}).
 *
 * A third client, interleaved with the two, measures what the goal competes with: the floor plus
 * the libraries' share of each run (floor-plus.ts: a fresh jose token, prom-client samples, a pino
 * line; no canary code), without the image's flags, as the floor.
 */
import { startBackendProcess } from './lib/backend.ts';
import { writeTarget } from './lib/config.ts';
import type { BenchOptions, Figure } from './lib/figure.ts';
import { max, median, ms, quantile, ratio } from './lib/stats.ts';
import { met, type FigureOutput, type Row } from './lib/table.ts';
import { startWorker, type Worker } from './lib/workers.ts';

/**
 * Sessions at once, how much worse than the floor the canary's worst error may be (issue 13), and
 * interleaved passes per client (canary, floor, floor, canary, ...) within the figure's minute.
 */
const LOADS: readonly { readonly sessions: number; readonly slackMs: number; readonly passes: number }[] = [
  { sessions: 300, slackMs: 2, passes: 3 },
  { sessions: 1000, slackMs: 5, passes: 2 },
];

/** Session starts per second; the canary's ~8 ms of CPU per run keeps this under one core. */
const STARTS_PER_SECOND = 100;
/** A run has five events, so an event gap of ramp / 5 makes a run last as long as the ramp. */
const EVENTS_PER_RUN = 5;

interface Measured {
  readonly medianMs: number;
  readonly worstMs: number;
  readonly p99Ms: number;
  readonly events: number;
  readonly runs: number;
  readonly failed: number;
}

async function under(worker: Worker, sessions: number, rampMs: number): Promise<Measured> {
  const reply = await worker.ask({ op: 'latency', sessions, rampMs }, 'latency', 3 * rampMs + 60_000);
  return { medianMs: median(reply.errorsMs), worstMs: max(reply.errorsMs), p99Ms: quantile(reply.errorsMs, 0.99), events: reply.errorsMs.length, runs: reply.runs, failed: reply.failed };
}

function describe(m: Measured): string {
  return `median ${ms(m.medianMs)}, worst ${ms(m.worstMs)}`;
}

/**
 * The pass with the lowest worst error: a shared machine's other work lands on one pass or the
 * other, and each client gets the same chance to miss it.
 */
function calmest(passes: readonly Measured[]): Measured {
  return passes.reduce((best, pass) => (pass.worstMs < best.worstMs ? pass : best));
}

async function atLoad(sessions: number, slackMs: number, passes: number): Promise<{ row: Row; note: string }> {
  const rampMs = (sessions / STARTS_PER_SECOND) * 1000;
  const eventDelayMs = Math.round(rampMs / EVENTS_PER_RUN);
  const backend = await startBackendProcess({ faults: 'envelope=data', subMillisecond: true, eventDelayMs });
  const config = await writeTarget({ url: backend.url, checks: 1, every: '1h', timeout: '60s' });
  const workers: Worker[] = [];
  try {
    const canary = await startWorker('canary', config.path);
    workers.push(canary);
    const floor = await startWorker('floor', backend.url);
    workers.push(floor);
    const plus = await startWorker('floor-plus', backend.url);
    workers.push(plus);
    const clients = [canary, floor, plus];
    // Warm, as a service that has run for a while is: figure 1 shows the canary's CPU per run
    // settling only after 150-250 runs (V8 optimizes its many small functions late), so the first
    // pass of each client, at the same load, is not counted.
    for (const worker of clients) await under(worker, sessions, rampMs);
    const passesOf = new Map<Worker, Measured[]>(clients.map((worker) => [worker, []]));
    for (let pass = 0; pass < passes; pass++) {
      const order = pass % 2 === 0 ? clients : [...clients].reverse();
      for (const worker of order) passesOf.get(worker)?.push(await under(worker, sessions, rampMs));
    }
    const [canaryPasses, floorPasses, plusPasses] = clients.map((worker) => passesOf.get(worker) ?? []) as [Measured[], Measured[], Measured[]];
    const c = calmest(canaryPasses);
    const f = calmest(floorPasses);
    const p = calmest(plusPasses);
    const measured = c.events > 0 && f.events > 0;
    return {
      row: {
        figure: `event-latency error, ${sessions.toLocaleString('en')} concurrent sessions on one core`,
        canary: describe(c),
        reference: `floor ${describe(f)}`,
        ratio: ratio(c.worstMs, f.worstMs),
        goal: `worst ≤ floor + ${slackMs} ms`,
        met: met(c.worstMs <= f.worstMs + slackMs, measured),
      },
      note: `latency ${sessions} sessions (started over ${rampMs / 1000} s, events ${eventDelayMs} ms apart, after a warm-up pass each): canary ${c.events} events, p99 ${ms(c.p99Ms)} (${c.failed} of ${c.runs} runs failed or unstamped); floor ${f.events} events, p99 ${ms(f.p99Ms)} (${f.failed} of ${f.runs} failed); the floor plus the libraries (a fresh jose token, prom-client samples, a pino line per run; no canary code) ${describe(p)}, p99 ${ms(p.p99Ms)} (${p.failed} of ${p.runs} failed); ratio is worst to worst${passes > 1 ? `; the calmer of ${passes} interleaved passes each (worst canary ${canaryPasses.map((m) => ms(m.worstMs)).join(', ')}; floor ${floorPasses.map((m) => ms(m.worstMs)).join(', ')}; floor plus the libraries ${plusPasses.map((m) => ms(m.worstMs)).join(', ')})` : ''}`,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await backend.child.stop();
    await config.remove();
  }
}

async function measure(options: BenchOptions): Promise<FigureOutput> {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const load of LOADS) {
    const { row, note } = await atLoad(options.quick ? load.sessions / 5 : load.sessions, load.slackMs, options.quick ? 1 : load.passes);
    rows.push(row);
    notes.push(note);
  }
  return { rows, notes };
}

/** Figure 2. */
export const latencyFigure: Figure = { name: 'latency', title: 'event-latency error under load', measure };
