import { CLOSE_CODES } from '../protocol/close-codes.ts';
import { DEGRADATIONS, REASONS } from '../result/reasons.ts';
import type { BackendLogs } from '../result/backend-logs.ts';
import type { CheckResult, TranscriptEntry } from '../result/types.ts';
import { formatMs } from './format.ts';
import { html, joinHtml, type HtmlValue, type SafeHtml } from './html.ts';
import { page, phaseLegend } from './layout.ts';
import { STATE_LABELS } from './status-page.ts';
import { waterfallChart } from './waterfall.ts';

const ARROWS: Readonly<Record<TranscriptEntry['dir'], string>> = { in: '← in', out: '→ out', local: '· local' };

/** Reason and degradation texts mark names with backticks; show those as code. */
function withCode(text: string): SafeHtml {
  return joinHtml(text.split('`').map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part)));
}

function fact(name: string, value: HtmlValue): SafeHtml {
  return html`<tr><th scope="row">${name}</th><td>${value}</td></tr>`;
}

function facts(result: CheckResult): SafeHtml {
  const rows: SafeHtml[] = [];
  if (result.url !== undefined) rows.push(fact('URL', html`<code class="url">${result.url}</code>`));
  if (result.reason !== null) rows.push(fact('Reason', html`<code>${result.reason}</code> <span class="sub">${withCode(REASONS[result.reason])}</span>`));
  if (result.phase !== null) rows.push(fact('Phase', html`<code>${result.phase}</code>`));
  if (result.degradations.length > 0) {
    rows.push(fact('Degraded', result.degradations.map((d) => html`<div><code>${d}</code> <span class="sub">${withCode(DEGRADATIONS[d])}</span></div>`)));
  }
  if (result.message !== null) rows.push(fact('Message', result.message));
  if (result.missingEvent !== null) rows.push(fact('Missing event', html`<code>${result.missingEvent}</code>`));
  const closeName = result.closeCode === null ? undefined : CLOSE_CODES[result.closeCode];
  rows.push(
    fact(
      'Close code',
      result.closeCode === null
        ? html`<span class="sub">—</span>`
        : html`<code>${result.closeCode}</code>${closeName === undefined ? '' : html` <span class="sub">${closeName}</span>`}${result.closeReason === null || result.closeReason === '' ? '' : html` reason “${result.closeReason}”`}`,
    ),
  );
  rows.push(fact('HTTP status', result.httpStatus === null ? html`<span class="sub">—</span>` : html`<code>${result.httpStatus}</code>`));
  rows.push(fact('Started', result.startedAt));
  rows.push(fact('Duration', formatMs(result.durationSeconds)));
  const { welcome, envelope, subprotocol } = result.protocol;
  rows.push(fact('Protocol', html`welcome <code>${welcome}</code> · envelope <code>${envelope}</code> · subprotocol <code>${subprotocol}</code>`));
  if (result.tlsCertExpiresAt !== null) rows.push(fact('TLS cert expires', result.tlsCertExpiresAt));
  for (const [key, value] of Object.entries(result.details)) rows.push(fact(key, String(value)));
  rows.push(fact('Run id', html`<code>${result.runId}</code>`));
  if (result.traceId !== undefined) rows.push(fact('Trace id', html`<code class="trace-id">${result.traceId}</code>`));
  return html`<table class="facts">${rows}</table>`;
}

function eventsTable(result: CheckResult): SafeHtml {
  if (result.events.length === 0) return html`<p class="empty">No agent event arrived.</p>`;
  const rows = result.events.map(
    (event, index) => html`<tr><td class="num">${index + 1}</td><td><code>${event.name}</code></td><td class="num">+${formatMs(event.seconds)}</td></tr>`,
  );
  return html`<div class="scroll"><table class="events" style="width:auto;min-width:420px"><thead><tr><th class="num">#</th><th>Event</th><th class="num">After send</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function transcriptTable(result: CheckResult): SafeHtml {
  const { entries, dropped } = result.transcript;
  if (entries.length === 0) return html`<p class="empty">The transcript is empty.</p>`;
  const note = dropped > 0 ? html`<p class="sub">${dropped} entries from the middle were left out to keep the transcript bounded.</p>` : '';
  const rows = entries.map(
    (entry) => html`<tr class="dir-row-${entry.dir}">
<td class="num">+${entry.tMs.toFixed(1)}</td><td class="dir-${entry.dir} nowrap">${ARROWS[entry.dir]}</td><td>${entry.kind}</td><td>${entry.type === null ? '' : html`<code>${entry.type}</code>`}</td><td class="num">${entry.size}</td><td class="text">${entry.text ?? ''}</td>
</tr>`,
  );
  return html`${note}<div class="scroll"><table class="transcript"><thead><tr><th class="num">+ms</th><th>Direction</th><th>Kind</th><th>Type</th><th class="num">Bytes</th><th>Text</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function backendLogsSection(logs: BackendLogs): SafeHtml {
  const head = html`<h2>Backend logs</h2><p class="sub">Project <code>${logs.project}</code>, severity WARNING or higher, ${logs.from} to ${logs.to}; entries of the run's trace or thread first (marked ★).</p>`;
  if (logs.note !== null) return html`${head}<p class="backend-note"><code>${logs.note.code}</code> ${logs.note.message}</p>`;
  if (logs.entries.length === 0) return html`${head}<p class="empty">The backend logged nothing at WARNING or above in the window.</p>`;
  const omitted = logs.omitted > 0 ? html`<p class="sub">${logs.omitted} more entries were left out to keep the run bounded.</p>` : '';
  const rows = logs.entries.map(
    (entry) => html`<tr class="backend-entry${entry.related ? ' related' : ''}"><td class="nowrap">${entry.related ? '★ ' : ''}${entry.timestamp ?? '—'}</td><td><code>${entry.severity}</code></td><td>${entry.log === null ? '' : html`<code>${entry.log}</code>`}</td><td class="text">${entry.text}${entry.omittedChars > 0 ? html` <span class="sub">(${entry.omittedChars} more chars)</span>` : ''}</td></tr>`,
  );
  return html`${head}${omitted}<div class="scroll"><table class="backend-logs"><thead><tr><th>Time</th><th>Severity</th><th>Log</th><th>Text</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function lead(result: CheckResult): SafeHtml {
  if (result.result === 'failure') {
    const message = result.message === null ? '' : html` — ${result.message}`;
    return html`<p class="lead"><code>${result.reason ?? 'unknown'}</code> in <code>${result.phase ?? 'unknown'}</code>${message}</p>`;
  }
  if (result.result === 'degraded') {
    return html`<p class="lead">Completed in ${formatMs(result.durationSeconds)}, degraded: ${result.degradations.map((d, i) => html`${i > 0 ? ', ' : ''}<code>${d}</code>`)}</p>`;
  }
  return html`<p class="lead">Completed in ${formatMs(result.durationSeconds)}.</p>`;
}

/** One run as a page: outcome, reason, close code, waterfall, events and the whole transcript. */
export function renderRunPage(result: CheckResult): string {
  const body = html`<div class="meta"><a href="/">← status page</a> · <a href="/runs/${encodeURIComponent(result.runId)}">JSON</a></div>
<h1><span class="state state-${result.result}">${STATE_LABELS[result.result]}</span> ${result.target} / ${result.check}</h1>
${lead(result)}
<div class="cols">
<div><h2>Run</h2>${facts(result)}</div>
<div>
<h2>Phases</h2>
${phaseLegend(result.result === 'failure')}
${waterfallChart(result)}
<h2>Events</h2>
${eventsTable(result)}
</div>
</div>
${result.backendLogs === undefined ? '' : backendLogsSection(result.backendLogs)}
<h2>Transcript</h2>
${transcriptTable(result)}`;
  return page({ title: `${result.result} ${result.target}/${result.check} run ${result.runId} — canary`, body });
}
