import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { CHECK_CONFIGS } from '../checks/registry.ts';
import { UsageError, type Io } from './usage.ts';

export const VALIDATE_HELP = `Usage: canary validate PATH

Checks config files (a YAML file or a folder of them) without running anything. Every problem is
reported at once, each naming the file, the field and what was expected.
Environment variables referenced as \${VAR} must be set, as they would be at run time.

Exit code: 0 when valid, 2 when not.
`;

/** `canary validate`. Returns the exit code; config errors propagate as ConfigError. */
export async function validateCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args: [...argv], options: {}, strict: true, allowPositionals: true });
  const [path, ...rest] = positionals;
  if (path === undefined || rest.length > 0) throw new UsageError('validate takes exactly one PATH');
  const config = await loadConfig(path, io.env, CHECK_CONFIGS);
  const checks = config.targets.reduce((sum, t) => sum + t.checks.length, 0);
  io.stdout(`${path}: ok (${config.targets.length} target(s), ${checks} check(s))\n`);
  return 0;
}
