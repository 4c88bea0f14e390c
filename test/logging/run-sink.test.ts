import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import type { Transcript } from '../../src/result/types.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { LogResource } from '../../src/logging/resource.ts';
import { boundTranscript, MAX_TRANSCRIPT_LOG_BYTES } from '../../src/logging/run-entry.ts';
import { createRunLogSink } from '../../src/logging/run-sink.ts';
import { checkResult, failedResult, FIXED_CLOCK, FIXED_TIME, MemoryDestination, transcriptEntry } from './test-helpers.ts';

function sinkWithOutput(): { out: MemoryDestination; sink: ReturnType<typeof createRunLogSink> } {
  const out = new MemoryDestination();
  return { out, sink: createRunLogSink(createLogger({ destination: out, clock: FIXED_CLOCK })) };
}

suite('createRunLogSink', () => {
  test('a failed run is one ERROR entry with its labels, fields and transcript', () => {
    const { out, sink } = sinkWithOutput();
    const result = failedResult();
    sink.record(result);
    assert.equal(out.lines().length, 1);
    assert.deepEqual(out.entries()[0], {
      severity: 'ERROR',
      time: FIXED_TIME,
      'logging.googleapis.com/labels': { target: 'local', check: 'golden_path', run_id: 'run-2' },
      type: 'golden_path',
      result: 'failure',
      phase: 'events',
      reason: 'close_1011',
      detail: 'The server closed with 1011 (internal error).',
      missingEvent: null,
      closeCode: 1011,
      closeReason: 'internal error',
      httpStatus: null,
      durationSeconds: 0.46,
      phases: { token: 0.01, upgrade: 0.02, welcome: 0.03, events: 0.4 },
      events: [{ name: 'agent_started', seconds: 0.1 }],
      protocol: { welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth' },
      degradations: [],
      startedAt: '2025-01-02T03:04:00.000Z',
      tlsCertExpiresAt: null,
      transcript: {
        entries: [
          { dir: 'out', tMs: 0, kind: 'upgrade', type: null, size: 0, text: 'GET /ws' },
          { dir: 'in', tMs: 100.25, kind: 'text', type: 'agent_started', size: 24, text: '{"type":"agent_started"}' },
          { dir: 'in', tMs: 400, kind: 'close', type: null, size: 16, text: '1011 internal error' },
        ],
        dropped: 0,
      },
      message: 'run failed: close_1011 in events',
    });
  });

  test('a successful run is INFO and carries no transcript', () => {
    const { out, sink } = sinkWithOutput();
    sink.record(checkResult());
    const entry = out.entries()[0];
    assert.equal(entry?.['severity'], 'INFO');
    assert.equal(entry?.['message'], 'run success');
    assert.equal(entry?.['result'], 'success');
    assert.equal('transcript' in (entry ?? {}), false);
    assert.deepEqual(entry?.['logging.googleapis.com/labels'], { target: 'local', check: 'golden_path', run_id: 'run-1' });
  });

  test('a degraded run is WARNING, names its degradations, and carries no transcript', () => {
    const { out, sink } = sinkWithOutput();
    sink.record(checkResult({ result: 'degraded', degradations: ['slow', 'unknown_frame'] }));
    const entry = out.entries()[0];
    assert.deepEqual(
      [entry?.['severity'], entry?.['message'], entry?.['degradations'], 'transcript' in (entry ?? {})],
      ['WARNING', 'run degraded: slow, unknown_frame', ['slow', 'unknown_frame'], false],
    );
  });

  test('a missing event is named in its field and in the message', () => {
    const { out, sink } = sinkWithOutput();
    sink.record(failedResult({ reason: 'event_missing', missingEvent: 'agent_completed', closeCode: null, closeReason: null }));
    const entry = out.entries()[0];
    assert.deepEqual(
      [entry?.['severity'], entry?.['message'], entry?.['missingEvent']],
      ['ERROR', 'run failed: event_missing in events (agent_completed)', 'agent_completed'],
    );
  });

  test('a refused upgrade carries its HTTP status', () => {
    const { out, sink } = sinkWithOutput();
    sink.record(failedResult({ phase: 'upgrade', reason: 'upgrade_rejected', httpStatus: 503, closeCode: null, closeReason: null }));
    const entry = out.entries()[0];
    assert.deepEqual([entry?.['message'], entry?.['httpStatus']], ['run failed: upgrade_rejected in upgrade', 503]);
  });

  test('a run cancelled by shutdown is WARNING, not ERROR, and keeps its transcript', () => {
    const { out, sink } = sinkWithOutput();
    sink.record(failedResult({ reason: 'cancelled', closeCode: null, closeReason: null }));
    const entry = out.entries()[0];
    assert.deepEqual([entry?.['severity'], entry?.['message']], ['WARNING', 'run failed: cancelled in events']);
    assert.ok('transcript' in (entry ?? {}));
  });

  test('check-specific details are logged when there are any', () => {
    const { out, sink } = sinkWithOutput();
    sink.record(checkResult({ type: 'concurrency', details: { sessions: 5, crossTalk: 0 } }));
    assert.deepEqual(out.entries()[0]?.['details'], { sessions: 5, crossTalk: 0 });
  });

  test('a failed run with a huge transcript still fits one entry', () => {
    const { out, sink } = sinkWithOutput();
    const entries = Array.from({ length: 400 }, (_, i) => transcriptEntry({ tMs: i, text: `frame ${i} ${'y'.repeat(2000)}` }));
    sink.record(failedResult({ transcript: { entries, dropped: 7 } }));
    const line = out.lines()[0] ?? '';
    assert.ok(Buffer.byteLength(line) < MAX_TRANSCRIPT_LOG_BYTES + 4096, `${Buffer.byteLength(line)} bytes`);
    const transcript = out.entries()[0]?.['transcript'] as Transcript;
    assert.equal(transcript.entries.length + transcript.dropped, 407);
    assert.equal(transcript.entries[0]?.tMs, 0);
    assert.equal(transcript.entries.at(-1)?.tMs, 399);
  });

  test("a run's trace id is logged, and with the project known it is the entry's trace", () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const resource: LogResource = {
      type: 'cloud_run_revision',
      labels: { service_name: 'canary', revision_name: 'canary-00042-abc', configuration_name: 'canary' },
      projectId: 'my-project',
      serviceContext: { service: 'canary', version: 'canary-00042-abc' },
      metadata: 'answered',
    };
    const withProject = new MemoryDestination();
    createRunLogSink(createLogger({ destination: withProject, clock: FIXED_CLOCK, resource })).record(failedResult({ traceId }));
    const entry = withProject.entries()[0] ?? {};
    assert.deepEqual(
      [entry['logging.googleapis.com/trace'], entry['logging.googleapis.com/trace_sampled'], entry['traceId'], 'logging.googleapis.com/spanId' in entry],
      [`projects/my-project/traces/${traceId}`, true, traceId, false],
    );

    const { out, sink } = sinkWithOutput();
    sink.record(checkResult({ traceId }));
    const plain = out.entries()[0] ?? {};
    assert.deepEqual(
      [plain['traceId'], 'logging.googleapis.com/trace' in plain, 'logging.googleapis.com/trace_sampled' in plain],
      [traceId, false, false],
    );
  });
});

suite('boundTranscript', () => {
  const small: Transcript = { entries: [transcriptEntry({ tMs: 1 }), transcriptEntry({ tMs: 2 })], dropped: 3 };

  test('a transcript within the budget is kept whole', () => {
    assert.deepEqual(boundTranscript(small, MAX_TRANSCRIPT_LOG_BYTES), small);
  });

  test('texts longer than 512 characters are cut, saying how much', () => {
    const bounded = boundTranscript({ entries: [transcriptEntry({ text: 'z'.repeat(600) })], dropped: 0 }, MAX_TRANSCRIPT_LOG_BYTES);
    assert.equal(bounded.entries[0]?.text, `${'z'.repeat(512)}… (88 more chars)`);
  });

  test('over the budget, the first quarter and the last entries survive; the middle is counted', () => {
    const entries = Array.from({ length: 10 }, (_, i) => transcriptEntry({ tMs: i, text: 'x'.repeat(50) }));
    const size = Buffer.byteLength(JSON.stringify(entries[0])) + 1;
    const bounded = boundTranscript({ entries, dropped: 1 }, size * 4);
    assert.deepEqual(
      bounded.entries.map((e) => e.tMs),
      [0, 7, 8, 9],
    );
    assert.equal(bounded.dropped, 7);
  });
});
