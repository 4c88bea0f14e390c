import { ConfigError } from '../config/errors.ts';
import { VERSION } from '../version.ts';
import { RUN_HELP, runCommand } from './run.ts';
import { VALIDATE_HELP, validateCommand } from './validate.ts';
import { targetCommand, targetHelp } from './target.ts';
import { SERVE_HELP, serveCommand } from './serve.ts';
import { INIT_HELP, initCommand } from './init.ts';
import { FaultSpecError } from './reference-seam.ts';
import { EnvironmentError, UsageError, type Io } from './usage.ts';

const MAIN_HELP = `canary ${VERSION}: synthetic monitoring for WebSocket AI-agent backends

Usage: canary <verb> [options]

Verbs:
  run        run each check once and exit (0 ok, 1 a check failed, 2 usage or config error)
  validate   check config files without running them
  serve      run the checks on their schedules with metrics, status page and logs (the service)
  target     start the reference backend (the demo and test counterpart)
  init       write a first target file from a URL and an auth type

canary <verb> --help shows a verb's options.
`;

interface Verb {
  readonly help: () => string;
  readonly run: (argv: readonly string[], io: Io) => Promise<number>;
}

const VERBS: Readonly<Record<string, Verb>> = {
  run: { help: () => RUN_HELP, run: runCommand },
  serve: { help: () => SERVE_HELP, run: (argv, io) => serveCommand(argv, io) },
  validate: { help: () => VALIDATE_HELP, run: validateCommand },
  target: { help: targetHelp, run: (argv, io) => targetCommand(argv, io) },
  init: { help: () => INIT_HELP, run: initCommand },
};

/** Runs the CLI and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const verb = VERBS[name];
  if (verb === undefined) {
    io.stderr(`canary: unknown verb "${name}"\n\n${MAIN_HELP}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(verb.help());
    return 0;
  }
  try {
    return await verb.run(rest, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`canary: invalid config\n${error.message}\n`);
      return 2;
    }
    if (error instanceof EnvironmentError) {
      io.stderr(`canary ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError || error instanceof FaultSpecError || (error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`canary ${name}: ${(error as Error).message}\n\n${verb.help()}`);
      return 2;
    }
    throw error;
  }
}

