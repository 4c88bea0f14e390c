/**
 * A raw TCP server for tests that must break HTTP or RFC 6455 framing where `ws` never would: it
 * reads the upgrade request by hand and lets the test write any bytes back.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { TestContext } from 'node:test';
import { listenLoopback } from './net.ts';

/** RFC 6455 §1.3: the GUID appended to the client's key. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** The 101 answer to an upgrade whose key is `key`: with the right accept value unless `accept` says otherwise. */
export function switchingProtocols(key: string, accept: string | null = acceptKey(key)): string {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade'];
  if (accept !== null) lines.push(`Sec-WebSocket-Accept: ${accept}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Options of one frame: FIN (default set), RSV bits (0-7) and a declared length that differs from the payload's. */
export interface FrameOptions {
  readonly fin?: boolean;
  readonly rsv?: number;
  /** The length written in the header instead of the payload's (for oversized-length frames). */
  readonly declaredLength?: number;
}

/** One unmasked server frame (RFC 6455 §5.2) with opcode `opcode` (0-15). */
export function frame(opcode: number, payload: Buffer | string, options: FrameOptions = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const length = options.declaredLength ?? body.length;
  const first = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | (opcode & 0x0f);
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, body]);
}

/** A text frame holding `value` as JSON when it is not already a string. */
export function textFrame(value: unknown, options: FrameOptions = {}): Buffer {
  return frame(0x1, typeof value === 'string' ? value : JSON.stringify(value), options);
}

export function binaryFrame(payload: Buffer, options: FrameOptions = {}): Buffer {
  return frame(0x2, payload, options);
}

export function pingFrame(payload: Buffer | string = ''): Buffer {
  return frame(0x9, payload);
}

/** A close frame with `code` (RFC 6455 §7.4) and `reason`. */
export function closeFrame(code: number, reason = ''): Buffer {
  const body = Buffer.alloc(2 + Buffer.byteLength(reason));
  body.writeUInt16BE(code, 0);
  body.write(reason, 2, 'utf8');
  return frame(0x8, body);
}

/** The welcome the golden path accepts. */
export const WELCOME = { type: 'connection_established', data: { user_id: 'u', connection_id: 'c' } };

/** One connection to a {@link RawServer}, once the client's request headers are in. */
export interface RawConnection {
  readonly socket: net.Socket;
  /** The request head as received (request line and headers). */
  readonly head: string;
  /** The client's Sec-WebSocket-Key, or '' when it sent none. */
  readonly key: string;
  /** Writes the right 101 answer. */
  accept(): void;
}

export interface RawServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A key and certificate (PEM) to serve TLS with: the raw server then speaks `wss://`. */
export interface RawTlsOptions {
  readonly key: string;
  readonly cert: string;
}

/**
 * Starts a raw server on 127.0.0.1 at a free port that calls `onRequest` once per connection when
 * the request head is complete; with `tlsOptions`, over TLS (`wss://`). Every socket and the
 * server close in `t.after`.
 */
export async function startRawServer(t: TestContext, onRequest: (connection: RawConnection) => void, tlsOptions?: RawTlsOptions): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const request = head.slice(0, end);
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(request)?.[1] ?? '';
      onRequest({ socket, head: request, key, accept: () => socket.write(switchingProtocols(key)) });
    };
    socket.on('data', onData);
  };
  const server = tlsOptions === undefined ? net.createServer(onConnection) : tls.createServer({ ...tlsOptions }, onConnection);
  if (tlsOptions !== undefined) server.on('tlsClientError', () => undefined);
  const port = await listenLoopback(server);
  const close = async (): Promise<void> => {
    const closed = [...sockets].map((socket) => new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    }));
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all(closed);
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  t.after(close);
  return { url: `${tlsOptions === undefined ? 'ws' : 'wss'}://127.0.0.1:${port}/ws`, port, close };
}
