import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AUTH_TYPES, type AuthType } from '../config/auth.ts';
import { UsageError, type Io } from './usage.ts';

export const INIT_HELP = `Usage: canary init --url URL --auth TYPE [--target NAME] [--out FILE] [--force]

Writes a first target file: the target, its golden_path check on a 3-minute schedule and the
authentication you name, each field with a comment. Then set the variables it names and run
canary validate FILE, and canary run --config FILE.

  --url URL      the backend's chat socket, ws:// or wss://
  --auth TYPE    jwt (the canary signs an HS256 token with a shared secret), bearer (a ready-made
                 token from an environment variable), token_url (fetched from a token endpoint) or
                 none
  --target NAME  the target's label (lower case letters, digits, _ and -); default: from the host
  --out FILE     where to write (default NAME.yaml); an existing file is kept unless --force
`;

const TARGET_NAME = /^[a-z0-9_-]+$/;

/** A label from a host name: `api.staging.example.com` → `api-staging-example-com`. */
export function targetNameOf(url: URL): string {
  const name = url.hostname.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return name === '' ? 'target' : name;
}

/** `staging-eu` → `STAGING_EU`: the prefix of the environment variables the file names. */
function envPrefix(target: string): string {
  const prefix = target.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Z]/.test(prefix) ? prefix : `CANARY_${prefix}`;
}

/** The `auth` section for `type`, commented, and the variables it needs set. */
function authSection(type: AuthType, prefix: string): { readonly lines: readonly string[]; readonly env: readonly string[] } {
  switch (type) {
    case 'jwt':
      return {
        lines: [
          'auth:',
          '  # The canary signs its own access token with the shared secret (HS256).',
          '  type: jwt',
          `  secret: \${${prefix}_JWT_SECRET}   # never the secret itself: it comes from the environment`,
          '  issuer: null                # the iss claim your backend requires, if any',
          '  audience: null              # the aud claim your backend requires, if any',
          '  subject: canary             # sub: the user the runs are attributed to',
          '  ttl: 10m                    # token lifetime; a fresh token is signed before it runs out',
          '  claims: {}                  # extra claims, e.g. {token_type: access}',
          '  send_as: [header]           # Authorization: Bearer; add subprotocol for Sec-WebSocket-Protocol',
        ],
        env: [`${prefix}_JWT_SECRET`],
      };
    case 'bearer':
      return {
        lines: [
          'auth:',
          '  # A ready-made token, read from the environment at every run (never written here).',
          '  type: bearer',
          `  token_env: ${prefix}_TOKEN    # the NAME of the variable, not the token`,
          '  send_as: [header]           # Authorization: Bearer; add subprotocol for Sec-WebSocket-Protocol',
        ],
        env: [`${prefix}_TOKEN`],
      };
    case 'token_url':
      return {
        lines: [
          'auth:',
          '  # The canary POSTs a JSON body to a token endpoint and reads the token from its answer.',
          '  type: token_url',
          '  url: https://auth.example.com/token   # replace with your token endpoint',
          '  headers: {}                 # headers of the token request',
          '  body: {}                    # the JSON body, e.g. {client_id: canary, client_secret: "${CLIENT_SECRET}"}',
          '  token_field: access_token   # dot path of the token in the answer',
          '  expires_in_field: expires_in   # dot path of its lifetime in seconds; null to read its exp',
          '  send_as: [header]           # Authorization: Bearer; add subprotocol for Sec-WebSocket-Protocol',
        ],
        env: [],
      };
    case 'none':
      return { lines: ['auth:', '  type: none                  # the socket takes no credentials'], env: [] };
  }
}

/** The text of a first target file: `target`, `url`, `auth` and one golden_path check, commented. */
export function initFile(target: string, url: string, auth: AuthType): { readonly text: string; readonly env: readonly string[] } {
  const section = authSection(auth, envPrefix(target));
  const lines = [
    '# Written by `canary init`. Every field is in the README ("Configuration"); checks/*.example.yaml',
    '# show every check type. Values may use ${VAR} (must be set) and ${VAR:-default}.',
    '',
    '# Label value on every metric and log line: lower case letters, digits, _ and -.',
    `target: ${target}`,
    '# The chat socket (ws:// or wss://).',
    `url: ${JSON.stringify(url)}`,
    ...section.lines,
    'checks:',
    '  - name: golden_path         # label value, unique in this file',
    '    type: golden_path         # connect, welcome, one chat message, the expected agent events',
    '    every: 3m                 # how often; longer than timeout, so runs never overlap',
    '    timeout: 150s             # the whole run\'s deadline; real agent runs take about 90 s',
    '    slow_after: 120s          # a run that completes slower than this is degraded',
    '    message: "Canary: what did my GPU spend look like last month?"',
    '',
  ];
  return { text: lines.join('\n'), env: section.env };
}

function isAuthType(text: string): text is AuthType {
  return (AUTH_TYPES as readonly string[]).includes(text);
}

/** `canary init`. Returns the exit code: 0 written, 2 for a usage problem or a file that exists. */
export async function initCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      url: { type: 'string' },
      auth: { type: 'string' },
      target: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.url === undefined) throw new UsageError('init needs --url');
  if (values.auth === undefined || !isAuthType(values.auth)) {
    throw new UsageError(`--auth expects one of ${AUTH_TYPES.join(', ')}, got ${values.auth === undefined ? 'nothing' : `"${values.auth}"`}`);
  }
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new UsageError(`--url expects a ws:// or wss:// URL, got "${values.url}"`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`--url expects a ws:// or wss:// URL, got "${url.protocol}//…"`);
  if (url.username !== '' || url.password !== '') throw new UsageError('--url must not carry credentials: the auth section brings them');
  const target = values.target ?? targetNameOf(url);
  if (!TARGET_NAME.test(target)) throw new UsageError(`--target expects lower case letters, digits, _ and -, got "${target}"`);
  const out = values.out ?? `${target}.yaml`;
  const { text, env } = initFile(target, url.href, values.auth);
  try {
    await writeFile(out, text, { flag: values.force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    io.stderr(code === 'EEXIST' ? `canary init: ${out} exists; pass --force to overwrite it\n` : `canary init: cannot write ${out}: ${String(code ?? error)}\n`);
    return 2;
  }
  const setFirst = env.length === 0 ? '' : `  export ${env.map((name) => `${name}=…`).join(' ')}\n`;
  io.stdout(`wrote ${out} (target ${target}, auth ${values.auth}, golden_path every 3m). Next:\n${setFirst}  canary validate ${out}\n  canary run --config ${out}\n`);
  return 0;
}
