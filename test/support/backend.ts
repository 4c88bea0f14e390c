/**
 * Reference backends that close when the test that started them ends.
 */
import type { TestContext } from 'node:test';
import { startReferenceBackend, type ReferenceBackend, type ReferenceBackendOptions } from '../../src/reference/index.ts';

/** Starts a reference backend with `opts`, closed by `t.after`. */
export async function startBackend(t: TestContext, opts: ReferenceBackendOptions = {}): Promise<ReferenceBackend> {
  const backend = await startReferenceBackend(opts);
  t.after(() => backend.close());
  return backend;
}
