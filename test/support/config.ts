import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CHECK_CONFIGS } from '../../src/checks/registry.ts';
import type { Config } from '../../src/config/types.ts';
import { ConfigError, loadConfig as load } from '../../src/config/load.ts';

/** `loadConfig` with every registered check type. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv): Promise<Config> {
  return load(path, env, CHECK_CONFIGS);
}

/** A fresh temporary folder holding `files` (relative path → content), removed after the test. */
export async function tempFiles(t: TestContext, files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

/**
 * Asserts that loading one file `a.yaml` holding `yaml` fails with a ConfigError whose message is
 * exactly `expected`, one line each, every line prefixed with `<file>: `.
 */
export async function assertConfigError(t: TestContext, yaml: string, expected: readonly string[]): Promise<void> {
  const dir = await tempFiles(t, { 'a.yaml': yaml });
  const file = join(dir, 'a.yaml');
  const error = await loadConfig(file, {}).then(
    () => assert.fail('loadConfig resolved'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConfigError);
  assert.equal(error.message, expected.map((line) => `${file}: ${line}`).join('\n'));
}
