/** `canary serve` in a child process on 127.0.0.1, and what the benchmark reads from it over HTTP. */
import { Agent, get } from 'node:http';
import { builtCli } from './build.ts';
import { imageEnv, startChild, until, type Child } from './children.ts';

/** A running `canary serve`. */
export interface Served {
  readonly child: Child;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
}

/** Options of {@link startServe}. */
export interface ServeOptions {
  /** Node options before the script (`--expose-gc`, `--import`). */
  readonly nodeArgs?: readonly string[];
}

/** A run's log line (one per finished run, `logging.googleapis.com/labels` with its `run_id`). */
export const RUN_LOG_LINE = /"run_id":"[0-9a-f]+".*"result":"/;

/** Starts the built CLI's `serve --config PATH --port 0 --host 127.0.0.1` (lib/build.ts) and resolves once it listens. */
export async function startServe(configPath: string, options: ServeOptions = {}): Promise<Served> {
  const child = startChild([...(options.nodeArgs ?? []), builtCli(), 'serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1'], {
    env: imageEnv({ CANARY_LOG_LEVEL: 'info' }),
    countLines: RUN_LOG_LINE,
  });
  const match = await child.waitFor(/serving on (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
  return { child, url: match[1] as string };
}

interface StatusJson {
  readonly checks: readonly { readonly running: boolean; readonly last: unknown }[];
}

/** Resolves once every configured check has a last result and none is running. */
export async function untilEveryCheckRan(served: Served, timeoutMs: number): Promise<void> {
  await until(
    'every check has run once',
    async () => {
      const status = (await (await fetch(`${served.url}/status.json`)).json()) as StatusJson;
      return status.checks.length > 0 && status.checks.every((check) => check.last !== null && !check.running) ? true : null;
    },
    timeoutMs,
    200,
  );
}

/** Keeps the scrape connection open between requests, as Prometheus does. */
const KEEP_ALIVE = new Agent({ keepAlive: true, maxSockets: 1 });

/**
 * One timed GET over a kept-alive connection (node:http, whose own cost per request is about half
 * of fetch's here): milliseconds until the whole body is read, and the body.
 */
export function timedGet(url: string, headers: Readonly<Record<string, string>> = {}): Promise<{ ms: number; body: string; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = get(url, { agent: KEEP_ALIVE, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ ms: performance.now() - started, body: Buffer.concat(chunks).toString('utf8'), status: response.statusCode ?? 0 }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** The series lines of a text exposition (no comments, no blank lines). */
export function seriesLines(exposition: string): string[] {
  return exposition.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

/** The family a series line belongs to: its name without a histogram's `_bucket`, `_sum` or `_count`. */
export function familyOf(line: string): string {
  const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)?.[0] ?? '';
  return name.replace(/_(bucket|sum|count)$/, '');
}

/** Series per family, largest first. */
export function byFamily(lines: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(familyOf(line), (counts.get(familyOf(line)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
