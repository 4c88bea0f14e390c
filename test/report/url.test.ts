import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkResult } from '../support/results.ts';
import { publicUrl } from '../../src/result/url.ts';
import { toJsonRecord } from '../../src/report/json.ts';
import { toJunitXml } from '../../src/report/junit.ts';
import { formatText } from '../../src/report/text.ts';

test('a public URL keeps scheme, host, port and path, and drops credentials, query and fragment', () => {
  const table: [string, string][] = [
    ['ws://127.0.0.1:8765', 'ws://127.0.0.1:8765/'],
    ['wss://agent.example.com/ws', 'wss://agent.example.com/ws'],
    ['wss://user:s3cret@agent.example.com:8443/v1/ws?token=abc&x=1#frag', 'wss://agent.example.com:8443/v1/ws'],
    ['wss://agent.example.com:443/ws', 'wss://agent.example.com/ws'],
    ['ws://[::1]:9000/a b', 'ws://[::1]:9000/a%20b'],
    ['not a url ?token=abc', '(invalid URL)'],
  ];
  for (const [raw, shown] of table) assert.equal(publicUrl(raw), shown, raw);
});

test('--json, JUnit and the text report name the target URL', () => {
  const url = 'wss://agent.example.com:8443/v1/ws';
  const failure = checkResult({ url, result: 'failure', reason: 'close_1011', phase: 'events', message: 'closed', closeCode: 1011 });
  const record = toJsonRecord(failure, false);
  assert.deepEqual(Object.keys(record).slice(0, 4), ['check', 'target', 'url', 'type']);
  assert.equal(record['url'], url);
  assert.equal(toJsonRecord(checkResult(), false)['url'], null, 'a result built by hand has no URL: null, never absent');

  const xml = toJunitXml([failure, checkResult({ url, runId: 'run-2' })]);
  assert.match(xml, /<testsuite name="local"[^>]*>\n {4}<properties>\n {6}<property name="url" value="wss:\/\/agent\.example\.com:8443\/v1\/ws"\/>\n {4}<\/properties>\n {4}<testcase /);
  assert.match(xml, /<failure [^>]*>run run-1\nurl wss:\/\/agent\.example\.com:8443\/v1\/ws\nclose 1011/);

  assert.equal(formatText(failure, { color: false }).split('\n')[1], `  url      ${url}`);
});

test("a failure's JUnit detail names its trace id; a result without one has no trace line", () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const url = 'wss://agent.example.com/ws';
  const failure = checkResult({ url, traceId, result: 'failure', reason: 'close_1011', phase: 'events', message: 'closed', closeCode: 1011 });
  assert.match(toJunitXml([failure]), /<failure [^>]*>run run-1\nurl wss:\/\/agent\.example\.com\/ws\ntrace 4bf92f3577b34da6a3ce929d0e0e4736\nclose 1011/);
  const { traceId: _dropped, ...untraced } = failure;
  assert.doesNotMatch(toJunitXml([untraced]), /\ntrace /);
  assert.equal(toJsonRecord(failure, false)['traceId'], traceId);
  assert.equal(toJsonRecord(checkResult(), false)['traceId'], null, 'no trace id: null, never absent');
});
