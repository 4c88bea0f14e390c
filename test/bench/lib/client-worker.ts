/**
 * Child process entry: one measured client, so that its CPU (process.cpuUsage) is its own. The
 * parent drives it over IPC with {@link WorkerRequest}s and gets a {@link WorkerReply} for each.
 *
 * - `canary CONFIG`: the canary's own path, warm. `batch` runs the config's `golden_path` check
 *   through a started service (`runNow`: executor, run store, metrics, log sink to /dev/null, as
 *   `POST /checks/:name/run` does); `latency` runs the check's walk (`runCheck`, one token provider
 *   as the executor keeps) in concurrent sessions.
 * - `floor URL`: the raw `ws` client of floor.ts, with one token minted up front.
 * - `floor-plus URL`: the floor plus the libraries' share of a run (floor-plus.ts): a fresh jose
 *   token, prom-client samples and a pino line each run, no canary code.
 */
import { createWriteStream } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { createTokenProvider } from '../../../src/auth/provider.ts';
import { CHECK_CONFIGS } from '../../../src/checks/registry.ts';
import { runCheck } from '../../../src/checks/run-check.ts';
import { systemClock } from '../../../src/clock.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createLogger } from '../../../src/logging/index.ts';
import { mintReferenceToken } from '../../../src/reference/index.ts';
import { startService } from '../../../src/service/service.ts';
import { floorExchange, type FloorExchange } from './floor.ts';
import { createFloorPlus } from './floor-plus.ts';
import { latencyErrorsMs, type ReportedEvent } from './stamps.ts';

/** What the parent asks. */
export type WorkerRequest =
  | { readonly op: 'batch'; readonly runs: number }
  | { readonly op: 'latency'; readonly sessions: number; readonly rampMs: number }
  | { readonly op: 'exit' };

/** What the worker answers: `ready` once at start, then one reply per request. */
export type WorkerReply =
  | { readonly op: 'ready' }
  | { readonly op: 'batch'; readonly cpuUs: number; readonly wallMs: number; readonly failed: number }
  | { readonly op: 'latency'; readonly errorsMs: readonly number[]; readonly runs: number; readonly failed: number }
  | { readonly op: 'error'; readonly message: string };

/** One client: one exchange, and one exchange's event-latency errors. */
interface Client {
  once(): Promise<boolean>;
  errorsOnce(): Promise<number[] | null>;
}

const EVENT_NAMES = new Set(['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed']);

async function canaryClient(configPath: string): Promise<Client> {
  const config = await loadConfig(configPath, {}, CHECK_CONFIGS);
  const target = config.targets[0];
  const check = target?.checks[0];
  if (target === undefined || check === undefined) throw new Error(`${configPath}: no check`);
  const logger = createLogger({ destination: createWriteStream('/dev/null'), pretty: false, env: {} });
  const service = await startService({ config, port: 0, host: '127.0.0.1', logger, adminToken: null, runAtStart: false, env: {} });
  const tokens = createTokenProvider(target.auth, systemClock, {});
  const signal = new AbortController().signal;
  return {
    async once() {
      const outcome = await service.runNow(check.name);
      return outcome.kind === 'ran' && outcome.result.result === 'success';
    },
    async errorsOnce() {
      const result = await runCheck(target, check, { clock: systemClock, tokens, signal });
      if (result.result !== 'success') return null;
      const texts = result.transcript.entries.filter((e) => e.dir === 'in' && e.kind === 'text' && e.type !== null && EVENT_NAMES.has(e.type));
      if (texts.length !== result.events.length) return null;
      const events: ReportedEvent[] = result.events.map((event, i) => ({ name: event.name, reportedMs: event.seconds * 1000, text: texts[i]?.text ?? '' }));
      return latencyErrorsMs(events);
    },
  };
}

async function floorClient(url: string, plus: boolean): Promise<Client> {
  let exchangeOnce: () => Promise<FloorExchange>;
  if (plus) {
    exchangeOnce = await createFloorPlus(url);
  } else {
    const token = await mintReferenceToken({ sub: 'floor-bench' });
    exchangeOnce = () => floorExchange(url, token);
  }
  return {
    async once() {
      await exchangeOnce();
      return true;
    },
    async errorsOnce() {
      const exchange = await exchangeOnce();
      const events: ReportedEvent[] = [];
      for (const frame of exchange.frames) {
        const type = /"type":"([a-z_]+)"/.exec(frame.text)?.[1];
        if (type !== undefined && EVENT_NAMES.has(type)) events.push({ name: type, reportedMs: frame.atMs - exchange.sendAtMs, text: frame.text });
      }
      return latencyErrorsMs(events);
    },
  };
}

async function batch(client: Client, runs: number): Promise<WorkerReply> {
  let failed = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const ok = await client.once().catch(() => false);
    if (!ok) failed++;
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { op: 'batch', cpuUs: used.user + used.system, wallMs, failed };
}

/** `sessions` exchanges, one per session, started evenly over `rampMs`, all open together once the ramp ends. */
async function latency(client: Client, sessions: number, rampMs: number): Promise<WorkerReply> {
  const errorsMs: number[] = [];
  let failed = 0;
  const session = async (i: number): Promise<void> => {
    await delay((i * rampMs) / sessions);
    const errors = await client.errorsOnce().catch(() => null);
    if (errors === null || errors.length === 0) failed++;
    else errorsMs.push(...errors);
  };
  await Promise.all(Array.from({ length: sessions }, (_, i) => session(i)));
  return { op: 'latency', errorsMs, runs: sessions, failed };
}

const [mode, where] = process.argv.slice(2);
if (where === undefined || (mode !== 'canary' && mode !== 'floor' && mode !== 'floor-plus')) throw new Error('usage: client-worker.ts canary CONFIG | floor URL | floor-plus URL');
const client = mode === 'canary' ? await canaryClient(where) : await floorClient(where, mode === 'floor-plus');
const reply = (message: WorkerReply): void => {
  process.send?.(message);
};
process.on('message', (request: WorkerRequest) => {
  if (request.op === 'exit') process.exit(0);
  const work = request.op === 'batch' ? batch(client, request.runs) : latency(client, request.sessions, request.rampMs);
  work.then(reply, (error: unknown) => reply({ op: 'error', message: String(error) }));
});
process.once('disconnect', () => process.exit(0));
reply({ op: 'ready' });
