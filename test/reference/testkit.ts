/**
 * A raw `ws` client for exercising the reference backend in tests: it records every frame and the
 * close, and refused upgrades come back as their HTTP status and body. No canary code.
 */
import type { IncomingMessage } from 'node:http';
import type { TestContext } from 'node:test';
import { WebSocket, type ClientOptions } from 'ws';
import { startReferenceBackend, type ReferenceBackend, type ReferenceBackendOptions } from '../../src/reference/server.ts';
import { mintReferenceToken } from '../../src/reference/token.ts';

/** A frame as received: parsed JSON (undefined when it is not JSON), the raw text, and when it arrived (epoch ms). */
export type ReceivedFrame = { readonly json: unknown; readonly text: string; readonly atMs: number };

/** How the socket ended, seen from the client. */
export interface ClientClose {
  readonly code: number;
  readonly reason: string;
  /** When the close event fired, epoch ms. */
  readonly atMs: number;
}

/** Options of {@link connectClient}. */
export interface ConnectOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly protocols?: readonly string[];
  /** Client maxPayload in bytes; default ws's 100 MiB. */
  readonly maxPayloadBytes?: number;
  /** How long to wait for the 101; default 2000 ms. */
  readonly timeoutMs?: number;
}

/** An upgrade that was answered with something other than 101. */
export class UpgradeRefused extends Error {
  readonly status: number;
  readonly body: string;
  readonly headers: IncomingMessage['headers'];
  constructor(status: number, body: string, headers: IncomingMessage['headers']) {
    super(`upgrade refused with HTTP ${status}: ${body}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** A connected client that keeps every frame it receives. */
export class TestClient {
  readonly ws: WebSocket;
  readonly frames: ReceivedFrame[] = [];
  /** Errors the socket emitted (e.g. a frame over the client's maxPayload). */
  readonly errors: Error[] = [];
  /** Settles when the socket is closed, with the code and reason the client saw (1006 for a dropped socket). */
  readonly closed: Promise<ClientClose>;
  #read = 0;
  #wake: (() => void) | null = null;
  #isClosed = false;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '<binary>' : Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
      let json: unknown;
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        json = undefined;
      }
      this.frames.push({ json, text, atMs: Date.now() });
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.#isClosed = true;
        this.#wake?.();
        resolve({ code, reason: reason.toString(), atMs: Date.now() });
      });
    });
    ws.on('error', (err) => this.errors.push(err));
  }

  /** Sends a JSON frame (or a raw string as is). */
  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame not yet read; rejects after `timeoutMs` or if the socket closes first. */
  async next(timeoutMs = 2000): Promise<ReceivedFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.frames[this.#read];
      if (frame !== undefined) {
        this.#read++;
        return frame;
      }
      if (this.#isClosed) throw new Error('socket closed before the next frame');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  /** The JSON of the next frame. */
  async nextJson(timeoutMs = 2000): Promise<Record<string, unknown>> {
    const frame = await this.next(timeoutMs);
    if (typeof frame.json !== 'object' || frame.json === null) throw new Error(`not a JSON object: ${frame.text.slice(0, 200)}`);
    return frame.json as Record<string, unknown>;
  }

  /** Reads frames up to and including the first whose `type` is `type`. */
  async readUntil(type: string, timeoutMs = 2000): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (;;) {
      const frame = await this.nextJson(timeoutMs);
      out.push(frame);
      if (frame['type'] === type) return out;
    }
  }

  /** Frames read or not, as JSON (non-JSON frames as their text). */
  allJson(): unknown[] {
    return this.frames.map((f) => f.json ?? f.text);
  }

  /** The code and reason of the close, without its time. */
  async closeCode(): Promise<{ code: number; reason: string }> {
    const { code, reason } = await this.closed;
    return { code, reason };
  }

  /** Ends the client socket at once and waits for its close. */
  async terminate(): Promise<ClientClose> {
    this.ws.terminate();
    return this.closed;
  }
}

/**
 * Opens a client to `url`. Resolves once the 101 arrived; rejects with {@link UpgradeRefused} on
 * another HTTP status, or with the socket error.
 */
export function connectClient(url: string, opts: ConnectOptions = {}): Promise<TestClient> {
  const options: ClientOptions = { handshakeTimeout: opts.timeoutMs ?? 2000 };
  if (opts.headers !== undefined) options.headers = { ...opts.headers };
  if (opts.maxPayloadBytes !== undefined) options.maxPayload = opts.maxPayloadBytes;
  const ws = new WebSocket(url, opts.protocols === undefined ? [] : [...opts.protocols], options);
  const client = new TestClient(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        reject(new UpgradeRefused(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers));
        ws.terminate();
      });
      res.on('error', reject);
    });
  });
}

/** Starts a reference backend that `t.after` closes. */
export async function startForTest(t: TestContext, opts: ReferenceBackendOptions = {}): Promise<ReferenceBackend> {
  const backend = await startReferenceBackend(opts);
  t.after(() => backend.close());
  return backend;
}

/** Connects a client that `t.after` terminates. */
export async function connectForTest(t: TestContext, url: string, opts: ConnectOptions = {}): Promise<TestClient> {
  const client = await connectClient(url, opts);
  t.after(() => client.terminate());
  return client;
}

/** Headers carrying a fresh valid token for the default secret. */
export async function bearer(): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await mintReferenceToken()}` };
}

/** `url` with `?fault=<spec>` (URL-encoded). */
export function withFault(url: string, spec: string): string {
  return `${url}?fault=${encodeURIComponent(spec)}`;
}
