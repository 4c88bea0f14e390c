/**
 * The plain HTTP side of the reference backend: health and config endpoints, and refusing an
 * upgrade with an HTTP status on the raw socket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FaultSet } from './faults.ts';
import { MAX_MESSAGE_SIZE_BYTES, REFERENCE_ENVIRONMENT } from './frames.ts';

// Not `import ... from 'node:http'`: an ES import of node:http builds a facade that reads every export,
// and its lazy ones load Node's bundled undici (fetch, WebSocket): 80-300 ms of start-up here.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

/** What the HTTP routes report about the running server. */
export interface HttpInfo {
  readonly heartbeatIntervalMs: number;
  readonly activeConnections: () => number;
  /** The server-wide `health` fault now (HTTP requests carry no `?fault=`); absent means healthy. */
  readonly healthFault?: () => FaultSet['health'];
}

/** Endpoints the `health` fault turns to 503; liveness stays 200 (the process is alive). */
export const FAULTED_HEALTH_PATHS: readonly string[] = ['/health', '/health/ready', '/health/startup'];

/** The 503 body of the `health` fault: the start-up message (protocol.md, "Endpoints"), or a bare unhealthy. */
export function faultedHealthBody(fault: NonNullable<FaultSet['health']>): JsonBody {
  return fault === 'starting' ? refusalBody(503) : { status: 'unhealthy' };
}

type JsonBody = Readonly<Record<string, unknown>>;

function routes(info: HttpInfo): ReadonlyMap<string, () => JsonBody> {
  return new Map<string, () => JsonBody>([
    ['/health', () => ({ status: 'healthy', service: 'reference-backend', environment: REFERENCE_ENVIRONMENT, timestamp: new Date().toISOString() })],
    ['/health/live', () => ({ status: 'alive' })],
    ['/health/ready', () => ({ status: 'ready' })],
    ['/health/startup', () => ({ status: 'started' })],
    ['/ws/health', () => ({ status: 'healthy', active_connections: info.activeConnections() })],
    [
      '/ws/config',
      () => ({
        supported_auth_methods: ['header', 'subprotocol'],
        max_message_size: MAX_MESSAGE_SIZE_BYTES,
        heartbeat_interval: info.heartbeatIntervalMs / 1000,
      }),
    ],
  ]);
}

/** A request listener serving the health and config endpoints; everything else is 404 `{"detail":"Not Found"}`. */
export function httpHandler(info: HttpInfo): (req: IncomingMessage, res: ServerResponse) => void {
  const table = routes(info);
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://reference.invalid').pathname;
    const route = table.get(path);
    const send = (status: number, body: JsonBody): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    const healthFault = FAULTED_HEALTH_PATHS.includes(path) ? info.healthFault?.() : undefined;
    if (route === undefined) send(404, { detail: 'Not Found' });
    else if (req.method !== 'GET' && req.method !== 'HEAD') send(405, { detail: 'Method Not Allowed' });
    else if (healthFault !== undefined) send(503, faultedHealthBody(healthFault));
    else send(200, route());
  };
}

/** The body the backend (or a gateway in front of it) answers a refused upgrade with. */
export function refusalBody(status: number): JsonBody {
  if (status === 503) return { status: 'unhealthy', message: 'Startup in progress' };
  return { detail: STATUS_CODES[status] ?? 'Error' };
}

/**
 * Answers an upgrade request with a non-101 HTTP response on the raw socket, then closes it.
 * `body` is sent as JSON, or as text/plain when it is a string.
 */
export function refuseUpgrade(socket: Duplex, status: number, body: JsonBody | string, extraHeaders: Readonly<Record<string, string>> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    Connection: 'close',
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    ...extraHeaders,
  };
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
}
