/**
 * Loopback ports and polling for tests that start servers and processes.
 */
import { AssertionError } from 'node:assert';
import net from 'node:net';

/** Starts `server` listening on 127.0.0.1 at a port the system picks; resolves that port. */
export function listenLoopback(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

/** A loopback port nothing listens on right now: bound once by the system, then closed. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listenLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Calls `probe` every `stepMs` until it resolves to something other than null, and resolves that.
 * A probe that throws is tried again (a server not listening yet), except when an assertion in it
 * fails: that fails at once. After `timeoutMs` it rejects, saying what it waited for and the last
 * error the probe threw.
 */
export async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number, stepMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === null ? '' : `: ${String(last)}`}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
