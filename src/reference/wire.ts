/**
 * What the parts of one reference-backend connection share: the server's dependencies, and the
 * connection's own send, sleep and log, each bound to the connection's AbortSignal so that ending
 * the connection releases every timer.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { VerifyKey } from './auth.ts';
import type { ActiveRuns } from './active-runs.ts';
import { pingFrame, type Frame } from './frames.ts';

/** What a connection needs from its server. */
export interface ConnectionDeps {
  /** The HS256 secret, or the public key of RS256/ES256 tokens. */
  readonly verifyKey: VerifyKey;
  readonly heartbeatIntervalMs: number;
  readonly eventDelayMs: number;
  readonly log: (line: string) => void;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** The server's runs in progress (fault `leak_events`); without it nothing leaks. */
  readonly activeRuns?: ActiveRuns;
}

/** Something the server can end at once. */
export interface Terminable {
  terminate(): void;
}

/** One connection's outbound side, as its third-generation lifecycle and its agent runs use it. */
export interface Wire {
  /** Sends a JSON frame; resolves once it is handed to the kernel, or at once when the socket is not open or the connection ends. */
  send(frame: Frame): Promise<void>;
  /** {@link Wire.send} for text that is already serialised. */
  sendText(text: string): Promise<void>;
  /** Resolves true after `ms` milliseconds, false when the connection ends first. */
  sleep(ms: number): Promise<boolean>;
  /** Logs one line, prefixed with the connection's record id. */
  log(line: string): void;
  /** Epoch milliseconds. */
  now(): number;
}

/**
 * A connection's socket as a {@link Wire}, plus the heartbeat and the wait for a pong. Everything
 * it starts is bound to one AbortSignal, so {@link SocketWire.release} ends every timer and wait.
 */
export class SocketWire implements Wire {
  readonly #ws: WebSocket;
  readonly #deps: ConnectionDeps;
  readonly #recordId: number;
  readonly #abort = new AbortController();
  #heartbeat: NodeJS.Timeout | null = null;
  #onPong: (() => void) | null = null;

  constructor(ws: WebSocket, deps: ConnectionDeps, recordId: number) {
    this.#ws = ws;
    this.#deps = deps;
    this.#recordId = recordId;
  }

  log(line: string): void {
    this.#deps.log(`#${this.#recordId} ${line}`);
  }

  now(): number {
    return this.#deps.now();
  }

  async sleep(ms: number): Promise<boolean> {
    try {
      await delay(ms, undefined, { signal: this.#abort.signal });
      return true;
    } catch {
      return false;
    }
  }

  sendText(text: string): Promise<void> {
    if (this.#ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = (): void => resolve();
      this.#abort.signal.addEventListener('abort', onAbort, { once: true });
      this.#ws.send(text, (err) => {
        this.#abort.signal.removeEventListener('abort', onAbort);
        if (err) this.log(`send failed: ${err.message}`);
        resolve();
      });
    });
  }

  send(frame: Frame): Promise<void> {
    return this.sendText(JSON.stringify(frame));
  }

  /** Sends a server ping every `heartbeatIntervalMs` until released. */
  startHeartbeat(): void {
    this.#heartbeat = setInterval(() => void this.send(pingFrame(this.now())), this.#deps.heartbeatIntervalMs);
  }

  /** Resolves true on the client's next pong ({@link SocketWire.pong}), false after `timeoutMs` or on release. */
  waitForPong(timeoutMs: number): Promise<boolean> {
    const stop = new AbortController();
    const signal = AbortSignal.any([this.#abort.signal, stop.signal]);
    const pong = new Promise<boolean>((resolve) => {
      this.#onPong = () => resolve(true);
    });
    const timeout = delay(timeoutMs, false, { signal }).catch(() => false);
    return Promise.race([pong, timeout]).finally(() => {
      stop.abort();
      this.#onPong = null;
    });
  }

  /** The client sent a pong. */
  pong(): void {
    this.#onPong?.();
  }

  /** Ends every sleep, send wait, pong wait and the heartbeat. */
  release(): void {
    this.#abort.abort();
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    this.#onPong = null;
  }
}
