import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Config, DependencyHealthCheck } from '../../src/config/types.ts';
import type { EndpointHealth } from '../../src/result/health.ts';
import { goldenPathCheck, target } from '../support/fixtures.ts';
import { createMetrics, type CanaryMetrics } from '../../src/metrics/sink.ts';
import { samplesOf, successResult, TARGET, type Sample } from './test-helpers.ts';

const CHECK = 'deps';
const STATES = ['healthy', 'starting', 'unhealthy', 'unreachable'] as const;

function config(): Config {
  const check: DependencyHealthCheck = {
    ...goldenPathCheck(),
    name: CHECK,
    type: 'dependency_health',
    endpoints: ['/health', 'http://10.0.0.5:9000/ready'],
    healthTimeoutMs: 5000,
  };
  return { targets: [target('ws://127.0.0.1:1/ws', { type: 'none' }, { checks: [check, goldenPathCheck()] })], service: { adminToken: null } };
}

/** The expected `canary_dependency_health` samples: each endpoint's state 1, the others 0. */
function expected(states: Readonly<Record<string, string | null>>): Sample[] {
  return Object.entries(states).flatMap(([endpoint, current]) =>
    STATES.map((state) => ({
      name: 'canary_dependency_health',
      labels: { check: CHECK, target: TARGET, endpoint, state },
      value: state === current ? 1 : 0,
    })),
  );
}

async function series(m: CanaryMetrics): Promise<Sample[]> {
  return samplesOf((await m.render(undefined)).chunks.join(''), 'canary_dependency_health');
}

describe('canary_dependency_health', { concurrency: true }, () => {
  it('exists at zero for every configured endpoint and state before the first run', async () => {
    const m = createMetrics(config(), { defaultMetrics: false });
    assert.deepEqual(await series(m), expected({ '/health': null, 'http://10.0.0.5:9000/ready': null }));
  });

  it("holds 1 for each endpoint's state at the last run and 0 for the others", async () => {
    const m = createMetrics(config(), { defaultMetrics: false });
    const health: EndpointHealth[] = [{ endpoint: '/health', state: 'starting' }, { endpoint: 'http://10.0.0.5:9000/ready', state: 'healthy' }];
    m.record(successResult({ check: CHECK, type: 'dependency_health', result: 'degraded', degradations: ['dependency_unhealthy'], health }));
    assert.deepEqual(await series(m), expected({ '/health': 'starting', 'http://10.0.0.5:9000/ready': 'healthy' }));
    m.record(successResult({ check: CHECK, type: 'dependency_health', health: [health[1]!, { endpoint: '/health', state: 'unreachable' }] }));
    assert.deepEqual(await series(m), expected({ '/health': 'unreachable', 'http://10.0.0.5:9000/ready': 'healthy' }));
  });

  it('never creates labels from results of unknown checks or endpoints, nor from unknown states', async () => {
    const m = createMetrics(config(), { defaultMetrics: false });
    const sideways = { endpoint: '/health', state: 'sideways' } as unknown as EndpointHealth;
    m.record(successResult({ check: 'unknown', type: 'dependency_health', health: [{ endpoint: '/health', state: 'healthy' }] }));
    m.record(successResult({ check: CHECK, type: 'dependency_health', health: [{ endpoint: '/other', state: 'healthy' }, sideways] }));
    m.record(successResult({ check: 'golden_path', health: [{ endpoint: '/health', state: 'healthy' }] }));
    assert.deepEqual(await series(m), expected({ '/health': null, 'http://10.0.0.5:9000/ready': null }));
  });

  it('reads the typed health states, never the details strings shown to people', async () => {
    const m = createMetrics(config(), { defaultMetrics: false });
    m.record(successResult({ check: CHECK, type: 'dependency_health', details: { 'health:/health': 'healthy', 'health:http://10.0.0.5:9000/ready': 'healthy' } }));
    assert.deepEqual(await series(m), expected({ '/health': null, 'http://10.0.0.5:9000/ready': null }));
  });
});
