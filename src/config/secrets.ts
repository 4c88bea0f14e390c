import type { Config } from './types.ts';

/**
 * Every secret value the config holds or points to: signing secrets, token endpoint credentials,
 * bearer tokens from the environment, the admin token. Sinks redact these wherever text leaves the
 * process (logs, transcripts, pages).
 */
export function configSecrets(config: Config, env: NodeJS.ProcessEnv, adminToken: string | null): string[] {
  const secrets: string[] = adminToken === null ? [] : [adminToken];
  for (const { auth } of config.targets) {
    if (auth.type === 'jwt' && auth.secret !== null) secrets.push(auth.secret);
    if (auth.type === 'bearer') {
      const token = env[auth.tokenEnv];
      if (token !== undefined && token !== '') secrets.push(token);
    }
    if (auth.type === 'token_url') {
      secrets.push(...Object.values(auth.headers));
      for (const value of Object.values(auth.body)) if (typeof value === 'string') secrets.push(value);
    }
  }
  return secrets.filter((s) => s.length >= 4);
}
