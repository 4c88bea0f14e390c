/** The reference backend in a child process of its own (its CPU is never the measured client's). */
import { startChild, type Child } from './children.ts';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./backend-child.ts', import.meta.url));

/** A reference backend running in a child process. */
export interface BackendProcess {
  readonly child: Child;
  readonly port: number;
  /** `ws://127.0.0.1:PORT/ws` */
  readonly url: string;
}

/** Options of {@link startBackendProcess}. */
export interface BackendSpec {
  readonly faults?: string;
  readonly eventDelayMs?: number;
  /** Stamp frames with a sub-millisecond clock (latency figure). */
  readonly subMillisecond?: boolean;
}

/** Starts the reference backend in a child process and resolves once it listens. */
export async function startBackendProcess(spec: BackendSpec = {}): Promise<BackendProcess> {
  const child = startChild([ENTRY, JSON.stringify(spec)]);
  const match = await child.waitFor(/BACKEND_PORT=(\d+)/, 15_000);
  const port = Number(match[1]);
  return { child, port, url: `ws://127.0.0.1:${port}/ws` };
}
