import type { CheckStatus, StatusSnapshot } from '../result/status.ts';
import { ago, until } from './format.ts';
import { historyCell } from './history.ts';
import { html, type SafeHtml } from './html.ts';
import { page, phaseLegend } from './layout.ts';
import { countStates, stateOf, type CheckState } from './status-json.ts';
import { waterfallBar } from './waterfall.ts';

/** Seconds between reloads of the status page. */
export const STATUS_REFRESH_SECONDS = 15;

const MESSAGE_MAX_CHARS = 160;

/** A mark and a word, so a state reads without colour. */
export const STATE_LABELS: Readonly<Record<CheckState, string>> = {
  failure: '✘ failure',
  degraded: '▲ degraded',
  success: '✔ success',
  pending: '○ pending',
};

const STATE_RANK: Readonly<Record<CheckState, number>> = { failure: 0, degraded: 1, success: 2, pending: 2 };

/** Failing checks first, then degraded, then the rest; the snapshot's order within each group. */
export function sortForTriage(checks: readonly CheckStatus[]): CheckStatus[] {
  return checks
    .map((status, index) => ({ status, index }))
    .sort((a, b) => STATE_RANK[stateOf(a.status)] - STATE_RANK[stateOf(b.status)] || a.index - b.index)
    .map(({ status }) => status);
}

/** `2 of 5 checks failing`, the line an on-call engineer reads first. */
export function summaryLine(checks: readonly CheckStatus[]): { readonly state: CheckState; readonly headline: string; readonly extra: string } {
  const counts = countStates(checks);
  const noun = counts.total === 1 ? 'check' : 'checks';
  const extra = [
    counts.degraded > 0 ? `${counts.degraded} degraded` : '',
    counts.pending > 0 ? `${counts.pending} pending` : '',
  ].filter((part) => part !== '');
  const state: CheckState =
    counts.failure > 0 ? 'failure' : counts.degraded > 0 ? 'degraded' : counts.success > 0 ? 'success' : 'pending';
  return { state, headline: `${counts.failure} of ${counts.total} ${noun} failing`, extra: extra.join(' · ') };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function runView(runId: string): string {
  return `/runs/${encodeURIComponent(runId)}/view`;
}

function whyCell(status: CheckStatus): SafeHtml {
  const last = status.last;
  if (last === null) return html`<span class="sub">waiting for the first run</span>`;
  const message = last.message === null ? '' : html`<div class="msg" title="${last.message}">${truncate(last.message, MESSAGE_MAX_CHARS)}</div>`;
  if (last.result === 'failure') {
    return html`<span class="nowrap"><code>${last.reason ?? 'unknown'}</code> in <code>${last.phase ?? 'unknown'}</code></span>${message}`;
  }
  if (last.result === 'degraded') {
    return html`<span class="nowrap">${last.degradations.map((d, i) => html`${i > 0 ? ', ' : ''}<code>${d}</code>`)}</span>${message}`;
  }
  return html``;
}

/** The trace in Cloud Trace's console (https://cloud.google.com/trace/docs/finding-traces). */
export function traceUrl(projectId: string, traceId: string): string {
  return `https://console.cloud.google.com/traces/list?project=${encodeURIComponent(projectId)}&tid=${encodeURIComponent(traceId)}`;
}

function traceLink(status: CheckStatus, projectId: string | null): SafeHtml | '' {
  const traceId = status.last?.traceId;
  if (projectId === null || projectId === '' || traceId === undefined) return '';
  return html`<br><a class="trace-link" href="${traceUrl(projectId, traceId)}" title="the last run's trace in Cloud Trace">trace</a>`;
}

function linksCell(status: CheckStatus, projectId: string | null): SafeHtml {
  const failure = status.lastFailureRunId === null ? '' : html`<a class="failure-link" href="${runView(status.lastFailureRunId)}">last failure</a>`;
  const last =
    status.last === null || status.last.runId === status.lastFailureRunId
      ? ''
      : html`<a class="last-link" href="${runView(status.last.runId)}">last run</a>`;
  return html`${failure}${failure !== '' && last !== '' ? html`<br>` : ''}${last}${traceLink(status, projectId)}`;
}

function row(status: CheckStatus, now: string, projectId: string | null): SafeHtml {
  const state = stateOf(status);
  const running = status.running ? html`<span class="chip" title="a run is in progress">running</span>` : '';
  const skipped = status.runsSkipped > 0 ? html`<div class="sub">${status.runsSkipped} skipped</div>` : '';
  const lastRun = status.last === null ? '' : html`<div class="sub" title="${status.last.startedAt}">ran ${ago(status.last.startedAt, now)}</div>`;
  return html`<tr class="row row-${state}" data-check="${status.check}" data-target="${status.target}" data-state="${state}">
<td class="state state-${state}">${STATE_LABELS[state]}${running}</td>
<td class="target">${status.target}<div class="sub url nowrap">${status.url}</div></td>
<td class="check"><span class="name">${status.check}</span><div class="sub nowrap">${status.type === status.check ? '' : `${status.type} · `}${status.schedule}</div></td>
<td class="history" data-label="history">${historyCell(status, now)}</td>
<td class="since nowrap" data-label="last success" title="${status.lastSuccessAt ?? 'no success yet'}">${ago(status.lastSuccessAt, now)}${lastRun}</td>
<td class="why">${whyCell(status)}</td>
<td class="phases">${status.last === null ? html`<span class="sub">—</span>` : waterfallBar(status.last)}</td>
<td class="next nowrap" data-label="next run" title="${status.nextRunAt ?? ''}">${until(status.nextRunAt, now)}${skipped}</td>
<td class="links nowrap">${linksCell(status, projectId)}</td>
</tr>`;
}

/** `2026-12-02 04:00:12 UTC (2h ago)`. */
function upSince(snapshot: StatusSnapshot): string {
  const when = snapshot.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
  return `${when} UTC (${ago(snapshot.startedAt, snapshot.now)})`;
}

function clockTime(iso: string): string {
  const match = /T(\d\d:\d\d:\d\d)/.exec(iso);
  return match?.[1] === undefined ? iso : `${match[1]} UTC`;
}

/** The status page: the whole service on one screen, worst first, reloading itself. */
export function renderStatusPage(snapshot: StatusSnapshot): string {
  const summary = summaryLine(snapshot.checks);
  const rows = sortForTriage(snapshot.checks).map((status) => row(status, snapshot.now, snapshot.projectId ?? null));
  const table =
    rows.length === 0
      ? html`<p class="empty">No checks are configured.</p>`
      : html`${phaseLegend(summary.state === 'failure')}<div class="scroll"><table class="checks">
<thead><tr><th>State</th><th>Target</th><th>Check</th><th>History</th><th>Last success</th><th>Last reason</th><th>Phases</th><th>Next run</th><th>Transcript</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
  const body = html`<h1>canary</h1>
<div class="meta">version ${snapshot.version}${snapshot.region === null ? '' : html` · region <span class="region">${snapshot.region}</span>`} · as of ${clockTime(snapshot.now)} · reloads every ${STATUS_REFRESH_SECONDS}s · <a href="/status.json">status.json</a> · <a href="/metrics">metrics</a></div>
<div class="meta up" id="up">up since ${upSince(snapshot)}: history and ratios count only the runs since then</div>
<div class="banner ${summary.state}" id="summary">${summary.headline}${summary.extra === '' ? '' : html` <span class="extra">· ${summary.extra}</span>`}</div>
${table}`;
  const mark = summary.state === 'failure' ? '✘ ' : summary.state === 'degraded' ? '▲ ' : '';
  return page({ title: `${mark}${summary.headline} — canary`, body, refreshSeconds: STATUS_REFRESH_SECONDS });
}
