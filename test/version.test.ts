import { test } from 'node:test';
import assert from 'node:assert/strict';
import { revision } from '../src/version.ts';

test('the revision is the image build arg, else Cloud Run revision, else unknown', () => {
  assert.equal(revision({ CANARY_REVISION: '4f1c2d9', K_REVISION: 'canary-00042-abc' }), '4f1c2d9');
  assert.equal(revision({ CANARY_REVISION: '', K_REVISION: 'canary-00042-abc' }), 'canary-00042-abc');
  assert.equal(revision({}), 'unknown');
});
