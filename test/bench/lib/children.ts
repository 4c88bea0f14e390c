/**
 * Child processes of the benchmark: every one is tracked and killed when the benchmark ends, and
 * its memory and descriptors are read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** `src/cli/main.ts`, the CLI as the tests run it. */
export const CLI_SOURCE = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
/** `dist/cli/main.js`, the built CLI (`npm run build`). */
export const CLI_BUILT = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

const live = new Set<ChildProcess>();
/** A child's output is kept up to this many characters (a soak logs a line per run); older output is dropped. */
const MAX_KEPT_OUTPUT_CHARS = 4 * 1024 * 1024;

/** A child process with its output collected. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Complete stdout lines so far that matched {@link ChildOptions.countLines}. */
  counted(): number;
  readonly exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in stdout (checked as output arrives); rejects after `timeoutMs` or on exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@link startChild}. */
export interface ChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** An IPC channel (`process.send` in the child). */
  readonly ipc?: boolean;
  /** Count the stdout lines matching this (e.g. one log line per run), see {@link Child.counted}. */
  readonly countLines?: RegExp;
}

/** The environment children run with: PATH and HOME only, so no CANARY_* setting leaks in. */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: process.env['HOME'], ...extra };
}

/**
 * {@link cleanEnv} plus the `NODE_OPTIONS` the image sets (the Dockerfile's `ENV NODE_OPTIONS=`
 * line), for the canary's own processes: the benchmark measures the canary as it runs in
 * production. References (the floor, a bare Node) run without them.
 */
export function imageEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const dockerfile = readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8');
  const line = /^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile);
  const nodeOptions = line?.[1]?.replace(/^"(.*)"$/, '$1').trim() ?? '';
  return cleanEnv(nodeOptions === '' ? extra : { NODE_OPTIONS: nodeOptions, ...extra });
}

/** Starts `process.execPath` (Node 24 under `npm run bench`) with `args`, tracked until it exits. */
export function startChild(args: readonly string[], options: ChildOptions = {}): Child {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: options.env ?? cleanEnv(),
    stdio: options.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let err = '';
  let partial = '';
  let counted = 0;
  const count = (chunk: string): void => {
    const pattern = options.countLines;
    if (pattern === undefined) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (pattern.test(line)) counted++;
  };
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    count(chunk);
    if (out.length > MAX_KEPT_OUTPUT_CHARS) out = out.slice(-MAX_KEPT_OUTPUT_CHARS / 2);
    for (const check of waiters) check();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    if (err.length > MAX_KEPT_OUTPUT_CHARS) err = err.slice(-MAX_KEPT_OUTPUT_CHARS / 2);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      for (const check of waiters) check();
      resolve(code);
    });
  });
  const waitFor = (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no ${String(pattern)} within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`)), timeoutMs);
      const done = (error: Error | null, match?: RegExpExecArray): void => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error === null && match !== undefined) resolve(match);
        else reject(error ?? new Error('no match'));
      };
      const check = (): void => {
        const match = pattern.exec(out);
        if (match !== null) done(null, match);
        else if (child.exitCode !== null || child.signalCode !== null) done(new Error(`exited (${child.exitCode ?? child.signalCode}) before ${String(pattern)}; stderr: ${err.slice(-2000)}`));
      };
      waiters.add(check);
      check();
    });
  const stop = async (graceMs = 5000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  if (child.pid === undefined) throw new Error(`could not start ${args.join(' ')}`);
  return { process: child, pid: child.pid, stdout: () => out, stderr: () => err, counted: () => counted, exited, waitFor, stop };
}

/** Kills every child still running (SIGKILL). */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Resident set size of `pid` in KiB (VmRSS), NaN when it cannot be read. */
export async function rssKib(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match === null ? Number.NaN : Number(match[1]);
  } catch {
    return Number.NaN;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** CPU time (user + system) `pid` has used so far, in milliseconds, 10 ms resolution; NaN when it cannot be read. */
export async function cpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return Number.NaN;
  }
}

/** Open file descriptors of `pid`, NaN when they cannot be listed. */
export async function openFds(pid: number): Promise<number> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length;
  } catch {
    return Number.NaN;
  }
}

/** Polls `probe` every `everyMs` until it returns a value other than null, or throws after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await delay(everyMs);
  }
}
