import type { DependencyHealthCheck, TargetConfig } from '../../config/types.ts';
import { messageFacts, type SinkFacts } from '../sink-facts.ts';

/** dependency_health walks the golden path and reports each endpoint's state (`CheckResult.health`). */
export function dependencyHealthFacts(target: TargetConfig, check: DependencyHealthCheck): SinkFacts {
  return { ...messageFacts(target, check), healthEndpoints: check.endpoints };
}
