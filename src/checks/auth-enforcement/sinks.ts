import type { AuthEnforcementCheck, TargetConfig } from '../../config/types.ts';
import { messageFacts, type SinkFacts } from '../sink-facts.ts';

/**
 * auth_enforcement's probes walk the whole golden path (a probe that gets in may reach the agent
 * events: `auth_bypass` in phase `events`), but no missing event is counted: the probes are meant
 * to be refused.
 */
export function authEnforcementFacts(target: TargetConfig, check: AuthEnforcementCheck): SinkFacts {
  return { ...messageFacts(target, check), countedEvents: [] };
}
