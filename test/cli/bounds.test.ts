import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listenLoopback } from '../support/net.ts';
import { startCanary } from './cli-process.ts';

/** Makes the child print its peak resident set (KiB, `process.resourceUsage().maxRSS`) last on stderr. */
const REPORT_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxRSS='+process.resourceUsage().maxRSS+'\\n'))`;
const RUN_LIMIT_BYTES = 256 * 1024 * 1024;
const ONE_GIB = 1024 ** 3;
const CHUNK = Buffer.alloc(64 * 1024, 'a');

interface Measured {
  readonly code: number | null;
  readonly stdout: string;
  readonly peakRssBytes: number;
  readonly elapsedMs: number;
}

/** Runs `canary ...args` as a child process to its end and reads its peak RSS. */
async function measured(t: TestContext, args: readonly string[]): Promise<Measured> {
  const started = Date.now();
  const run = startCanary(t, args, { nodeArgs: ['--import', REPORT_RSS], timeoutMs: 20_000 });
  const { code } = await run.exited;
  const stdout = run.stdout();
  const stderr = run.stderr();
  const match = /maxRSS=(\d+)\n$/.exec(stderr);
  assert.ok(match?.[1] !== undefined, `the child reported its peak RSS:\n${stderr}`);
  return { code, stdout, peakRssBytes: Number(match[1]) * 1024, elapsedMs: Date.now() - started };
}

/** A token endpoint answering 200 with up to 1 GiB of body, minding backpressure. */
async function hugeTokenEndpoint(t: TestContext): Promise<string> {
  const server = createServer((req, res: ServerResponse) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    let sent = 0;
    const pump = (): void => {
      while (!res.destroyed && sent < ONE_GIB) {
        sent += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const port = await listenLoopback(server);
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${port}/token`;
}

async function configFile(t: TestContext, lines: readonly string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'canary-bounds-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'hostile.yaml');
  await writeFile(file, [...lines, ''].join('\n'));
  return file;
}

describe('canary run stays within its memory bound under a hostile target', { concurrency: true }, () => {
  it('a 1 GiB token_url answer fails token_error at once, under 256 MB peak RSS', async (t) => {
    const tokenUrl = await hugeTokenEndpoint(t);
    const file = await configFile(t, [
      'target: hostile',
      'url: ws://127.0.0.1:1/ws',
      'auth:',
      '  type: token_url',
      `  url: ${tokenUrl}`,
      'checks:',
      '  - name: golden_path',
      '    type: golden_path',
      '    timeout: 3s',
    ]);
    const run = await measured(t, ['run', '--json', '--config', file]);
    const record = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(
      [run.code, record['result'], record['phase'], record['reason'], record['message']],
      [1, 'failure', 'token', 'token_error', 'could not get a token: token endpoint answer is too large (more than 65536 bytes)'],
    );
    assert.ok(run.peakRssBytes < RUN_LIMIT_BYTES, `peak RSS ${run.peakRssBytes} bytes`);
    assert.ok(run.elapsedMs < 4000, `ended by the deadline plus one second (${run.elapsedMs} ms)`);
  });
});
