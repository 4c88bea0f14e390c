import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodedMessageBytes, MAX_CLIENT_FRAME_BYTES, userMessageFrame, worstCaseUserMessageBytes } from '../../src/protocol/frame-size.ts';

describe('encodedMessageBytes', { concurrency: true }, () => {
  const frame = (text: string): Record<string, unknown> => userMessageFrame({ type: 'user_message', field: 'content', text, threadId: 't', runId: null });

  it('counts the UTF-8 bytes of the JSON the canary sends', () => {
    assert.equal(JSON.stringify(frame('hi')), '{"type":"user_message","payload":{"content":"hi","thread_id":"t","run_id":null}}');
    assert.equal(encodedMessageBytes(frame('hi')), 80);
    // é is two bytes in UTF-8 and stays unescaped.
    assert.equal(encodedMessageBytes(frame('é')) - encodedMessageBytes(frame('e')), 1);
  });

  it('counts what escaping adds: quotes, backslashes and newlines double, control characters take six bytes', () => {
    const base = encodedMessageBytes(frame(''));
    assert.equal(encodedMessageBytes(frame('"')) - base, 2);
    assert.equal(encodedMessageBytes(frame('\\')) - base, 2);
    assert.equal(encodedMessageBytes(frame('\n')) - base, 2);
    assert.equal(encodedMessageBytes(frame('\u0001')) - base, 6);
  });

  it('finds a 4096-character message of quotes over the 8192-byte frame limit', () => {
    const text = '"'.repeat(4096);
    assert.ok(encodedMessageBytes(frame(text)) > MAX_CLIENT_FRAME_BYTES);
    assert.equal(encodedMessageBytes(frame(text)), 8192 + 78);
  });

  it('leaves room for server-chosen ids and a timestamp in the worst case', () => {
    // 80 bytes with thread "t" and run null, +127 and +126 for two 128-character ids, +39 for the timestamp,
    // +46 for the trace id (issue 12).
    assert.equal(worstCaseUserMessageBytes('user_message', 'content', 'hi'), 418);
    assert.equal(MAX_CLIENT_FRAME_BYTES, 8192);
  });
});
