import { ConfigError } from '../config/errors.ts';
import { VERSION } from '../version.ts';
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

/**
 * Each verb's module, imported only when that verb is asked for, so `canary run` never loads the
 * service's stack (express, prom-client, the status page) nor the reference backend it does not start.
 */
const VERBS: Readonly<Record<string, () => Promise<Verb>>> = {
  run: async () => {
    const m = await import('./run.ts');
    return { help: () => m.RUN_HELP, run: m.runCommand };
  },
  serve: async () => {
    const m = await import('./serve.ts');
    return { help: () => m.SERVE_HELP, run: (argv, io) => m.serveCommand(argv, io) };
  },
  validate: async () => {
    const m = await import('./validate.ts');
    return { help: () => m.VALIDATE_HELP, run: m.validateCommand };
  },
  target: async () => {
    const m = await import('./target.ts');
    return { help: m.targetHelp, run: (argv, io) => m.targetCommand(argv, io) };
  },
  init: async () => {
    const m = await import('./init.ts');
    return { help: () => m.INIT_HELP, run: m.initCommand };
  },
};

/** Whether `error` is the reference backend's bad fault spec; its module is loaded only to ask. */
async function isFaultSpecError(error: unknown): Promise<boolean> {
  if (!(error instanceof Error) || error.name !== 'FaultSpecError') return false;
  const { FaultSpecError } = await import('./reference-seam.ts');
  return error instanceof FaultSpecError;
}

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
  const load = VERBS[name];
  if (load === undefined) {
    io.stderr(`canary: unknown verb "${name}"\n\n${MAIN_HELP}`);
    return 2;
  }
  const verb = await load();
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
    if (
      error instanceof UsageError ||
      (error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS') === true ||
      (await isFaultSpecError(error))
    ) {
      io.stderr(`canary ${name}: ${(error as Error).message}\n\n${verb.help()}`);
      return 2;
    }
    throw error;
  }
}

