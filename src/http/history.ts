import type { CheckStatus, RunRatio } from '../result/status.ts';
import { ago } from './format.ts';
import { html, type SafeHtml } from './html.ts';

/** Styles of the history strip and streak line, added to the one stylesheet. */
export const HISTORY_CSS = `
.strip{display:flex;gap:2px;height:16px;margin:0 0 4px}
.strip a{display:block;width:6px;height:100%;border-radius:2px;background:var(--pend)}
.strip a.hb-failure{background:var(--fail)}
.strip a.hb-degraded{background:var(--deg)}
.strip a.hb-success{background:var(--ok)}
.strip a:hover{outline:2px solid var(--fg)}
.streak-failing{color:var(--fail);font-weight:600}
td.history{min-width:250px}
.streak,.ratios{white-space:nowrap}
.meta.up{margin-top:-10px}
`;

/** `87.5%`; `—` without runs. At most one decimal; 100% only when every run passed. */
export function percent(ratio: RunRatio): string {
  if (ratio.ratio === null) return '—';
  const tenths = Math.floor(ratio.ratio * 1000) / 10;
  return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)}%`;
}

function ratioText(label: string, ratio: RunRatio): string {
  return `${label} ${percent(ratio)}${ratio.runs === 0 ? '' : ` (${ratio.ok}/${ratio.runs})`}`;
}

function runView(runId: string): string {
  return `/runs/${encodeURIComponent(runId)}/view`;
}

/**
 * `failing since 04:01:02 UTC (7 runs, 6m)` or `passing since …`; another day shows the date. A
 * streak that began with the first run since start-up says so: it may be older than the process.
 */
export function streakText(status: CheckStatus, now: string): string {
  const streak = status.streak;
  if (streak === null) return 'no runs yet';
  const day = streak.since.slice(0, 10);
  const clock = /T(\d\d:\d\d:\d\d)/.exec(streak.since)?.[1] ?? streak.since;
  const when = day === now.slice(0, 10) ? `${clock} UTC` : `${day} ${clock} UTC`;
  const runs = streak.runs === 1 ? '1 run' : `${streak.runs} runs`;
  const since = ago(streak.since, now);
  const start = streak.fromStart ? '; since start-up, maybe longer' : '';
  return `${streak.failing ? 'failing' : 'passing'} since ${when} (${runs}${since === 'just now' ? '' : `, ${since.replace(' ago', '')}`}${start})`;
}

/**
 * The history cell of a check: a strip of its recent runs coloured by result, each linking to its
 * run page (newest on the right); the current streak; the success ratio over the last hour and day.
 */
export function historyCell(status: CheckStatus, now: string): SafeHtml {
  const marks = status.recent.map(
    (run) =>
      html`<a class="hb hb-${run.result}" href="${runView(run.runId)}" title="${run.result}${run.reason === null ? '' : ` ${run.reason}`} · ${run.startedAt}" aria-label="${run.result} run at ${run.startedAt}"></a>`,
  );
  const strip = marks.length === 0 ? '' : html`<div class="strip">${marks}</div>`;
  const streakClass = status.streak?.failing === true ? 'streak streak-failing' : 'streak';
  return html`${strip}<div class="${streakClass}">${streakText(status, now)}</div><div class="sub ratios">${ratioText('1h', status.ratios.hour)} · ${ratioText('1d', status.ratios.day)}</div>`;
}
