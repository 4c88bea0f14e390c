import { parseArgs } from 'node:util';
import { ConfigError, inspectConfig } from '../config/load.ts';
import { formatProblem } from '../config/errors.ts';
import { CHECK_CONFIGS } from '../checks/registry.ts';
import { UsageError, type Io } from './usage.ts';

export const VALIDATE_HELP = `Usage: canary validate [--strict] PATH

Checks config files (a YAML file or a folder of them) without running anything. Every problem is
reported at once, each naming the file, the field and what was expected.

What a run needs from the environment but the files cannot hold (a \${VAR} that is not set, a key or
CA file that cannot be read, a bearer token_env that is not set) is a warning naming the field and
the variable or file: the files are valid, but a run here would fail.

  --strict   make those warnings errors (for pipelines that have the run's secrets)

Exit code: 0 when valid (warnings included), 2 when not.
`;

/** `canary validate`. Returns the exit code; config errors propagate as ConfigError. */
export async function validateCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    options: { strict: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: true,
  });
  const [path, ...rest] = positionals;
  if (path === undefined || rest.length > 0) throw new UsageError('validate takes exactly one PATH');
  const { config, problems } = await inspectConfig(path, io.env, CHECK_CONFIGS);
  const gaps = problems.filter((p) => p.gap !== undefined);
  if (values.strict ? problems.length > 0 : gaps.length < problems.length) throw new ConfigError(problems);
  for (const gap of gaps) io.stderr(`warning: ${formatProblem(gap)}\n`);
  if (gaps.length > 0) {
    io.stdout(`${path}: ok, but a run here would miss ${gaps.length} thing(s) from the environment (--strict makes them errors)\n`);
    return 0;
  }
  const targets = config?.targets ?? [];
  const checks = targets.reduce((sum, t) => sum + t.checks.length, 0);
  io.stdout(`${path}: ok (${targets.length} target(s), ${checks} check(s))\n`);
  return 0;
}
