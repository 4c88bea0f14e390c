import type { AddressInfo } from 'node:net';
import type express from 'express';

/** A listening HTTP server. */
export interface HttpServer {
  /** `http://HOST:PORT`, with `localhost` when listening on every interface. */
  readonly url: string;
  /** The port bound (the free one chosen when asked for 0). */
  readonly port: number;
  /** Stops accepting, ends every connection (idle keep-alive and in flight) and resolves once closed. Idempotent. */
  close(): Promise<void>;
}

// Not `import ... from 'node:http'`: an ES import of node:http builds a facade that reads every export,
// and its lazy ones load Node's bundled undici (fetch, WebSocket): 80-300 ms of start-up here.
const { createServer } = process.getBuiltinModule('node:http');

const UNSPECIFIED_HOSTS = new Set(['0.0.0.0', '::', '']);

function urlHost(host: string | undefined): string {
  if (host === undefined || UNSPECIFIED_HOSTS.has(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Serves `app` on `port` (0 picks a free one). Without `host` it listens on every interface, as
 * Cloud Run needs. Rejects when the port cannot be bound.
 */
export function listen(app: express.Express, port: number, host?: string): Promise<HttpServer> {
  const server = createServer(app);
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ port, ...(host === undefined ? {} : { host }) }, () => {
      server.off('error', onError);
      const bound = (server.address() as AddressInfo).port;
      let closing: Promise<void> | null = null;
      resolve({
        url: `http://${urlHost(host)}:${bound}`,
        port: bound,
        close: () => {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
