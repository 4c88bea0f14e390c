/**
 * auth_enforcement, a security canary: every configured probe tries to get in without a valid
 * token (none, expired, wrong key, wrong issuer, wrong token_type, a bogus token with the
 * test-bypass headers), and the backend must refuse each before the welcome.
 */
import type { AuthEnforcementCheck, TargetConfig } from '../../config/types.ts';
import type { CheckResult } from '../../result/types.ts';
import { runWalk } from '../../walk/engine.ts';
import { subRunDeps } from '../combine.ts';
import type { RunDeps } from '../types.ts';
import { probePlan, probeTokens } from './probes.ts';
import { enforcementResult, type ProbeRun } from './verdict.ts';

/**
 * Runs every probe at once, each a walk of the golden path (run id `<runId>-<probe>`) with its
 * forged credentials. A refused probe ends before the welcome; a probe that is let in goes on to
 * send the chat message, so the result shows how far it got (`welcome`, or `events`: the agent ran
 * for it). Every probe walks under the check's one deadline: ends within `timeout` plus the
 * walk's teardown bound. Never throws.
 */
export async function runAuthEnforcement(target: TargetConfig, check: AuthEnforcementCheck, deps: RunDeps): Promise<CheckResult> {
  const startMono = deps.clock.monoMs();
  const startedAtMs = deps.clock.nowMs();
  const runs = await Promise.all(
    check.probes.map(async (probe): Promise<ProbeRun> => {
      const tokens = probeTokens(target.auth, probe, deps.clock, deps.tokens.secrets, deps.tokens.signingKeys ?? null);
      const result = await runWalk(target, check, subRunDeps(deps, `${deps.runId}-${probe}`, tokens), probePlan(probe));
      return { probe, result };
    }),
  );
  return enforcementResult(target, check, deps.runId, runs, {
    startedAtMs,
    durationSeconds: (deps.clock.monoMs() - startMono) / 1000,
  });
}
