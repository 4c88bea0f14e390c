/**
 * The closed set of health-endpoint states dependency_health reports, and how a result carries
 * them. The single source for the `state` label of `canary_dependency_health`.
 */

/**
 * How one health endpoint answered: `healthy` (2xx), `starting` (503 whose JSON `message` or
 * `status` mentions start-up, protocol.md "Endpoints"), `unhealthy` (any other HTTP status) or
 * `unreachable` (no HTTP answer: connection error, TLS error or timeout).
 */
export const HEALTH_STATES = ['healthy', 'starting', 'unhealthy', 'unreachable'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** Whether `value` is one of {@link HEALTH_STATES}. */
export function isHealthState(value: unknown): value is HealthState {
  return HEALTH_STATES.some((state) => state === value);
}

/** One health endpoint's state at a run, as `CheckResult.health` carries it for the sinks. */
export interface EndpointHealth {
  /** The endpoint as configured (the `endpoint` label). */
  readonly endpoint: string;
  readonly state: HealthState;
}

/** The key of `CheckResult.details` showing an endpoint's state to people: `health:/health`. */
export function healthDetailKey(endpoint: string): string {
  return `health:${endpoint}`;
}
