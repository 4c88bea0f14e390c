import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { traceFromHeaders, traceFromHeaderValue, type HeaderMap, type TraceFields } from '../../src/logging/trace.ts';

const TRACE = '105445aa7843bc8bf206b12000100000';
const W3C_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function fields(traceId: string, spanId: string | null, sampled: boolean): TraceFields {
  const trace = `projects/my-project/traces/${traceId}`;
  return spanId === null
    ? { 'logging.googleapis.com/trace': trace, 'logging.googleapis.com/trace_sampled': sampled }
    : { 'logging.googleapis.com/trace': trace, 'logging.googleapis.com/spanId': spanId, 'logging.googleapis.com/trace_sampled': sampled };
}

suite('traceFromHeaders: headers → trace fields', () => {
  const table: readonly (readonly [string, HeaderMap, TraceFields | null])[] = [
    ['X-Cloud-Trace-Context sampled', { 'x-cloud-trace-context': `${TRACE}/1;o=1` }, fields(TRACE, '0000000000000001', true)],
    ['X-Cloud-Trace-Context not sampled', { 'x-cloud-trace-context': `${TRACE}/123;o=0` }, fields(TRACE, '000000000000007b', false)],
    ['X-Cloud-Trace-Context without options', { 'x-cloud-trace-context': `${TRACE}/18446744073709551615` }, fields(TRACE, 'ffffffffffffffff', false)],
    ['X-Cloud-Trace-Context without span', { 'x-cloud-trace-context': TRACE }, fields(TRACE, null, false)],
    ['X-Cloud-Trace-Context span beyond 64 bits', { 'x-cloud-trace-context': `${TRACE}/18446744073709551616;o=1` }, fields(TRACE, null, true)],
    ['X-Cloud-Trace-Context upper-case', { 'X-Cloud-Trace-Context': `${TRACE.toUpperCase()}/2;o=1` }, fields(TRACE, '0000000000000002', true)],
    ['X-Cloud-Trace-Context as an array', { 'x-cloud-trace-context': [`${TRACE}/3;o=1`, 'junk'] }, fields(TRACE, '0000000000000003', true)],
    ['X-Cloud-Trace-Context short trace id', { 'x-cloud-trace-context': '105445aa/1;o=1' }, null],
    ['X-Cloud-Trace-Context zero trace id', { 'x-cloud-trace-context': `${'0'.repeat(32)}/1;o=1` }, null],
    ['X-Cloud-Trace-Context junk', { 'x-cloud-trace-context': 'hello' }, null],
    ['traceparent sampled', { traceparent: `00-${W3C_TRACE}-00f067aa0ba902b7-01` }, fields(W3C_TRACE, '00f067aa0ba902b7', true)],
    ['traceparent not sampled', { traceparent: `00-${W3C_TRACE}-00f067aa0ba902b7-00` }, fields(W3C_TRACE, '00f067aa0ba902b7', false)],
    ['traceparent future version with more fields', { traceparent: `01-${W3C_TRACE}-00f067aa0ba902b7-03-x` }, fields(W3C_TRACE, '00f067aa0ba902b7', true)],
    ['traceparent version 00 with more fields', { traceparent: `00-${W3C_TRACE}-00f067aa0ba902b7-01-x` }, null],
    ['traceparent version ff', { traceparent: `ff-${W3C_TRACE}-00f067aa0ba902b7-01` }, null],
    ['traceparent zero parent id', { traceparent: `00-${W3C_TRACE}-0000000000000000-01` }, null],
    ['traceparent upper-case', { traceparent: `00-${W3C_TRACE.toUpperCase()}-00f067aa0ba902b7-01` }, null],
    [
      'traceparent wins over X-Cloud-Trace-Context',
      { traceparent: `00-${W3C_TRACE}-00f067aa0ba902b7-01`, 'x-cloud-trace-context': `${TRACE}/1;o=1` },
      fields(W3C_TRACE, '00f067aa0ba902b7', true),
    ],
    [
      'an invalid traceparent falls back to X-Cloud-Trace-Context',
      { traceparent: 'garbage', 'x-cloud-trace-context': `${TRACE}/1;o=1` },
      fields(TRACE, '0000000000000001', true),
    ],
    ['no trace headers', { host: 'example.com' }, null],
    ['empty header', { 'x-cloud-trace-context': '' }, null],
  ];
  for (const [name, headers, expected] of table) {
    test(name, () => assert.deepEqual(traceFromHeaders(headers, 'my-project'), expected));
  }

  test('no trace fields without a project id', () => {
    assert.equal(traceFromHeaders({ 'x-cloud-trace-context': `${TRACE}/1;o=1` }, null), null);
    assert.equal(traceFromHeaders({ 'x-cloud-trace-context': `${TRACE}/1;o=1` }, ''), null);
  });
});

suite('traceFromHeaderValue: one header value of either kind', () => {
  const table: readonly (readonly [string | null, TraceFields | null])[] = [
    [`${TRACE}/1;o=1`, fields(TRACE, '0000000000000001', true)],
    [`00-${W3C_TRACE}-00f067aa0ba902b7-01`, fields(W3C_TRACE, '00f067aa0ba902b7', true)],
    ['nonsense', null],
    [null, null],
  ];
  for (const [value, expected] of table) {
    test(JSON.stringify(value), () => assert.deepEqual(traceFromHeaderValue(value, 'my-project'), expected));
  }
});
