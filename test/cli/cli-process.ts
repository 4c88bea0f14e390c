import type { TestContext } from 'node:test';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../src/cli/paths.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** A CLI run that takes longer than this is a hang. */
const CLI_TIMEOUT_MS = 20_000;

/** How a CLI child process ended. */
export interface CliExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node src/cli/main.ts ...args` to its end from the package root, without the caller's
 * CANARY_* settings and PORT, plus `extra`; `t.after` kills it if it is still running.
 */
export function cli(t: TestContext, args: readonly string[], extra: Readonly<Record<string, string>> = {}): Promise<CliExit> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('CANARY_') && name !== 'NODE_TEST_CONTEXT' && name !== 'PORT') env[name] = value;
  }
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: PACKAGE_ROOT, env: { ...env, ...extra }, timeout: CLI_TIMEOUT_MS });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
