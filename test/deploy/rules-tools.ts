/**
 * Running Prometheus' and Alertmanager's command-line tools from tests: Debian's `promtool`
 * (package prometheus) and `amtool` (package prometheus-alertmanager). A missing tool fails the
 * test with the command that installs it; it never skips.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: the compiled tests live in dist/deploy/. */
export const REPO_ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

/** The Debian package that provides each tool the deploy tests run. */
export const TOOL_PACKAGES = {
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
} as const;
export type Tool = keyof typeof TOOL_PACKAGES;

/** What a tool run printed and how it ended. `status` is null when it was killed by a signal. */
export interface ToolRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Thrown when the tool is not installed; the message says how to install it. */
export class ToolMissingError extends Error {
  readonly code = 'TOOL_MISSING';
  constructor(tool: Tool, cause: unknown) {
    super(
      `${tool} is not installed (${String(cause)}). Install it: ` +
        `apt-get update && apt-get install -y --no-install-recommends ${TOOL_PACKAGES[tool]} (.ci/run does this)`,
    );
  }
}

/**
 * Runs `tool args...` in `cwd` (default: the repository root) and resolves with its exit status and
 * output; rejects with {@link ToolMissingError} when the tool is not installed, and with an error
 * when it has not ended after `timeoutMs`.
 */
export function runTool(tool: Tool, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<ToolRun> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args], { cwd: options.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${tool} ${args.join(' ')} did not end within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new ToolMissingError(tool, error.message) : error);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
