import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const version = typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>)['version'] : undefined;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The canary's version, from package.json. */
export const VERSION = readVersion();

/** The build's source revision: `CANARY_REVISION` (set at image build), else Cloud Run's `K_REVISION`. */
export function revision(env: NodeJS.ProcessEnv = process.env): string {
  return env['CANARY_REVISION'] || env['K_REVISION'] || 'unknown';
}
