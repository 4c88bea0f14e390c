/**
 * The CLI as a child process, for tests that need a real process (exit codes, signals, memory):
 * one way to start `node src/cli/main.ts`, collect its output and kill it when the test ends, and
 * one builder of the jwt target file such tests run against.
 */
import type { TestContext } from 'node:test';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
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

/** A running CLI child process. */
export interface CanaryProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited and its output is read. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  /** The child's whole environment; default: only PATH. */
  readonly env?: NodeJS.ProcessEnv;
  /** Node options before the script, e.g. `--import` of a probe. */
  readonly nodeArgs?: readonly string[];
  /** Killed after this long; default none (the test's own timeout and `t.after` bound it). */
  readonly timeoutMs?: number;
}

/** Starts `node src/cli/main.ts ...args` from the package root; `t.after` kills it if it is still running. */
export function startCanary(t: TestContext, args: readonly string[], options: StartOptions = {}): CanaryProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN, ...args], {
    cwd: PACKAGE_ROOT,
    env: options.env ?? { PATH: process.env['PATH'] },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  }) as unknown as ChildProcessWithoutNullStreams;
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * Runs the CLI to its end, without the caller's CANARY_* settings and PORT, plus `extra`; killed
 * after {@link CLI_TIMEOUT_MS}.
 */
export async function cli(t: TestContext, args: readonly string[], extra: Readonly<Record<string, string>> = {}): Promise<CliExit> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('CANARY_') && name !== 'NODE_TEST_CONTEXT' && name !== 'PORT') env[name] = value;
  }
  const run = startCanary(t, args, { env: { ...env, ...extra }, timeoutMs: CLI_TIMEOUT_MS });
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/**
 * A target file with one golden_path check against `url`, authenticated by a jwt signed with
 * `${TEST_SIGNING_SECRET}` the way the reference backend verifies it.
 */
export function jwtTargetFile(target: string, url: string, check: Readonly<Record<string, string>>): string {
  return [
    `target: ${target}`,
    `url: ${url}`,
    'auth:',
    '  type: jwt',
    '  secret: ${TEST_SIGNING_SECRET}',
    '  issuer: netra-auth-service',
    '  claims: {token_type: access}',
    'checks:',
    '  - name: golden_path',
    '    type: golden_path',
    ...Object.entries(check).map(([field, value]) => `    ${field}: ${value}`),
    '',
  ].join('\n');
}
