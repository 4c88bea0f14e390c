/**
 * The deps of the walks of a check type that runs several (sub-runs); their one result is built
 * by `combineWalks` in `walk/result.ts`.
 */
import type { TokenProvider } from '../auth/provider.ts';
import type { RunDeps } from './types.ts';

/**
 * The deps of one sub-run: its own run id, the parent's clock, deadline and transcript limits,
 * and the parent's tokens unless `tokens` replaces them. A sub-run shares its parent's deadline,
 * so the check ends within its one `timeout` however many walks it runs.
 */
export function subRunDeps(parent: RunDeps, runId: string, tokens: TokenProvider = parent.tokens): RunDeps {
  return { ...parent, runId, tokens };
}
