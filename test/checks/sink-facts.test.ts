import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sinkFactsOf, type FailurePair } from '../../src/checks/registry.ts';
import type { DependencyHealthCheck, HandshakeStormCheck, MessageBurstCheck } from '../../src/config/types.ts';
import { goldenPathCheck, target } from '../support/fixtures.ts';

const WS = target('ws://127.0.0.1:1/ws', { type: 'none' });
const WSS = target('wss://example.test/ws', { type: 'none' });

/** `phase/reason` strings, sorted: one assertion shows every pair. */
function pairs(failures: readonly FailurePair[]): string[] {
  return failures.map(({ phase, reason }) => `${phase}/${reason}`).sort();
}

/** The pairs a golden_path walk of a ws:// target with handshake auto can fail with, written out. */
const GOLDEN_PATH_WS = [
  'token/token_error',
  'dns/dns',
  'tcp/tcp_connect',
  'upgrade/handshake_timeout',
  'upgrade/upgrade_rejected',
  'upgrade/auth_rejected',
  'welcome/auth_rejected',
  'handshake/auth_rejected',
  'events/auth_rejected',
  'welcome/welcome_timeout',
  'welcome/welcome_invalid',
  'handshake/handshake_incomplete',
  'send/send_failed',
  'welcome/server_error',
  'handshake/server_error',
  'events/server_error',
  'events/agent_error',
  'events/agent_timeout',
  'events/answer_mismatch',
  'events/event_missing',
  'events/event_order',
  'welcome/close_1011',
  'handshake/close_1011',
  'send/close_1011',
  'events/close_1011',
  'upgrade/close_abnormal',
  'welcome/close_abnormal',
  'handshake/close_abnormal',
  'send/close_abnormal',
  'events/close_abnormal',
  'welcome/close_unexpected',
  'handshake/close_unexpected',
  'send/close_unexpected',
  'events/close_unexpected',
  'welcome/frame_too_large',
  'handshake/frame_too_large',
  'events/frame_too_large',
  'upgrade/protocol_violation',
  'welcome/protocol_violation',
  'handshake/protocol_violation',
  'events/protocol_violation',
].sort();

describe('sinkFactsOf: the failures and degradations a check can really report', { concurrency: true }, () => {
  it('gives a golden_path check of a ws:// target the walk reasons and answer_mismatch in every phase but tls, and no other type\'s reasons', () => {
    const facts = sinkFactsOf(WS, goldenPathCheck());
    assert.deepEqual(pairs(facts.failures), GOLDEN_PATH_WS);
    assert.equal(facts.failures.length, 41);
    assert.deepEqual(facts.degradations, ['slow', 'unknown_frame', 'agent_timeout_warning']);
    assert.deepEqual(facts.failurePhases, ['token', 'dns', 'tcp', 'upgrade', 'welcome', 'handshake', 'send', 'events', 'close']);
  });

  it('adds tls/tls for a wss:// target', () => {
    assert.deepEqual(pairs(sinkFactsOf(WSS, goldenPathCheck()).failures), [...GOLDEN_PATH_WS, 'tls/tls'].sort());
  });

  it('drops every handshake pair when the check turns the lifecycle handshake off', () => {
    const facts = sinkFactsOf(WS, goldenPathCheck({ handshake: 'off' }));
    assert.deepEqual(pairs(facts.failures), GOLDEN_PATH_WS.filter((pair) => !pair.startsWith('handshake/')));
    assert.equal(facts.failures.length, 33);
  });

  it('stops a handshake_storm at the welcome: no handshake, send or events pairs', () => {
    const storm: HandshakeStormCheck = { ...goldenPathCheck(), name: 'storm', type: 'handshake_storm', connections: 5, windowMs: 200 };
    assert.deepEqual(pairs(sinkFactsOf(WSS, storm).failures), [
      'dns/dns',
      'tcp/tcp_connect',
      'tls/tls',
      'token/token_error',
      'upgrade/auth_rejected',
      'upgrade/close_abnormal',
      'upgrade/handshake_timeout',
      'upgrade/protocol_violation',
      'upgrade/upgrade_rejected',
      'welcome/auth_rejected',
      'welcome/close_1011',
      'welcome/close_abnormal',
      'welcome/close_unexpected',
      'welcome/frame_too_large',
      'welcome/protocol_violation',
      'welcome/server_error',
      'welcome/welcome_invalid',
      'welcome/welcome_timeout',
    ]);
  });

  it('gives dependency_health its silent_agent_failure and dependency_unhealthy, and message_burst its event_duplicate, without answer_mismatch', () => {
    const deps: DependencyHealthCheck = { ...goldenPathCheck(), name: 'deps', type: 'dependency_health', endpoints: ['/health'], healthTimeoutMs: 1000 };
    const health = sinkFactsOf(WS, deps);
    const own = (facts: { readonly failures: readonly FailurePair[] }): string[] =>
      pairs(facts.failures).filter((pair) => !GOLDEN_PATH_WS.includes(pair));
    assert.deepEqual(own(health), ['events/silent_agent_failure']);
    assert.equal(health.failures.length, 41);
    assert.deepEqual(health.degradations, ['slow', 'unknown_frame', 'agent_timeout_warning', 'dependency_unhealthy']);
    const burst: MessageBurstCheck = { ...goldenPathCheck(), name: 'burst', type: 'message_burst', messages: 3 };
    assert.deepEqual(own(sinkFactsOf(WS, burst)), ['events/event_duplicate']);
  });
});
