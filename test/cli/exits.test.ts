import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { cli } from './cli-process.ts';

/** Holds a port on 127.0.0.1 for the test's duration. */
async function occupiedPort(t: TestContext): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return (server.address() as AddressInfo).port;
}

interface Case {
  readonly name: string;
  readonly args: (port: number) => readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly stderr: (port: number) => string;
}

const CASES: readonly Case[] = [
  {
    name: '--junit into a folder that does not exist, before any check runs',
    args: () => ['run', '--junit', 'no-such-folder/report.xml'],
    stderr: () => 'canary run: --junit no-such-folder/report.xml: folder "no-such-folder" does not exist\n',
  },
  {
    name: '--junit naming a folder',
    args: () => ['run', '--config', 'checks/local.yaml', '--junit', 'checks'],
    stderr: () => 'canary run: --junit checks: is a folder, expected a file\n',
  },
  {
    name: 'serve on a port already in use',
    args: (port) => ['serve', '--config', 'checks/local.yaml', '--host', '127.0.0.1', '--port', String(port)],
    env: { CANARY_TARGET_PORT: '9' },
    stderr: (port) => `canary serve: cannot listen on 127.0.0.1:${port}: the port is already in use (--port chooses another)\n`,
  },
  {
    name: 'target on a port already in use',
    args: (port) => ['target', '--host', '127.0.0.1', '--port', String(port)],
    stderr: (port) => `canary target: cannot listen on 127.0.0.1:${port}: the port is already in use (--port chooses another)\n`,
  },
  {
    name: 'target on an address that is not this machine',
    args: () => ['target', '--host', '192.0.2.1', '--port', '0'],
    stderr: () => 'canary target: cannot listen on 192.0.2.1:0: the address is not one of this machine (--host chooses another)\n',
  },
  {
    name: 'serve on a host name that does not resolve',
    args: () => ['serve', '--config', 'checks/local.yaml', '--host', 'no-such-host.invalid', '--port', '0'],
    env: { CANARY_TARGET_PORT: '9' },
    stderr: () => 'canary serve: cannot listen on no-such-host.invalid:0: the host name does not resolve (--host chooses another)\n',
  },
  {
    name: 'serve with an unknown CANARY_LOG_LEVEL',
    args: () => ['serve', '--port', '0', '--host', '127.0.0.1'],
    env: { CANARY_LOG_LEVEL: 'loud' },
    stderr: () =>
      'canary serve: CANARY_LOG_LEVEL: unknown log level "loud"; expected one of trace, debug, info, warn, warning, error, fatal, critical, silent\n',
  },
];

describe('environment problems exit 2 with one line naming them', { concurrency: true }, () => {
  for (const c of CASES) {
    it(c.name, async (t) => {
      const port = await occupiedPort(t);
      const exit = await cli(t, c.args(port), c.env);
      assert.deepEqual(exit, { code: 2, stdout: '', stderr: c.stderr(port) });
    });
  }
});
