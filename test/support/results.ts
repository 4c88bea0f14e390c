/**
 * Hand-made check results for tests of what consumes them (log sink, metrics, pretty printer),
 * deep-frozen like the engine's. Tests that need other values override fields, or wrap these
 * with their own defaults (src/metrics/test-helpers.ts).
 */
import type { CheckResult, TranscriptEntry } from '../../src/result/types.ts';
import { deepFreeze } from '../../src/result/types.ts';

/** An inbound `agent_started` text frame 12.5 ms into the run; override to make others. */
export function transcriptEntry(overrides: Partial<TranscriptEntry> = {}): TranscriptEntry {
  return { dir: 'in', tMs: 12.5, kind: 'text', type: 'agent_started', size: 27, text: '{"type":"agent_started"}', ...overrides };
}

/** A successful golden-path run `run-1` of `local`/`golden_path` with two events; override to make others. */
export function checkResult(overrides: Partial<CheckResult> = {}): CheckResult {
  return deepFreeze({
    runId: 'run-1',
    check: 'golden_path',
    target: 'local',
    type: 'golden_path',
    result: 'success',
    phase: null,
    reason: null,
    message: null,
    degradations: [],
    missingEvent: null,
    closeCode: null,
    closeReason: null,
    httpStatus: null,
    events: [
      { name: 'agent_started', seconds: 0.1 },
      { name: 'agent_completed', seconds: 0.9 },
    ],
    eventsDropped: 0,
    phases: { token: 0.01, upgrade: 0.02, welcome: 0.03, events: 0.9 },
    durationSeconds: 0.96,
    protocol: { welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth' },
    startedAt: '2025-01-02T03:04:00.000Z',
    tlsCertExpiresAt: null,
    transcript: {
      entries: [
        transcriptEntry({ dir: 'out', tMs: 0, kind: 'upgrade', type: null, size: 0, text: 'GET /ws' }),
        transcriptEntry(),
      ],
      dropped: 0,
    },
    details: {},
    ...overrides,
  });
}

/** {@link checkResult} as run `run-2`, failed with close 1011 during the events phase after one event. */
export function failedResult(overrides: Partial<CheckResult> = {}): CheckResult {
  return checkResult({
    runId: 'run-2',
    result: 'failure',
    phase: 'events',
    reason: 'close_1011',
    message: 'The server closed with 1011 (internal error).',
    closeCode: 1011,
    closeReason: 'internal error',
    events: [{ name: 'agent_started', seconds: 0.1 }],
    phases: { token: 0.01, upgrade: 0.02, welcome: 0.03, events: 0.4 },
    durationSeconds: 0.46,
    transcript: {
      entries: [
        transcriptEntry({ dir: 'out', tMs: 0, kind: 'upgrade', type: null, size: 0, text: 'GET /ws' }),
        transcriptEntry({ dir: 'in', tMs: 100.25, kind: 'text', type: 'agent_started', size: 24, text: '{"type":"agent_started"}' }),
        transcriptEntry({ dir: 'in', tMs: 400, kind: 'close', type: null, size: 16, text: '1011 internal error' }),
      ],
      dropped: 0,
    },
    ...overrides,
  });
}
