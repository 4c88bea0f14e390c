/**
 * Test support: a real Prometheus and a real Alertmanager (Debian's packages) on free loopback
 * ports, each in a temporary folder, stopped and removed by `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, listenLoopback, until } from '../support/net.ts';

export function requireBinary(name: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (found === '') {
    throw new Error(`${name} is not installed: apt-get update && apt-get install -y --no-install-recommends ${debianPackage} (.ci/run does this)`);
  }
  return found;
}

interface Managed {
  readonly child: ChildProcess;
  readonly dir: string;
  output(): string;
}

async function startProcess(binary: string, args: (dir: string) => string[], files: (dir: string) => Record<string, string>): Promise<Managed> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-live-'));
  for (const [name, text] of Object.entries(files(dir))) await writeFile(join(dir, name), text);
  const child = spawn(binary, args(dir), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, dir, output: () => output };
}

async function stopProcess(managed: Managed): Promise<void> {
  if (managed.child.exitCode === null && managed.child.signalCode === null) {
    const exited = new Promise((resolve) => managed.child.once('exit', resolve));
    managed.child.kill('SIGTERM');
    const timer = setTimeout(() => managed.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await rm(managed.dir, { recursive: true, force: true });
}

/** Waits up to 30 s for `readyUrl` to answer 2xx; else stops the process and throws with its output. */
async function untilReady(name: string, readyUrl: string, managed: Managed): Promise<void> {
  try {
    await until(`${name} to be ready`, async () => ((await fetch(readyUrl)).ok ? true : null), 30_000);
  } catch (error) {
    await stopProcess(managed);
    throw new Error(`${String(error)}\n${managed.output()}`);
  }
}

export interface PrometheusHandle {
  readonly url: string;
  output(): string;
  /** Runs an instant query; throws with Prometheus' error text when the query is invalid. */
  query(expr: string): Promise<unknown[]>;
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
  metricNames(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `scrapeTarget` (host:port) as job `canary` every second, with `rules` loaded. */
export async function startPrometheus(opts: { scrapeTarget: string; rules: string; alertmanager: string }): Promise<PrometheusHandle> {
  const binary = requireBinary('prometheus', 'prometheus');
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'rule_files: [canary-rules.yml]',
    'alerting:',
    '  alertmanagers:',
    `    - static_configs: [{targets: ['${opts.alertmanager}']}]`,
    'scrape_configs:',
    '  - job_name: canary',
    `    static_configs: [{targets: ['${opts.scrapeTarget}']}]`,
    '',
  ].join('\n');
  const managed = await startProcess(
    binary,
    (dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ],
    () => ({ 'prometheus.yml': config, 'canary-rules.yml': opts.rules }),
  );
  const url = `http://127.0.0.1:${port}`;
  const api = async (path: string): Promise<unknown> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: unknown; error?: string };
    if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${response.status}`);
    return body.data;
  };
  const handle: PrometheusHandle = {
    url,
    output: managed.output,
    query: async (expr) => {
      const data = (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as { result: unknown };
      return Array.isArray(data.result) ? data.result : [data.result];
    },
    alerts: async () => ((await api('/api/v1/alerts')) as { alerts: { labels: Record<string, string>; state: string }[] }).alerts,
    metricNames: async () => (await api('/api/v1/label/__name__/values')) as string[],
    stop: () => stopProcess(managed),
  };
  await untilReady('Prometheus', `${url}/-/ready`, managed);
  return handle;
}

export interface AlertmanagerHandle {
  readonly address: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts Alertmanager with `config` (YAML), clustering off, on a free loopback port. */
export async function startAlertmanager(config: string): Promise<AlertmanagerHandle> {
  const binary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');
  const port = await freePort();
  const managed = await startProcess(
    binary,
    (dir) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    () => ({ 'alertmanager.yml': config }),
  );
  const address = `127.0.0.1:${port}`;
  const handle: AlertmanagerHandle = { address, output: managed.output, stop: () => stopProcess(managed) };
  await untilReady('Alertmanager', `http://${address}/-/ready`, managed);
  return handle;
}

export interface WebhookAlert {
  readonly status: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export interface WebhookReceiver {
  readonly url: string;
  /** Every alert received so far, with the receiver path it came to. */
  readonly received: { path: string; alert: WebhookAlert }[];
  stop(): Promise<void>;
}

/** A small HTTP server that keeps Alertmanager's webhook notifications. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: { path: string; alert: WebhookAlert }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      try {
        const payload = JSON.parse(body) as { alerts?: WebhookAlert[] };
        for (const alert of payload.alerts ?? []) received.push({ path: req.url ?? '/', alert });
      } catch {
        // A malformed notification is simply not recorded; the test then times out saying what it waited for.
      }
      res.writeHead(200).end();
    });
  });
  const port = await listenLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
