import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, TranscriptRecorder } from '../../src/result/transcript.ts';

test('a secret learnt after a frame was recorded is redacted from it when the transcript is finished', () => {
  const transcript = new TranscriptRecorder({ maxEntries: 8, maxTextChars: 64 });
  transcript.record('in', 1.23456, 'text', { type: 'handshake_response', text: '{"session_token":"late-session-token-9f3a"}' });
  transcript.addSecret('late-session-token-9f3a');
  assert.deepEqual(transcript.finish(), {
    entries: [{ dir: 'in', tMs: 1.235, kind: 'text', type: 'handshake_response', size: 43, text: `{"session_token":"${REDACTED}"}` }],
    dropped: 0,
  });
});

test('a frame longer than the cut window is cut to the bound, redacted, with the characters left out counted', () => {
  const transcript = new TranscriptRecorder({ maxEntries: 8, maxTextChars: 16 });
  transcript.addSecret('early-secret-77');
  const text = `early-secret-77 ${'x'.repeat(200)}`;
  transcript.record('in', 2, 'text', { type: 'big', text });
  assert.deepEqual(transcript.finish().entries.map((e) => e.text), [`${REDACTED} … (200 more chars)`]);
});
