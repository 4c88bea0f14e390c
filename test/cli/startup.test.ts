/**
 * What start-up loads: the verbs that run checks must not pull in Node's bundled undici, which
 * an ES `import` of node:http does through its export facade (80-300 ms of start-up on the
 * development machine). Each verb's module is imported in a fresh process, whose list of loaded
 * built-in modules is then read.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The built-in modules named `undici` that a fresh Node has loaded after importing `modules`. */
async function undiciLoadedAfter(modules: readonly string[]): Promise<string[]> {
  const urls = modules.map((m) => new URL(m, import.meta.url).href);
  const script = `for (const url of ${JSON.stringify(urls)}) await import(url);
process.stdout.write(JSON.stringify(process.moduleLoadList.filter((name) => name.includes('undici'))));`;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../', import.meta.url)) });
  return JSON.parse(stdout) as string[];
}

describe('start-up', () => {
  it('loads no undici for run and serve (node:http is never imported as an ES module)', async () => {
    assert.deepEqual(await undiciLoadedAfter(['../../src/cli/run.ts', '../../src/cli/serve.ts', '../../src/service/service.ts']), []);
  });

  it('would see undici loaded by an ES import of node:http', async () => {
    assert.deepEqual(await undiciLoadedAfter(['node:http']), ['NativeModule internal/deps/undici/undici']);
  });
});
