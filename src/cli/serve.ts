import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isConfigFileName } from '../config/discover.ts';
import { loadConfig } from '../config/load.ts';
import { CHECK_CONFIGS } from '../checks/registry.ts';
import { configSecrets } from '../config/secrets.ts';
import type { Config } from '../config/types.ts';
import { createLogger, detectResource } from '../logging/index.ts';
import { startService } from '../service/service.ts';
import { LOCAL_CONFIG } from './paths.ts';
import type { LocalBackend } from './reference-seam.ts';
import { UsageError, type Io } from './usage.ts';
import { assertLogLevel, bindOrExplain } from './environment.ts';

export const SERVE_HELP = `Usage: canary serve [--config PATH] [--port N] [--host H]

Runs every check on its schedule and serves:
  /             the status page
  /metrics      Prometheus metrics (OpenMetrics with exemplars when asked for)
  /healthz      the process is alive
  /readyz       the config is loaded and the scheduler is running
  /status.json  every check's last result, timings, last success and next run
  /runs/:id     a recent run with its transcript (/runs/:id/view as a page)
  POST /checks/:name/run[?target=T]   run a check now (Authorization: Bearer $CANARY_ADMIN_TOKEN;
                off when no admin token is configured)
  POST /-/reload   re-read the config (the same bearer token), as SIGHUP does

  --config PATH  a YAML file or a folder of them (a folder without one exits 2: "no targets
                 configured"). Without it, the reference backend starts on a free port and
                 checks/local.yaml runs against it, in a demo mode that injects a fault now and
                 then so both states show.
  --port N       port to listen on (default: the PORT environment variable, else 8080)
  --host H       address to listen on (default 0.0.0.0)

Logs are JSON lines in Cloud Logging's structured format (human-readable on a terminal).
SIGHUP re-reads the config: unchanged checks keep their history and schedule; an invalid config
is refused with its problems logged and the previous one keeps running.
SIGTERM or SIGINT stops scheduling, lets running checks finish (then cancels them), flushes the
logs and exits 0 within 8 seconds. A bad config, a port in use or an unknown CANARY_LOG_LEVEL
exits 2 with what is wrong before anything starts.
`;

/** If shutdown has not finished by then, the process exits anyway (Cloud Run allows 10 s). */
const HARD_EXIT_MS = 7500;

function parsePort(text: string, source: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`${source} expects a port 0-65535, got "${text}"`);
  return port;
}

/**
 * The line `serve` exits 2 with when `path` holds no target: a folder without a config file (only
 * templates, or empty), or a folder path that does not exist, as in the image when nothing is
 * mounted. Null otherwise (a missing file is a config error, which names it).
 */
export async function noTargetsMessage(path: string): Promise<string | null> {
  let names: string[] = [];
  try {
    if (!(await stat(path)).isDirectory()) return null;
    names = await readdir(path);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT' || /\.ya?ml$/.test(path)) return null;
  }
  if (names.some(isConfigFileName)) return null;
  return `no targets configured: mount your checks at ${resolve(path)} (one YAML file per target; canary init writes one), or run canary serve without --config for the demo`;
}

/** Waits for SIGTERM or SIGINT (or the abort signal, in tests). */
function stopSignal(abort?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const done = (name: string) => (): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve(name);
    };
    const onTerm = done('SIGTERM');
    const onInt = done('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    abort?.addEventListener('abort', done('abort'), { once: true });
  });
}

/** `canary serve`. Resolves with the exit code after a stop signal. */
export async function serveCommand(argv: readonly string[], io: Io, abort?: AbortSignal): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const portText = values.port ?? io.env['PORT'] ?? '8080';
  const port = parsePort(portText, values.port === undefined && io.env['PORT'] !== undefined ? 'PORT' : '--port');
  assertLogLevel(io.env);
  let backend: LocalBackend | null = null;
  let config: Config;
  let read: () => Promise<Config>;
  if (values.config === undefined) {
    const { startLocalBackend } = await import('./reference-seam.ts');
    backend = await startLocalBackend(io.env);
    const env = { ...io.env, CANARY_TARGET_PORT: String(backend.port) };
    read = () => loadConfig(LOCAL_CONFIG, env, CHECK_CONFIGS);
    try {
      config = await read();
    } catch (error) {
      await backend.close();
      throw error;
    }
  } else {
    const path = values.config;
    const empty = await noTargetsMessage(path);
    if (empty !== null) {
      io.stderr(`canary serve: ${empty}\n`);
      return 2;
    }
    read = () => loadConfig(path, io.env, CHECK_CONFIGS);
    config = await read();
  }
  const adminToken = io.env['CANARY_ADMIN_TOKEN'] || config.service.adminToken;
  let secrets = configSecrets(config, io.env, adminToken);
  /** A reload adds the new config's secrets to the redacted ones (runs of the old config may still be going). */
  const reread = async (): Promise<Config> => {
    const next = await read();
    secrets = [...new Set([...secrets, ...configSecrets(next, io.env, adminToken)])];
    return next;
  };
  const logger = createLogger({
    destination: io.logStream,
    pretty: io.isTty,
    env: io.env,
    resource: await detectResource(io.env),
    secrets: () => secrets,
  });
  const demo = backend === null ? null : (await import('../service/demo.ts')).startDemo(backend, logger);
  let service;
  try {
    const host = values.host ?? '0.0.0.0';
    service = await bindOrExplain(host, port, () => startService({ config, port, host, logger, adminToken, env: io.env, loadConfig: reread }));
  } catch (error) {
    demo?.stop();
    await backend?.close();
    throw error;
  }
  const running = service;
  const onHangup = (): void => {
    logger.info('received SIGHUP: reloading the config');
    void running.reload();
  };
  process.on('SIGHUP', onHangup);
  const signal = await stopSignal(abort);
  process.off('SIGHUP', onHangup);
  const hardExit = setTimeout(() => {
    io.stderr('canary: shutdown did not finish in time; exiting\n');
    process.exit(0);
  }, HARD_EXIT_MS);
  hardExit.unref();
  logger.info(`received ${signal}`);
  demo?.stop();
  await service.close();
  await backend?.close();
  clearTimeout(hardExit);
  return 0;
}
