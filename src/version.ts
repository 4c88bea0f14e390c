// A JSON module, not a file read at start: the bundle (npm run build) carries the version inside it.
import packageJson from '../package.json' with { type: 'json' };

/** The canary's version, from package.json. */
export const VERSION: string = packageJson.version;

/** The build's source revision: `CANARY_REVISION` (set at image build), else Cloud Run's `K_REVISION`. */
export function revision(env: NodeJS.ProcessEnv = process.env): string {
  return env['CANARY_REVISION'] || env['K_REVISION'] || 'unknown';
}
