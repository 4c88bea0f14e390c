import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { LogLevelError, parseLogLevel } from '../logging/severity.ts';
import { EnvironmentError } from './usage.ts';

/**
 * Fails with an {@link EnvironmentError} unless `file` can be written: its folder exists and is
 * writable, and the file, if it exists, is a writable file. Called before any check runs, so a
 * report that cannot be written does not cost a whole run.
 */
export async function assertWritableFile(file: string, option: string): Promise<void> {
  const folder = path.dirname(file);
  const where = `${option} ${file}`;
  const info = await stat(folder).catch(() => null);
  if (info === null) throw new EnvironmentError(`${where}: folder ${JSON.stringify(folder)} does not exist`);
  if (!info.isDirectory()) throw new EnvironmentError(`${where}: ${JSON.stringify(folder)} is not a folder`);
  const existing = await stat(file).catch(() => null);
  if (existing?.isDirectory() === true) throw new EnvironmentError(`${where}: is a folder, expected a file`);
  const target = existing === null ? folder : file;
  const writable = await access(target, constants.W_OK).then(() => true, () => false);
  if (!writable) throw new EnvironmentError(`${where}: ${existing === null ? `folder ${JSON.stringify(folder)}` : 'the file'} is not writable`);
}

/** Fails with an {@link EnvironmentError} when `CANARY_LOG_LEVEL` is set to an unknown level. */
export function assertLogLevel(env: NodeJS.ProcessEnv): void {
  const text = env['CANARY_LOG_LEVEL'];
  if (text === undefined || text === '' || parseLogLevel(text) !== null) return;
  throw new EnvironmentError(new LogLevelError(text, 'CANARY_LOG_LEVEL').message);
}

/**
 * Runs `listen`, turning the errors of binding a port (in use, not permitted, no such address)
 * into an {@link EnvironmentError} naming the address and the option that picks another.
 */
export async function bindOrExplain<T>(host: string, port: number, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const why = BIND_ERRORS[code];
    if (why === undefined) throw error;
    throw new EnvironmentError(`cannot listen on ${address}: ${why}`);
  }
}

const BIND_ERRORS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is already in use (--port chooses another)',
  EACCES: 'permission denied (ports below 1024 need privileges; --port chooses another)',
  EADDRNOTAVAIL: 'the address is not one of this machine (--host chooses another)',
  ENOTFOUND: 'the host name does not resolve (--host chooses another)',
  EAI_AGAIN: 'the host name does not resolve (--host chooses another)',
};
