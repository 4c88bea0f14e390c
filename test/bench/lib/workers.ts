/** The parent's side of client-worker.ts: start a measured client in its own process and ask it to work. */
import { fileURLToPath } from 'node:url';
import { startChild, cleanEnv, imageEnv, type Child } from './children.ts';
import type { WorkerReply, WorkerRequest } from './client-worker.ts';

const ENTRY = fileURLToPath(new URL('./client-worker.ts', import.meta.url));

/** A measured client in a child process. */
export interface Worker {
  readonly child: Child;
  /** Sends `request` and resolves with the reply (rejects on an `error` reply, or after `timeoutMs`). */
  ask<R extends WorkerReply['op']>(request: WorkerRequest, expect: R, timeoutMs: number): Promise<Extract<WorkerReply, { op: R }>>;
  stop(): Promise<void>;
}

function nextReply(child: Child, timeoutMs: number): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.process.off('message', onMessage);
      reject(new Error(`worker ${child.pid}: no reply within ${timeoutMs} ms; stderr: ${child.stderr().slice(-2000)}`));
    }, timeoutMs);
    const onMessage = (message: WorkerReply): void => {
      clearTimeout(timer);
      child.process.off('message', onMessage);
      resolve(message);
    };
    child.process.on('message', onMessage);
  });
}

/**
 * Starts client-worker.ts as `mode` (`canary CONFIG`, `floor URL` or `floor-plus URL`) and resolves
 * once it is ready. The canary runs with the image's flags, the references without.
 */
export async function startWorker(mode: 'canary' | 'floor' | 'floor-plus', where: string, nodeArgs: readonly string[] = []): Promise<Worker> {
  const child = startChild([...nodeArgs, ENTRY, mode, where], { ipc: true, env: mode === 'canary' ? imageEnv() : cleanEnv() });
  const ready = await nextReply(child, 30_000);
  if (ready.op !== 'ready') throw new Error(`worker ${mode}: ${JSON.stringify(ready)}`);
  return {
    child,
    async ask(request, expect, timeoutMs) {
      const reply = nextReply(child, timeoutMs);
      child.process.send(request);
      const answer = await reply;
      if (answer.op !== expect) throw new Error(`worker ${mode}: ${JSON.stringify(answer)}`);
      return answer as Extract<WorkerReply, { op: typeof expect }>;
    },
    stop: () => child.stop(2000),
  };
}
