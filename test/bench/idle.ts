/**
 * Figure 5: idle RSS of `canary serve` with 50 golden_path checks configured (hourly, so after the
 * run each does at start the service is at rest), against a bare Node process that only waits.
 * VmRSS from /proc, median of five readings 200 ms apart once settled.
 *
 * A third process measures what the goal competes with: Node with the image's flags that only
 * loads the libraries `serve` loads, puts each to the least use (a registry with Node's process
 * metrics, one logger line, one YAML document, one signed token, one WebSocket upgrade to the
 * reference backend), answers one `/healthz` through express and waits. No canary code, no check.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { startBackendProcess } from './lib/backend.ts';
import { cleanEnv, imageEnv, rssKib, startChild, type Child } from './lib/children.ts';
import { writeTarget } from './lib/config.ts';
import type { BenchOptions, Figure } from './lib/figure.ts';
import { startServe, untilEveryCheckRan, type Served } from './lib/serve.ts';
import { median, megabytesFromKib, ratio } from './lib/stats.ts';
import { met, type FigureOutput } from './lib/table.ts';

const CHECKS = 50;
const GOAL_BYTES = 80e6;

/** The libraries alone (an ES module for `node --input-type=module -e`); prints `up` once idle. */
const LIBRARIES_ONLY = `
import express from 'express';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { pino } from 'pino';
import { parse } from 'yaml';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
const registry = new Registry();
collectDefaultMetrics({ register: registry });
await registry.metrics();
pino().info({ check: 'none' }, 'libraries only');
parse('target: bench\\nchecks: [{name: a}]');
await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('k'.repeat(32)));
// The reference backend, without a token: an upgrade and whatever it answers, as a run's first steps.
const client = new WebSocket(process.env.BACKEND_URL);
client.on('error', () => {});
await new Promise((resolve) => client.once('close', resolve));
const app = express();
app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
const server = app.listen(0, '127.0.0.1', async () => {
  // node:http, not fetch: fetch loads Node's bundled undici, which the canary keeps out.
  process.getBuiltinModule('node:http').get('http://127.0.0.1:' + server.address().port + '/healthz', (res) => {
    res.resume();
    res.on('end', () => console.log('up'));
  });
});
`;

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
  let libraries: Child | null = null;
  try {
    served = await startServe(config.path);
    await untilEveryCheckRan(served, 60_000);
    bare = startChild(['-e', 'setInterval(() => {}, 1e9); console.log("up")'], { env: cleanEnv() });
    await bare.waitFor(/up/, 10_000);
    libraries = startChild(['--input-type=module', '-e', LIBRARIES_ONLY], { env: imageEnv({ BACKEND_URL: backend.url }) });
    await libraries.waitFor(/^up$/m, 10_000);
    await delay(settleMs);
    const canaryKib = await settledRssKib(served.child.pid);
    const bareKib = await settledRssKib(bare.pid);
    const librariesKib = await settledRssKib(libraries.pid);
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
      notes: [
        `idle: VmRSS after every check ran once and ${settleMs / 1000} s at rest, median of 5 readings; MB = 10^6 bytes; bare Node: node -e "setInterval(() => {}, 1e9)"`,
        `idle, the libraries alone (express, prom-client with Node's process metrics, pino, yaml, jose, ws, each used once, the image's flags, no canary code): ${megabytesFromKib(librariesKib)}, leaving ${megabytesFromKib(GOAL_BYTES / 1024 - librariesKib)} of the goal for the canary itself and its ${CHECKS} checks (it takes ${megabytesFromKib(canaryKib - librariesKib)})`,
      ],
    };
  } finally {
    await bare?.stop();
    await libraries?.stop();
    await served?.child.stop();
    await backend.child.stop();
    await config.remove();
  }
}

/** Figure 5. */
export const idleFigure: Figure = { name: 'idle', title: 'idle RSS of serve', measure };
