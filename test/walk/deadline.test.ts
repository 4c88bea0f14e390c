import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChildDeadlines, deadline, isTimeout, timeoutWhat } from '../../src/walk/deadline.ts';

describe('deadline', () => {
  it('times out on its own with a TimeoutError that says which deadline passed', async () => {
    const child = deadline(new AbortController().signal, 10, 'the welcome budget passed');
    await new Promise((resolve) => child.signal.addEventListener('abort', resolve, { once: true }));
    assert.deepEqual([isTimeout(child.signal), timeoutWhat(child.signal)], [true, 'the welcome budget passed']);
  });

  it('aborts with its parent reason: shutdown is not a timeout', () => {
    const shutdown = new AbortController();
    const child = deadline(shutdown.signal, 60_000, 'the run deadline passed');
    shutdown.abort();
    assert.deepEqual([child.signal.aborted, isTimeout(child.signal)], [true, false]);
    child.dispose();
  });

  it('a child of a timed-out parent is timed out at once, with the parent reason', () => {
    const parent = new AbortController();
    parent.abort(new DOMException('the run deadline passed', 'TimeoutError'));
    const child = deadline(parent.signal, 60_000, 'the handshake budget passed');
    assert.deepEqual([child.signal.aborted, isTimeout(child.signal), timeoutWhat(child.signal)], [true, true, 'the run deadline passed']);
  });

  it('dispose clears the timer: a disposed deadline never aborts', async () => {
    const child = deadline(new AbortController().signal, 5, 'never');
    child.dispose();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(child.signal.aborted, false);
  });
});

describe('ChildDeadlines', () => {
  it('calls back when its own time passes, not when the parent aborts', async () => {
    const parent = new AbortController();
    const children = new ChildDeadlines(parent.signal);
    const expired: string[] = [];
    children.after(5, () => expired.push('grace'));
    children.after(60_000, () => expired.push('budget'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    parent.abort();
    assert.deepEqual(expired, ['grace']);
  });

  it('release disposes every child still armed', async () => {
    const children = new ChildDeadlines(new AbortController().signal);
    const expired: string[] = [];
    children.after(5, () => expired.push('grace'));
    children.release();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(expired, []);
  });
});
