import { parseArgs } from 'node:util';
import { FAULTS, LOCAL_SECRET_HELP, startLocalBackend } from './reference-seam.ts';
import { UsageError, type Io } from './usage.ts';
import { bindOrExplain } from './environment.ts';

export function targetHelp(): string {
  const faults = Object.entries(FAULTS)
    .map(([name, description]) => `  ${name.padEnd(24)} ${description}`)
    .join('\n');
  return `Usage: canary target [--port P] [--host H] [--fault SPEC]

Starts the reference backend: a real WebSocket server that speaks the backend's protocol
(ping, welcome, the five agent events; with --fault lifecycle the third generation's handshake),
verifies JWTs the way the backend does, and injects faults.
It runs until SIGINT or SIGTERM.

  --port P       port to listen on (default 8765; 0 picks a free one)
  --host H       address to listen on (default 127.0.0.1)
  --fault SPEC   server-wide faults, comma-separated: name or name=value
                 (per connection: add ?fault=SPEC to the socket URL)

${LOCAL_SECRET_HELP}

Faults:
${faults}
`;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port expects 0-65535, got "${text}"`);
  return port;
}

/** `canary target`. Resolves with the exit code when a stop signal arrives. */
export async function targetCommand(argv: readonly string[], io: Io, stop?: AbortSignal): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { port: { type: 'string' }, host: { type: 'string' }, fault: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const port = parsePort(values.port ?? '8765');
  const host = values.host ?? '127.0.0.1';
  const log = (line: string): void => io.stderr(`${line}\n`);
  const backend = await bindOrExplain(host, port, () => startLocalBackend(io.env, { port, host, faults: values.fault ?? '', log }));
  io.stdout(`Reference backend listening at ${backend.url}${values.fault ? ` with fault ${values.fault}` : ''}\n`);
  await new Promise<void>((resolve) => {
    if (stop !== undefined) stop.addEventListener('abort', () => resolve(), { once: true });
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await backend.close();
  return 0;
}
