/**
 * The teardown step, on every path once the outcome is known: the probe and every child deadline
 * released, the socket closed (1000 after a success, terminated otherwise) within
 * {@link TEARDOWN_MS}, and the TCP handle waited for.
 */
import { WebSocket } from 'ws';
import type { WalkState } from './state.ts';

/** Bound on closing the socket after the outcome is known; a run ends within timeout + this. */
export const TEARDOWN_MS = 1000;
/**
 * How long after the server's close frame the canary waits for the server to close TCP before
 * destroying the socket itself (RFC 6455 §7.1.1 lets the client do so); the run's outcome is known
 * when the close frame arrives.
 */
export const CLOSE_HANDSHAKE_MS = 250;
/**
 * Why a walk's `ended` signal is aborted: one reason for every walk, so ending a walk does not
 * build (and capture the stack of) a fresh `AbortError` each time.
 */
const WALK_ENDED: Error = new DOMException('the walk ended', 'AbortError');

/** How long to wait for node to release a destroyed socket's handle. */
const RELEASE_MS = 50;

function wait(ms: number): { readonly done: Promise<true>; readonly cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<true>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  return { done, cancel: () => clearTimeout(timer) };
}

/**
 * Destroys the TCP (or TLS) socket and waits, briefly, for its handle to close: `ws` reports a
 * failed connect as closed before node has released the socket.
 */
async function socketReleased(walk: WalkState): Promise<void> {
  if (walk.socket === null) return;
  const { socket, closed } = walk.socket;
  socket.destroy();
  const bound = wait(RELEASE_MS);
  await Promise.race([closed, bound.done]);
  bound.cancel();
}

/** Releases everything the walk holds. Never throws. */
export async function teardown(walk: WalkState): Promise<void> {
  walk.ended.abort(WALK_ENDED);
  walk.probe?.dispose();
  walk.deadlines.release();
  const ws = walk.ws;
  if (ws === null || ws.readyState === WebSocket.CLOSED) return socketReleased(walk);
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  if (ws.readyState === WebSocket.OPEN && walk.outcome?.kind === 'success') {
    walk.transcript.record('out', walk.now(), 'close', { text: '1000 canary done', size: 0 });
    ws.close(1000, 'canary done');
  } else {
    ws.terminate();
  }
  const bound = wait(TEARDOWN_MS);
  const timedOut = await Promise.race([closed.then(() => false), bound.done]);
  bound.cancel();
  if (timedOut) {
    ws.terminate();
    const release = wait(RELEASE_MS);
    await Promise.race([closed, release.done]);
    release.cancel();
  }
  await socketReleased(walk);
}
