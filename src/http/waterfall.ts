import { TIMED_PHASES, type Phase } from '../result/reasons.ts';
import type { CheckResult } from '../result/types.ts';
import { formatMs } from './format.ts';
import { html, type SafeHtml } from './html.ts';

/** One phase on the run's time axis. Percentages are of the axis: the timed phases, plus the failed one. */
export interface Span {
  readonly phase: Phase;
  readonly seconds: number;
  readonly startPercent: number;
  readonly widthPercent: number;
  /** The run failed in this phase. */
  readonly failed: boolean;
}

/** Segments narrower than this (percent of the bar) carry no name inside; their title still has it. */
const LABEL_MIN_PERCENT = 22;

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The timed phases that ran, in order, laid end to end (phases run one after another). A phase that
 * failed never ended, so it has no timing: it is added last and given the rest of the run's
 * duration (from the end of the last timed phase to the end of the run, teardown included).
 */
export function spans(result: Pick<CheckResult, 'phases' | 'phase' | 'result' | 'durationSeconds'>): Span[] {
  const parts: { phase: Phase; seconds: number; failed: boolean }[] = [];
  for (const phase of TIMED_PHASES) {
    const seconds = result.phases[phase];
    if (seconds !== undefined) parts.push({ phase, seconds: Math.max(0, seconds), failed: result.result === 'failure' && result.phase === phase });
  }
  const timedSum = parts.reduce((sum, part) => sum + part.seconds, 0);
  if (result.result === 'failure' && result.phase !== null && !parts.some((part) => part.failed)) {
    parts.push({ phase: result.phase, seconds: Math.max(0, result.durationSeconds - timedSum), failed: true });
  }
  const total = parts.reduce((sum, part) => sum + part.seconds, 0);
  let start = 0;
  return parts.map(({ phase, seconds, failed }) => {
    const span: Span = {
      phase,
      seconds,
      startPercent: total > 0 ? round((start / total) * 100) : 0,
      widthPercent: total > 0 ? round((seconds / total) * 100) : 0,
      failed,
    };
    start += seconds;
    return span;
  });
}

function title(span: Span): string {
  return span.failed ? `${span.phase} failed after ${formatMs(span.seconds)}` : `${span.phase} ${formatMs(span.seconds)}`;
}

function colourClass(span: Span): string {
  return span.failed ? 'ph-failed' : `ph-${span.phase}`;
}

/** The status page's compact waterfall: one bar, a segment per timed phase, and the run's duration. */
export function waterfallBar(result: CheckResult): SafeHtml {
  const parts = spans(result);
  if (parts.length === 0) return html`<span class="sub">no phases timed</span>`;
  const label = parts.map(title).join(', ');
  const segments = parts.map(
    (span) =>
      html`<span class="seg ${colourClass(span)}" style="width:${span.widthPercent}%" title="${title(span)}" data-phase="${span.phase}" data-ms="${round(span.seconds * 1000)}">${span.widthPercent >= LABEL_MIN_PERCENT ? `${span.failed ? '✘ ' : ''}${span.phase}` : ''}</span>`,
  );
  return html`<div class="wf-cell"><div class="wf" role="img" aria-label="${label}" title="${label}">${segments}</div><span class="wf-total">${formatMs(result.durationSeconds)}</span></div>`;
}

/** The run view's waterfall: a line per timed phase, offset where it started, with its time. */
export function waterfallChart(result: CheckResult): SafeHtml {
  const parts = spans(result);
  if (parts.length === 0) return html`<p class="empty">No phase was timed.</p>`;
  const lines = parts.map(
    (span) =>
      html`<div class="line" data-phase="${span.phase}"><span class="mono">${span.phase}${span.failed ? ' ✘' : ''}</span><div class="track"><span class="bar ${colourClass(span)}" style="left:${span.startPercent}%;width:${span.widthPercent}%" title="${title(span)}"></span></div><span class="val">${span.failed ? '✘ ' : ''}${formatMs(span.seconds)}</span></div>`,
  );
  return html`<div class="chart">${lines}</div>`;
}
