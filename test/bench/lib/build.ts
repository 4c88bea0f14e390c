/**
 * The built CLI, as the container runs it (`node dist/cli/main.js`, Dockerfile): `serve` and
 * `run` figures measure the bundle, not src/ under Node's type stripping, which loads a TypeScript
 * stripper and costs memory and start-up time the deployed service does not pay.
 */
import { spawnSync } from 'node:child_process';
import { CLI_BUILT, ROOT } from './children.ts';

let built = false;

/** Builds dist/ from the working tree once per benchmark (`npm run build`) and returns the CLI's path. */
export function builtCli(): string {
  if (!built) {
    process.stderr.write('bench: npm run build (dist/ from the working tree)...\n');
    const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) throw new Error(`npm run build failed (exit ${String(result.status)})`);
    built = true;
  }
  return CLI_BUILT;
}
