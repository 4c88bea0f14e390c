import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { CHECK_CONFIGS } from '../checks/registry.ts';
import type { CheckConfig, Config, TargetConfig } from '../config/types.ts';
import { createTokenProvider } from '../auth/provider.ts';
import { SigningKeys } from '../auth/signing-keys.ts';
import { systemClock } from '../clock.ts';
import { runCheck } from '../checks/run-check.ts';
import { withBackendLogs, type CheckResult } from '../result/types.ts';
import { BackendLogsReader, wantsBackendLogs, type BackendLogsReaderOptions } from '../backend-logs/index.ts';
import { formatText } from '../report/text.ts';
import { toJsonLine } from '../report/json.ts';
import { toJunitXml } from '../report/junit.ts';
import { LOCAL_CONFIG } from './paths.ts';
import { EnvironmentError, UsageError, type Io } from './usage.ts';
import { describeFsError } from '../config/errors.ts';
import { assertWritableFile } from './environment.ts';

export const RUN_HELP = `Usage: canary run [--config PATH] [--check NAME]... [--json] [--junit FILE] [--transcript] [--fault SPEC]

Runs each selected check once and exits.

  --config PATH    a YAML file, or a folder of them (*.example.yaml files are skipped).
                   Without it, the canary starts its reference backend on a free port and runs
                   checks/local.yaml against it.
  --check NAME     only the checks with this name (repeatable)
  --json           one JSON object per run on stdout, one per line
  --junit FILE     also write the runs as JUnit XML (for deploy gates)
  --transcript     include each run's frame transcript in --json output
  --fault SPEC     with the embedded backend only: inject a fault (see canary target --help)

Exit code: 0 when every run succeeded or was degraded, 1 when any failed, 2 for a usage, config
or environment error (such as a --junit folder that does not exist; checked before any run), 130
when interrupted (SIGINT: the runs in flight end at once as cancelled).
`;

/** How many checks run at once. */
const CONCURRENCY = 4;

interface Selected {
  readonly target: TargetConfig;
  readonly check: CheckConfig;
}

function select(config: Config, names: readonly string[]): Selected[] {
  const all = config.targets.flatMap((target) => target.checks.map((check) => ({ target, check })));
  if (names.length === 0) return all;
  const chosen = all.filter(({ check }) => names.includes(check.name));
  const unknown = names.filter((name) => !all.some(({ check }) => check.name === name));
  if (unknown.length > 0) throw new UsageError(`no check named ${unknown.map((n) => `"${n}"`).join(', ')} in the config`);
  return chosen;
}

/** Exit code of a `canary run` interrupted by SIGINT (128 + 2). */
const INTERRUPTED_EXIT = 130;

async function runAll(
  selected: readonly Selected[],
  signal: AbortSignal,
  reader: BackendLogsReader,
  onResult: (result: CheckResult) => void,
): Promise<CheckResult[]> {
  const signingKeys = new SigningKeys();
  const providers = new Map(selected.map(({ target }) => [target, createTokenProvider(target.auth, systemClock, process.env, signingKeys)]));
  const results: CheckResult[] = new Array<CheckResult>(selected.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < selected.length) {
      const index = next++;
      const { target, check } = selected[index] as Selected;
      const tokens = providers.get(target);
      if (tokens === undefined) continue;
      let result = await runCheck(target, check, { clock: systemClock, tokens, signal });
      // a one-shot run prints once: it waits for the backend's entries, bounded by their timeout
      if (target.backendLogs !== undefined && wantsBackendLogs(result)) {
        result = withBackendLogs(result, await reader.read(target.backendLogs, result, tokens.secrets));
      }
      results[index] = result;
      onResult(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, selected.length) }, worker));
  return results;
}

/** What `canary run` is given besides its arguments; tests point the backend's logs at a local server. */
export interface RunDeps {
  readonly backendLogs?: BackendLogsReaderOptions;
}

/** `canary run`. Returns the exit code. */
export async function runCommand(argv: readonly string[], io: Io, deps: RunDeps = {}): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string' },
      check: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      junit: { type: 'string' },
      transcript: { type: 'boolean', default: false },
      fault: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.config !== undefined && values.fault !== undefined) {
    throw new UsageError('--fault only applies to the embedded reference backend (without --config)');
  }
  if (values.junit !== undefined) await assertWritableFile(values.junit, '--junit');
  let stopBackend: (() => Promise<void>) | null = null;
  let announce: string | null = null;
  let config: Config;
  if (values.config === undefined) {
    const { startLocalBackend } = await import('./reference-seam.ts');
    const backend = await startLocalBackend(io.env, { faults: values.fault ?? '' });
    stopBackend = () => backend.close();
    try {
      config = await loadConfig(LOCAL_CONFIG, { ...io.env, CANARY_TARGET_PORT: String(backend.port) }, CHECK_CONFIGS);
    } catch (error) {
      await backend.close();
      throw error;
    }
    announce = `Reference backend listening at ${backend.url}${values.fault ? ` with fault ${values.fault}` : ''}\n`;
  } else {
    config = await loadConfig(values.config, io.env, CHECK_CONFIGS);
  }
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  process.once('SIGINT', onSigint);
  try {
    const selected = select(config, values.check ?? []);
    if (announce !== null && !values.json) io.stderr(announce);
    const reader = new BackendLogsReader(deps.backendLogs);
    if (selected.some(({ target }) => target.backendLogs !== undefined)) void reader.warm();
    const results = await runAll(selected, interrupt.signal, reader, (result) => {
      io.stdout(values.json ? `${toJsonLine(result, values.transcript)}\n` : `${formatText(result, { color: io.isTty })}\n\n`);
    });
    if (values.junit !== undefined) {
      const junit = values.junit;
      await writeFile(junit, toJunitXml(results)).catch((error: unknown) => {
        throw new EnvironmentError(`--junit ${junit}: cannot write: ${describeFsError(error)}`);
      });
    }
    const failed = results.filter((r) => r.result === 'failure').length;
    if (!values.json) io.stderr(`${results.length} run(s): ${results.length - failed} ok, ${failed} failed\n`);
    if (interrupt.signal.aborted) return INTERRUPTED_EXIT;
    return failed > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    await stopBackend?.();
  }
}
