/**
 * The one deadline mechanism of a run: an `AbortSignal`. A run's signal aborts when the canary
 * shuts down (its reason is then anything but a `TimeoutError`) or when the run's timeout passes
 * (a `TimeoutError` whose message says which deadline). Phase budgets and sub-walks take child
 * deadlines from it: a child aborts with its parent's reason, or with its own `TimeoutError`.
 */

/** A deadline under a parent signal; {@link Deadline.dispose} releases its timer and listener. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Clears the timer and stops following the parent; the signal stays as it is. */
  dispose(): void;
}

/** The reason a deadline's own timer aborts with: a `TimeoutError` whose message says which one passed. */
export function timeoutError(what: string): DOMException {
  return new DOMException(what, 'TimeoutError');
}

/** Whether `signal` was aborted by a deadline passing, not by shutdown. */
export function isTimeout(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'TimeoutError';
}

/** What a timed-out signal's deadline was, e.g. "the run deadline passed". */
export function timeoutWhat(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'the run deadline passed';
}

/**
 * A child deadline: aborts with `parent.reason` when `parent` aborts (at once when it already
 * has), or with {@link timeoutError}(`what`) after `ms` milliseconds, whichever comes first. One
 * timer, released by `dispose` or when it fires.
 */
export function deadline(parent: AbortSignal, ms: number, what: string): Deadline {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const follow = (): void => {
    clearTimeout(timer);
    controller.abort(parent.reason);
  };
  const timer = setTimeout(() => {
    parent.removeEventListener('abort', follow);
    controller.abort(timeoutError(what));
  }, Math.max(0, ms));
  parent.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', follow);
    },
  };
}

/** A child deadline of {@link ChildDeadlines}: a timer under the run's signal; `dispose` clears it. */
export interface ChildDeadline {
  dispose(): void;
}

/**
 * The child deadlines one walk arms under its run's signal (phase budgets, the error grace, a
 * probe's wait), each calling back only when its own time passes: the run's own deadline is
 * handled once, by whoever listens to the parent. A child is a timer alone (no signal of its own,
 * no listener on the parent): the walk arms several per run, and the parent's abort ends the walk,
 * whose teardown calls {@link ChildDeadlines.release}.
 */
export class ChildDeadlines {
  readonly #parent: AbortSignal;
  readonly #armed = new Set<ChildDeadline>();

  constructor(parent: AbortSignal) {
    this.#parent = parent;
  }

  /** A child deadline `ms` from now; `onExpire` runs when it passes before the parent aborts. */
  after(ms: number, onExpire: () => void): ChildDeadline {
    const timer = setTimeout(() => {
      this.#armed.delete(child);
      if (!this.#parent.aborted) onExpire();
    }, Math.max(0, ms));
    const child: ChildDeadline = {
      dispose: () => {
        clearTimeout(timer);
        this.#armed.delete(child);
      },
    };
    this.#armed.add(child);
    return child;
  }

  /** Disposes every child still armed. */
  release(): void {
    for (const child of [...this.#armed]) child.dispose();
  }
}
