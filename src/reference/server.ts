/**
 * The reference backend: a real HTTP + WebSocket server speaking protocol.md, with faults injected
 * server-wide and per connection (`?fault=<spec>` on the upgrade URL). Upgrade-time faults are
 * applied here; the rest in connection.ts and script.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { parseSubprotocols, selectSubprotocol, subprotocolGeneration, type PublicVerifyKey } from './auth.ts';
import { ActiveRuns } from './active-runs.ts';
import { AgentConnection } from './connection.ts';
import { serveEcho } from './echo.ts';
import { FaultSpecError, formatFaults, mergeFaults, parseFaults, type FaultSet } from './faults.ts';
import { httpHandler, refusalBody, refuseUpgrade } from './http.ts';
import { snapshotRecord, type ConnectionRecord, type MutableConnectionRecord } from './records.ts';
import type { ConnectionDeps, Terminable } from './wire.ts';
import { referenceSecret } from './token.ts';

// Not `import ... from 'node:http'`: an ES import of node:http builds a facade that reads every export,
// and its lazy ones load Node's bundled undici (fetch, WebSocket): 80-300 ms of start-up here.
const { createServer } = process.getBuiltinModule('node:http');
const { createServer: createTlsServer } = process.getBuiltinModule('node:https');

/** Options of {@link startReferenceBackend}. */
export interface ReferenceBackendOptions {
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** TCP port; default 0 (a free port, see {@link ReferenceBackend.port}). */
  readonly port?: number;
  /** HS256 secret tokens are verified with; default `REFERENCE_SECRET` (token.ts). */
  readonly secret?: string;
  /** Verify RS256 or ES256 tokens with this public key instead of HS256 with `secret`. */
  readonly verifyKey?: PublicVerifyKey;
  /** Serve https and wss with this PEM key and certificate chain; default plain http and ws. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Server-wide fault spec (see `FAULTS`); default ''. A bad spec rejects with `FaultSpecError`. */
  readonly faults?: string;
  /** Interval of server pings after the first one; default 25000 ms (protocol.md, "Client messages"). */
  readonly heartbeatIntervalMs?: number;
  /** Gap between agent events; default 5 ms. The `delay_ms` fault overrides it. */
  readonly eventDelayMs?: number;
  /** Receives one line per notable event (upgrade, auth, close); default silent. */
  readonly log?: (line: string) => void;
  /**
   * Epoch milliseconds stamped into frames (`timestamp`, `execution_time_ms`); default `Date.now`.
   * The benchmark passes a sub-millisecond clock to measure event latency against the stamps.
   */
  readonly nowMs?: () => number;
}

/** A running reference backend. */
export interface ReferenceBackend {
  /** `ws://HOST:PORT/ws` (`wss://` with the `tls` option). */
  readonly url: string;
  /** `http://HOST:PORT` (`https://` with the `tls` option). */
  readonly httpUrl: string;
  readonly port: number;
  /** What the server saw of each upgrade request so far, oldest first (at most the last 1000). */
  connections(): readonly ConnectionRecord[];
  /**
   * Replaces the server-wide faults for connections from now on (the demo mode rotates them).
   * Throws {@link FaultSpecError} and keeps the old faults when the spec does not parse.
   */
  setFaults(spec: string): void;
  /** Terminates every socket (hanging upgrades included), clears every timer and closes the listener. Idempotent. */
  close(): Promise<void>;
}

/** Paths that accept a WebSocket upgrade. */
export const AGENT_SOCKET_PATHS: readonly string[] = ['/ws', '/websocket'];
/** The unauthenticated echo socket. */
export const ECHO_SOCKET_PATH = '/ws/test';
/** Largest client frame the server reads; `ws` closes 1009 above it. Frames over max_message_size but under this are dropped silently. */
export const MAX_CLIENT_PAYLOAD_BYTES = 1024 * 1024;
const MAX_RECORDS = 1000;
/** Fault `storm_1011`: upgrades each arriving within this long of the one before form one burst. */
export const STORM_BURST_GAP_MS = 250;

/**
 * Waits out one event-loop iteration. With no connection open, `server.close()` calls back before
 * libuv has released the listening handle; that happens in the iteration's close phase, after the
 * first check phase and before the second.
 */
async function afterCloseCallbacks(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a reference backend and resolves once it listens. Rejects with `FaultSpecError` when
 * `opts.faults` does not parse.
 */
export async function startReferenceBackend(opts: ReferenceBackendOptions = {}): Promise<ReferenceBackend> {
  let serverFaults = parseFaults(opts.faults ?? '');
  const host = opts.host ?? '127.0.0.1';
  const secure = opts.tls !== undefined;
  const log = opts.log ?? ((): void => {});
  const heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 25_000;
  const deps: ConnectionDeps = {
    verifyKey: opts.verifyKey ?? referenceSecret(opts.secret),
    heartbeatIntervalMs,
    eventDelayMs: opts.eventDelayMs ?? 5,
    log,
    now: opts.nowMs ?? ((): number => Date.now()),
    activeRuns: new ActiveRuns(),
  };

  const records: MutableConnectionRecord[] = [];
  const sockets = new Map<Duplex, Promise<void>>();
  const live = new Set<Terminable>();
  const faultsByRequest = new WeakMap<IncomingMessage, FaultSet>();
  let nextId = 1;
  const burst = { size: 0, lastAtMs: Number.NEGATIVE_INFINITY };
  let closing: Promise<void> | null = null;

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: MAX_CLIENT_PAYLOAD_BYTES,
    handleProtocols: (offered, req) => selectSubprotocol([...offered], subprotocolGeneration(faultsByRequest.get(req) ?? {})),
  });
  wss.on('error', (err) => log(`websocket server error: ${err.message}`));

  const handler = httpHandler({ heartbeatIntervalMs, activeConnections: () => live.size, healthFault: () => serverFaults.health });
  const server = opts.tls === undefined ? createServer(handler) : createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler);
  server.on('clientError', (err, socket) => {
    log(`http client error: ${err.message}`);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.once('finish', () => socket.destroy());
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  const track = (socket: Duplex): void => {
    socket.on('error', (err) => log(`socket error: ${err.message}`));
    sockets.set(
      socket,
      new Promise<void>((resolve) =>
        socket.once('close', () => {
          sockets.delete(socket);
          resolve();
        }),
      ),
    );
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closing !== null) {
      socket.destroy();
      return;
    }
    track(socket);
    const url = new URL(req.url ?? '/', 'http://reference.invalid');
    const offered = parseSubprotocols(req.headers['sec-websocket-protocol']);
    const record: MutableConnectionRecord = {
      id: nextId++,
      path: url.pathname,
      faults: formatFaults(serverFaults),
      offeredSubprotocols: offered,
      selectedSubprotocol: null,
      headerNames: Object.keys(req.headers),
      authOk: null,
      userId: null,
      tokenSource: null,
      claims: null,
      pongsReceived: 0,
      messagesReceived: [],
      environment: null,
      handshake: null,
      chatMessages: [],
    };
    records.push(record);
    if (records.length > MAX_RECORDS) records.shift();
    const say = (line: string): void => log(`#${record.id} ${line}`);

    const isAgentPath = AGENT_SOCKET_PATHS.includes(url.pathname);
    if (!isAgentPath && url.pathname !== ECHO_SOCKET_PATH) {
      say(`upgrade ${url.pathname}: 404`);
      refuseUpgrade(socket, 404, { detail: 'Not Found' });
      return;
    }

    const spec = url.searchParams.getAll('fault').join(',');
    let faults: FaultSet;
    try {
      faults = mergeFaults(serverFaults, parseFaults(spec));
    } catch (err: unknown) {
      record.faults = spec;
      const message = err instanceof FaultSpecError ? err.message : String(err);
      say(`upgrade refused 400: ${message}`);
      refuseUpgrade(socket, 400, message);
      return;
    }
    record.faults = formatFaults(faults);
    say(`upgrade ${url.pathname}${record.faults === '' ? '' : ` faults=${record.faults}`}`);

    if (faults.upgrade_hang === true) return;
    if (faults.auth_http !== undefined) {
      refuseUpgrade(socket, faults.auth_http, refusalBody(faults.auth_http), faults.auth_http === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
      return;
    }
    if (faults.upgrade_status !== undefined) {
      refuseUpgrade(socket, faults.upgrade_status, refusalBody(faults.upgrade_status));
      return;
    }

    if (isAgentPath) {
      const nowMs = deps.now();
      burst.size = nowMs - burst.lastAtMs <= STORM_BURST_GAP_MS ? burst.size + 1 : 1;
      burst.lastAtMs = nowMs;
      if (faults.storm_1011 !== undefined && burst.size > faults.storm_1011) {
        say(`fault storm_1011: upgrade ${burst.size} of a burst`);
        faults = mergeFaults(faults, { close_1011_handshake: true });
      }
    }
    faultsByRequest.set(req, faults);
    wss.handleUpgrade(req, socket, head, (ws) => {
      record.selectedSubprotocol = ws.protocol === '' ? null : ws.protocol;
      if (closing !== null) {
        ws.terminate();
        return;
      }
      let connection: Terminable;
      const onEnd = (): void => {
        live.delete(connection);
      };
      if (isAgentPath) {
        const agent = new AgentConnection(ws, record, faults, { headers: req.headers, offeredSubprotocols: offered, query: url.searchParams }, deps, onEnd);
        connection = agent;
        live.add(connection);
        agent.start();
      } else {
        connection = serveEcho(ws, record, deps, onEnd);
        live.add(connection);
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log(`http server error: ${err.message}`));
  const port = (server.address() as AddressInfo).port;
  const origin = `${hostForUrl(host)}:${port}`;
  log(`listening on ${secure ? 'https' : 'http'}://${origin}`);

  const shutdown = async (): Promise<void> => {
    for (const connection of [...live]) connection.terminate();
    live.clear();
    for (const socket of sockets.keys()) socket.destroy();
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await Promise.all([serverClosed, ...sockets.values()]);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await afterCloseCallbacks();
    log('closed');
  };

  return {
    url: `${secure ? 'wss' : 'ws'}://${origin}/ws`,
    httpUrl: `${secure ? 'https' : 'http'}://${origin}`,
    port,
    connections: () => records.map(snapshotRecord),
    setFaults: (spec) => {
      serverFaults = parseFaults(spec);
    },
    close: () => (closing ??= shutdown()),
  };
}
