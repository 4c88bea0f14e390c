import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ago, formatMs, until } from '../../src/http/format.ts';
import { escapeHtml, html, joinHtml } from '../../src/http/html.ts';
import { spans } from '../../src/http/waterfall.ts';

const NOW = '2026-01-01T12:00:00.000Z';

describe('page formatting', () => {
  it('says how long ago, in one unit', () => {
    const table: readonly [string | null, string][] = [
      [null, 'never'],
      ['2026-01-01T12:00:00.000Z', 'just now'],
      ['2026-01-01T12:00:05.000Z', 'just now'],
      ['2026-01-01T11:59:48.000Z', '12s ago'],
      ['2026-01-01T11:59:00.000Z', '1m ago'],
      ['2026-01-01T11:57:00.000Z', '3m ago'],
      ['2026-01-01T09:30:00.000Z', '2h ago'],
      ['2025-12-29T12:00:00.000Z', '3d ago'],
      ['not a time', 'unknown'],
    ];
    for (const [iso, text] of table) assert.equal(ago(iso, NOW), text, String(iso));
  });

  it('says how long until the next run', () => {
    const table: readonly [string | null, string][] = [
      [null, '—'],
      ['2026-01-01T11:59:00.000Z', 'due'],
      ['2026-01-01T12:00:45.200Z', 'in 45s'],
      ['2026-01-01T12:05:00.000Z', 'in 5m'],
    ];
    for (const [iso, text] of table) assert.equal(until(iso, NOW), text, String(iso));
  });

  it('shows durations in ms below 1 s and in s above', () => {
    const table: readonly [number, string][] = [
      [0.00042, '0.42 ms'],
      [0.0123, '12.3 ms'],
      [0.84, '840 ms'],
      [2.414, '2.41 s'],
      [31.2, '31.2 s'],
    ];
    for (const [seconds, text] of table) assert.equal(formatMs(seconds), text, String(seconds));
  });

  it('escapes every interpolation but keeps fragments built with html', () => {
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const name = '<script>alert(1)</script>';
    assert.equal(html`<td title="${name}">${name}</td>`.value, '<td title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    assert.equal(html`<ul>${['<a>', html`<li>ok</li>`, null, false, 3]}</ul>`.value, '<ul>&lt;a&gt;<li>ok</li>3</ul>');
    assert.equal(joinHtml(['a<', html`<br>`], ' ').value, 'a&lt; <br>');
  });

  it('lays the timed phases end to end and gives a failed phase the rest of the run', () => {
    const failed = spans({ phases: { token: 0.01, tcp: 0.01, upgrade: 0.02 }, phase: 'welcome', result: 'failure', durationSeconds: 0.1 });
    assert.deepEqual(
      failed.map((s) => [s.phase, s.startPercent, s.widthPercent, s.failed]),
      [['token', 0, 10, false], ['tcp', 10, 10, false], ['upgrade', 20, 20, false], ['welcome', 40, 60, true]],
    );
    const ok = spans({ phases: { token: 0.01, events: 0.03 }, phase: null, result: 'success', durationSeconds: 0.05 });
    assert.deepEqual(ok.map((s) => [s.phase, s.startPercent, s.widthPercent, s.failed]), [['token', 0, 25, false], ['events', 25, 75, false]]);
  });
});
