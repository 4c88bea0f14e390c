import type { CheckResult } from '../result/types.ts';

/**
 * Characters XML 1.0 does not allow (https://www.w3.org/TR/xml/#charsets): C0 controls other than
 * tab, LF and CR, U+FFFE, U+FFFF, and surrogates that are not part of a pair. One pass, no backtracking.
 */
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text as XML character data or a quoted attribute value: escaped, and stripped of every character XML 1.0 forbids. */
export function xml(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** The backend's entries of a failed run, one line each (`backend <time> <severity> <text>`), or its note. */
function backendLines(result: CheckResult): string[] {
  const logs = result.backendLogs;
  if (logs === undefined) return [];
  if (logs.note !== null) return [`backend logs ${logs.project}: ${logs.note.code}: ${logs.note.message}`];
  return [
    `backend logs ${logs.project}: ${logs.entries.length} entries${logs.omitted > 0 ? ` (${logs.omitted} more left out)` : ''}`,
    ...logs.entries.map((e) => `backend ${e.timestamp ?? '-'} ${e.severity}${e.related ? ' (this run)' : ''} ${e.text}`),
  ];
}

function caseXml(result: CheckResult): string {
  const head = `    <testcase classname="canary.${xml(result.target)}" name="${xml(result.check)}" time="${result.durationSeconds.toFixed(3)}">`;
  const body: string[] = [];
  if (result.result === 'failure') {
    const message = `${result.reason ?? ''} in phase ${result.phase ?? ''}: ${result.message ?? ''}`;
    const detail = [
      `run ${result.runId}`,
      result.url === undefined ? null : `url ${result.url}`,
      result.traceId === undefined ? null : `trace ${result.traceId}`,
      result.closeCode === null ? null : `close ${result.closeCode} ${result.closeReason ?? ''}`.trim(),
      result.httpStatus === null ? null : `http ${result.httpStatus}`,
      `events ${result.events.map((e) => e.name).join(', ') || '(none)'}`,
      ...result.transcript.entries.map((e) => `+${e.tMs.toFixed(1)}ms ${e.dir} ${e.kind} ${e.type ?? ''} ${e.text ?? ''}`.trimEnd()),
      ...backendLines(result),
    ].filter((line): line is string => line !== null);
    body.push(`      <failure type="${xml(result.reason ?? 'failure')}" message="${xml(message)}">${xml(detail.join('\n'))}</failure>`);
  } else if (result.degradations.length > 0) {
    body.push(`      <system-out>${xml(`degraded: ${result.degradations.join(', ')}`)}</system-out>`);
  }
  return body.length === 0 ? `${head}</testcase>` : [head, ...body, '    </testcase>'].join('\n');
}

/**
 * JUnit XML for a set of runs, one testsuite per target, one testcase per check run. A suite's
 * `url` property, and each failure's detail, name the target's public URL; a failure's detail also
 * names its trace id (`trace <32 hex>`), the one its upgrade sent in `traceparent`, and ends with
 * the backend's entries of the run (`backend …` lines) or the note, when they were read.
 */
export function toJunitXml(results: readonly CheckResult[]): string {
  const byTarget = new Map<string, CheckResult[]>();
  for (const result of results) byTarget.set(result.target, [...(byTarget.get(result.target) ?? []), result]);
  const failures = results.filter((r) => r.result === 'failure').length;
  const time = results.reduce((sum, r) => sum + r.durationSeconds, 0);
  const suites = [...byTarget].map(([target, runs]) => {
    const suiteFailures = runs.filter((r) => r.result === 'failure').length;
    const suiteTime = runs.reduce((sum, r) => sum + r.durationSeconds, 0);
    const url = runs.find((r) => r.url !== undefined)?.url;
    return [
      `  <testsuite name="${xml(target)}" tests="${runs.length}" failures="${suiteFailures}" errors="0" skipped="0" time="${suiteTime.toFixed(3)}">`,
      ...(url === undefined ? [] : ['    <properties>', `      <property name="url" value="${xml(url)}"/>`, '    </properties>']),
      ...runs.map(caseXml),
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="canary" tests="${results.length}" failures="${failures}" errors="0" time="${time.toFixed(3)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
