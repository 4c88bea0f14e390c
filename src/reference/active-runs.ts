/**
 * The agent runs in progress across one server's connections, so that fault `leak_events` can
 * send one connection's events to another, as a backend that mixes up its sockets would.
 */
import type { RunContext } from './event-frames.ts';

/** Runs in progress, by the id of the connection (its record) they run on. */
export class ActiveRuns {
  readonly #runs = new Map<RunContext, number>();

  /** A run started on connection `connectionId`. */
  add(connectionId: number, ctx: RunContext): void {
    this.#runs.set(ctx, connectionId);
  }

  /** The run ended, however it ended. */
  delete(ctx: RunContext): void {
    this.#runs.delete(ctx);
  }

  /** The oldest run in progress on a connection other than `connectionId`, or null. */
  otherThan(connectionId: number): RunContext | null {
    for (const [ctx, id] of this.#runs) if (id !== connectionId) return ctx;
    return null;
  }
}
