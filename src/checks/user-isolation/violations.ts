/**
 * The isolation rules of user_isolation: which events one identity's connection must never see.
 * Pure: the run collects the events, this decides.
 */
import type { ObservedEvent } from '../../walk/plan.ts';

/** The two identities, by the letter used in messages, details and thread ids. */
export type IdentityName = 'a' | 'b';

/** An agent event one connection received, with when (monotonic ms) it arrived. */
export interface SeenEvent extends ObservedEvent {
  readonly atMs: number;
}

/** What one identity is and what its connection received. */
export interface Side {
  readonly identity: IdentityName;
  /** The `sub` of its token: the user id its events may carry. */
  readonly subject: string;
  /** The thread id its user message carried: the thread id its events may carry. */
  readonly threadId: string;
  readonly events: readonly SeenEvent[];
}

/** One event a connection must not have received. */
export interface Violation {
  /** The identity whose connection received it. */
  readonly identity: IdentityName;
  readonly event: SeenEvent;
  /** Why, for people: `identity b received agent_thinking of identity a's run run_x`. */
  readonly description: string;
}

function foreign(side: Side, e: ObservedEvent): boolean {
  return (e.threadId !== null && e.threadId !== side.threadId) || (e.userId !== null && e.userId !== side.subject);
}

function vouched(side: Side, e: ObservedEvent): boolean {
  return (e.threadId !== null && e.threadId === side.threadId) || (e.userId !== null && e.userId === side.subject);
}

/**
 * Whose run `runId` is: the one side whose events with it carry its own thread or user id; when
 * the ids do not tell (neither side or both), the side that received it first. Events that are
 * foreign by their ids never make a side the owner.
 */
function runOwner(sides: readonly [Side, Side], runId: string): IdentityName | null {
  const own = sides.map((side) => side.events.filter((e) => e.runId === runId && !foreign(side, e)));
  const vouching = sides.filter((side, i) => (own[i] ?? []).some((e) => vouched(side, e)));
  if (vouching.length === 1) return vouching[0]?.identity ?? null;
  let owner: IdentityName | null = null;
  let firstAtMs = Number.POSITIVE_INFINITY;
  for (const [i, side] of sides.entries()) {
    for (const e of own[i] ?? []) {
      if (e.atMs < firstAtMs) {
        firstAtMs = e.atMs;
        owner = side.identity;
      }
    }
  }
  return owner;
}

function describeViolation(side: Side, other: Side, e: SeenEvent, owner: IdentityName | null): string {
  const head = `identity ${side.identity} received ${e.name}`;
  if (e.runId !== null && owner === other.identity) return `${head} of identity ${other.identity}'s run ${e.runId}`;
  if (e.threadId !== null && e.threadId === other.threadId) return `${head} of identity ${other.identity}'s thread ${e.threadId}`;
  if (e.userId !== null && e.userId === other.subject) return `${head} of identity ${other.identity}'s user ${e.userId}`;
  if (e.threadId !== null && e.threadId !== side.threadId) return `${head} of an unknown thread ${e.threadId}`;
  if (e.userId !== null && e.userId !== side.subject) return `${head} of an unknown user ${e.userId}`;
  return `${head} of run ${e.runId ?? '?'}, which identity ${other.identity} also received`;
}

/**
 * Every event a connection must not have received, in arrival order: one whose `thread_id` is
 * present and not its identity's, one whose `user_id` is present and not its identity's `sub`,
 * and one of a run both connections received that belongs to the other identity (see
 * {@link runOwner}). Each offending event counts once.
 */
export function findViolations(sides: readonly [Side, Side]): Violation[] {
  const [a, b] = sides;
  const runsOf = (side: Side): ReadonlySet<string> => new Set(side.events.flatMap((e) => (e.runId === null ? [] : [e.runId])));
  const runs = { a: runsOf(a), b: runsOf(b) };
  const owners = new Map<string, IdentityName | null>();
  const ownerOf = (runId: string): IdentityName | null => {
    if (!owners.has(runId)) owners.set(runId, runOwner(sides, runId));
    return owners.get(runId) ?? null;
  };
  const out: Violation[] = [];
  for (const [side, other] of [
    [a, b],
    [b, a],
  ] as const) {
    for (const e of side.events) {
      const shared = e.runId !== null && runs[other.identity].has(e.runId);
      const owner = e.runId === null ? null : ownerOf(e.runId);
      if (foreign(side, e) || (shared && owner !== side.identity)) {
        out.push({ identity: side.identity, event: e, description: describeViolation(side, other, e, owner) });
      }
    }
  }
  return out.sort((x, y) => x.event.atMs - y.event.atMs);
}
