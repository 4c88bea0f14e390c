import { TIMED_PHASES } from '../result/reasons.ts';
import { HISTORY_CSS } from './history.ts';
import { html, SafeHtml } from './html.ts';

/** Bar colour of each timed phase. Hues stay clear of the state colours (red, amber, green). */
const PHASE_COLOURS: Readonly<Record<(typeof TIMED_PHASES)[number], { readonly bar: string; readonly text: string }>> = {
  token: { bar: '#8b5cf6', text: '#fff' },
  dns: { bar: '#06b6d4', text: '#fff' },
  tcp: { bar: '#2563eb', text: '#fff' },
  tls: { bar: '#d946ef', text: '#fff' },
  upgrade: { bar: '#64748b', text: '#fff' },
  welcome: { bar: '#0d9488', text: '#fff' },
  handshake: { bar: '#4f46e5', text: '#fff' },
  events: { bar: '#cbd5e1', text: '#0f172a' },
};

const PHASE_CSS = TIMED_PHASES.map((phase) => `.ph-${phase}{background:${PHASE_COLOURS[phase].bar};color:${PHASE_COLOURS[phase].text}}`).join('');

/** The one stylesheet of every page, inline: the service has no static files and no network. */
const CSS = `
:root{--bg:#f8fafc;--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--card:#fff;--code:#f1f5f9;
--fail:#b91c1c;--fail-bg:#fef2f2;--deg:#b45309;--deg-bg:#fffbeb;--ok:#15803d;--ok-bg:#f0fdf4;--pend:#475569;--pend-bg:#f1f5f9;--link:#1d4ed8}
@media (prefers-color-scheme:dark){:root{--bg:#0b1120;--fg:#e2e8f0;--muted:#94a3b8;--line:#1e293b;--card:#111827;--code:#1e293b;
--fail:#f87171;--fail-bg:#2a1215;--deg:#fbbf24;--deg-bg:#2a2110;--ok:#4ade80;--ok-bg:#0f2417;--pend:#94a3b8;--pend-bg:#1e293b;--link:#93c5fd}}
*{box-sizing:border-box}
body{margin:0;padding:20px 24px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
a{color:var(--link)}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:24px 0 8px}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
code{background:var(--code);padding:1px 5px;border-radius:4px}
.meta{color:var(--muted);font-size:12.5px;margin:2px 0 14px}
.meta a{color:var(--muted)}
.banner{font-size:18px;font-weight:650;padding:10px 14px;border-radius:8px;margin:10px 0 14px;border-left:6px solid}
.banner.failure{background:var(--fail-bg);color:var(--fail);border-color:var(--fail)}
.banner.degraded{background:var(--deg-bg);color:var(--deg);border-color:var(--deg)}
.banner.success{background:var(--ok-bg);color:var(--ok);border-color:var(--ok)}
.banner.pending{background:var(--pend-bg);color:var(--pend);border-color:var(--pend)}
.banner .extra{font-weight:400;font-size:14px;color:var(--fg)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:8px}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:11.5px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);white-space:nowrap}
tr:last-child td{border-bottom:0}
tr.row-failure td{background:var(--fail-bg)}
tr.row-failure td:first-child{box-shadow:inset 5px 0 var(--fail)}
tr.row-degraded td{background:var(--deg-bg)}
tr.row-degraded td:first-child{box-shadow:inset 5px 0 var(--deg)}
.state{font-weight:700;white-space:nowrap}
.state-failure{color:var(--fail)}
.state-degraded{color:var(--deg)}
.state-success{color:var(--ok)}
.state-pending{color:var(--pend)}
.chip{display:inline-block;font-size:11px;font-weight:600;padding:0 6px;margin-left:6px;border-radius:9px;border:1px solid var(--muted);color:var(--muted);vertical-align:1px}
.sub{color:var(--muted);font-size:12px}
.nowrap{white-space:nowrap}
.why .msg{color:var(--muted);font-size:12px;margin-top:2px;max-width:42ch;overflow-wrap:anywhere}
.wf{display:flex;width:220px;height:16px;border-radius:3px;overflow:hidden;background:var(--code)}
.wf .seg{display:block;height:100%;min-width:2px;flex:0 0 auto;font-size:10.5px;line-height:16px;padding-left:3px;overflow:hidden;white-space:nowrap}
.ph-failed{background:repeating-linear-gradient(135deg,#dc2626 0 5px,#f87171 5px 10px);color:#fff;font-weight:700;text-shadow:0 0 2px #7f1d1d,0 0 2px #7f1d1d}
.wf-cell{display:flex;align-items:center;gap:8px}
.wf-total{font-size:12px;color:var(--muted);white-space:nowrap}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;color:var(--muted);margin:0 0 8px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
${PHASE_CSS}
${HISTORY_CSS}
.chart{width:100%;max-width:860px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 12px}
.chart .line{display:grid;grid-template-columns:72px 1fr 80px;align-items:center;gap:10px;height:24px}
.chart .track{position:relative;height:14px;background:var(--code);border-radius:3px}
.chart .bar{position:absolute;top:0;height:100%;min-width:2px;border-radius:2px}
.chart .val{text-align:right;font-size:12.5px;font-variant-numeric:tabular-nums}
.facts{width:100%}
.facts th{text-transform:none;letter-spacing:0;font-size:13px;width:130px}
.facts th,.facts td{vertical-align:baseline;padding:5px 10px}
.lead{font-size:15px;margin:6px 0 14px}
.cols{display:grid;grid-template-columns:minmax(0,1fr);gap:8px 28px;align-items:start}
@media (min-width:1100px){.cols{grid-template-columns:minmax(0,560px) minmax(0,1fr)}.cols h2:first-child{margin-top:0}}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.transcript td,.backend-logs td{font-size:12.5px}
.backend-logs tr.related td{background:var(--line)}
.transcript .text,.backend-logs .text{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;white-space:pre-wrap;overflow-wrap:anywhere;max-width:80ch}
.dir-in{color:var(--ok)}
.dir-out{color:var(--link)}
.dir-local{color:var(--muted)}
.empty{color:var(--muted);font-style:italic}
@media (max-width:720px){
body{padding:14px 12px}
table.checks thead{display:none}
table.checks,table.checks tbody,table.checks tr,table.checks td{display:block;width:auto}
table.checks tr{border-bottom:1px solid var(--line);padding:6px 0}
table.checks tr.row-failure{background:var(--fail-bg);box-shadow:inset 5px 0 var(--fail)}
table.checks tr.row-degraded{background:var(--deg-bg);box-shadow:inset 5px 0 var(--deg)}
table.checks td,table.checks tr td:first-child{border:0;padding:2px 14px;box-shadow:none;background:transparent}
table.checks td.check{padding-left:4px}
table.checks td.target,table.checks td.check{display:inline-block;padding-right:0}
table.checks td.target::after{content:" /"}
table.checks td.check .sub{display:none}
table.checks td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:12px}
table.checks td .sub,table.checks td .msg{display:inline;margin-left:6px}
.wf{width:min(220px,60vw)}
}
`;

/** A page's shell. */
export interface PageOptions {
  readonly title: string;
  readonly body: SafeHtml;
  /** Adds `<meta http-equiv="refresh">` with this many seconds. */
  readonly refreshSeconds?: number;
}

/** A complete HTML document with the inline stylesheet. */
export function page(options: PageOptions): string {
  const refresh = options.refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${options.refreshSeconds}">`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}
<title>${options.title}</title>
<style>${new SafeHtml(CSS)}</style>
</head>
<body>
${options.body}
</body>
</html>
`.value;
}

/** The colour key of the phase bars; with `failed`, the key of the failed phase too. */
export function phaseLegend(failed: boolean): SafeHtml {
  const failedKey = failed ? html`<span><i class="ph-failed"></i>failed phase (until the run ended)</span>` : '';
  return html`<div class="legend" aria-hidden="true">${TIMED_PHASES.map((phase) => html`<span><i class="ph-${phase}"></i>${phase}</span>`)}${failedKey}</div>`;
}
