/**
 * The two exposition formats of /metrics: OpenMetrics 1.0 (what Prometheus asks for first, and the
 * only one that carries exemplars) and the Prometheus text format 0.0.4, derived from it.
 */
import { Registry } from 'prom-client';

/** Content type of the OpenMetrics exposition. */
export const OPENMETRICS_CONTENT_TYPE: string = Registry.OPENMETRICS_CONTENT_TYPE;
/** Content type of the Prometheus text exposition, format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

const OPENMETRICS_MEDIA_TYPE = 'application/openmetrics-text';
const PROMETHEUS_MEDIA_TYPE = 'text/plain';

/** The highest quality (RFC 9110 §12.5.1 `q`) an Accept header gives each media type, lower-cased. */
function acceptQualities(accept: string): Map<string, number> {
  const qualities = new Map<string, number>();
  for (const range of accept.split(',')) {
    const [mediaType = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    let quality = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((part) => part.trim());
      if (key === 'q') quality = value !== undefined && /^[01](\.\d{0,3})?$/.test(value) ? Number(value) : 0;
    }
    qualities.set(mediaType, Math.max(qualities.get(mediaType) ?? 0, quality));
  }
  return qualities;
}

/**
 * True when the scraper asks for OpenMetrics: `application/openmetrics-text` is acceptable (q > 0)
 * and not less wanted than `text/plain`. Prometheus sends
 * `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`.
 */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const qualities = acceptQualities(accept);
  const openMetrics = qualities.get(OPENMETRICS_MEDIA_TYPE) ?? 0;
  return openMetrics > 0 && openMetrics >= (qualities.get(PROMETHEUS_MEDIA_TYPE) ?? 0);
}

/** How an OpenMetrics family type is written in the text format, and the suffix its name gains. */
const TYPE_MAP: Readonly<Record<string, { readonly type: string; readonly suffix: string }>> = {
  counter: { type: 'counter', suffix: '_total' },
  gauge: { type: 'gauge', suffix: '' },
  histogram: { type: 'histogram', suffix: '' },
  summary: { type: 'summary', suffix: '' },
  info: { type: 'gauge', suffix: '_info' },
  stateset: { type: 'gauge', suffix: '' },
  gaugehistogram: { type: 'untyped', suffix: '' },
  unknown: { type: 'untyped', suffix: '' },
};

/** Index just past the label set that opens at `open` (a `{`), honouring quoted values. */
function endOfLabels(line: string, open: number): number {
  let quoted = false;
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '}') return i + 1;
  }
  return line.length;
}

/** A sample line without its exemplar, with a timestamp (seconds in OpenMetrics) in milliseconds. */
function textSample(line: string): string {
  const brace = line.search(/[{ ]/);
  const nameEnd = brace === -1 ? line.length : line[brace] === '{' ? endOfLabels(line, brace) : brace;
  const exemplar = line.indexOf(' # ', nameEnd);
  const rest = (exemplar === -1 ? line.slice(nameEnd) : line.slice(nameEnd, exemplar)).trim().split(/\s+/);
  const [value = '', timestamp] = rest;
  const head = `${line.slice(0, nameEnd)} ${value}`;
  return timestamp === undefined ? head : `${head} ${Math.round(Number(timestamp) * 1000)}`;
}

/**
 * Converts an OpenMetrics 1.0 exposition to the Prometheus text format 0.0.4: counter families get
 * back their `_total` name, `unknown` becomes `untyped`, exemplars, `# UNIT` and `# EOF` are dropped,
 * sample timestamps turn from seconds into milliseconds and `\"` in HELP is unescaped (0.0.4 knows
 * only `\\` and `\n` there). Families and samples keep their order.
 */
export function openMetricsToText(openMetrics: string): string {
  const lines = openMetrics.split('\n');
  const families = new Map<string, { readonly type: string; readonly suffix: string }>();
  for (const line of lines) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) families.set(match[1], TYPE_MAP[match[2]] ?? { type: 'untyped', suffix: '' });
  }
  const out: string[] = [];
  for (const line of lines) {
    if (line === '') continue;
    if (!line.startsWith('#')) {
      out.push(textSample(line));
      continue;
    }
    const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const family = families.get(match[2]) ?? { type: 'untyped', suffix: '' };
    const name = `${match[2]}${family.suffix}`;
    if (match[1] === 'TYPE') out.push(`# TYPE ${name} ${family.type}`);
    else out.push(`# HELP ${name} ${(match[3] ?? '').replace(/\\(.)/g, (escape, c: string) => (c === '"' ? '"' : escape))}`);
  }
  return `${out.join('\n')}\n`;
}
