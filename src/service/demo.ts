import type { CanaryLogger } from '../logging/index.ts';

/**
 * The demo's fault rotation: mostly healthy, with the incident reports' failures in between, so
 * the status page and metrics show both states within a few minutes. It includes the third
 * generation (protocol.md, "Third generation"): healthy (`lifecycle`), and a handshake that never
 * completes (`handshake_incomplete`: the connection never becomes ready).
 */
export const DEMO_FAULTS: readonly string[] = [
  '',
  '',
  'close_1011_after=2',
  '',
  'drop_event=tool_completed',
  'lifecycle',
  'delay_ms=1500',
  '',
  'auth_frame',
  'lifecycle',
  'handshake_incomplete',
];

/** What the demo needs of a backend: replacing its server-wide faults (a fault spec, see `canary target --help`). */
export interface FaultInjectable {
  setFaults(spec: string): void;
}

/** How long each step of the rotation lasts. */
export const DEMO_STEP_MS = 20_000;

/** Rotates the embedded reference backend's server-wide fault. */
export function startDemo(
  backend: FaultInjectable,
  logger: CanaryLogger,
  stepMs: number = DEMO_STEP_MS,
): { stop(): void } {
  let step = 0;
  logger.info('demo mode: the reference backend injects a fault now and then', { rotation: DEMO_FAULTS, stepSeconds: stepMs / 1000 });
  const timer = setInterval(() => {
    step = (step + 1) % DEMO_FAULTS.length;
    const fault = DEMO_FAULTS[step] ?? '';
    backend.setFaults(fault);
    logger.info(fault === '' ? 'demo: backend healthy' : `demo: backend fault ${fault}`, { fault });
  }, stepMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
