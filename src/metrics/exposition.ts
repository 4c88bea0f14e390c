/**
 * The two exposition formats of /metrics: OpenMetrics 1.0 (what Prometheus asks for first, and the
 * only one that carries exemplars) and the Prometheus text format 0.0.4, both written straight from
 * prom-client's exported values (no format is parsed back into the other).
 */
import { Registry, type Metric } from 'prom-client';

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

/** Which exposition a page is written in. */
export type ExpositionFormat = 'openmetrics' | 'text';

type LabelSet = Readonly<Record<string, string | number>>;

/** One sample as prom-client hands it to its own renderer. */
interface ExportedSample {
  readonly metricName?: string;
  readonly labels?: LabelSet;
  /** A histogram series' labels, shared by its buckets, sum and count (`labels` then holds `le`). */
  readonly sharedLabels?: LabelSet;
  readonly value: number;
  readonly exemplar?: { readonly labelSet: LabelSet; readonly value: number; readonly timestamp: number } | null;
}

/** One family's current values, as prom-client's renderer reads them. */
export interface ExportedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: readonly ExportedSample[];
}

/**
 * The values of `metric` the way prom-client's own renderer reads them: `getForPromString` when the
 * metric has it (histograms: each bucket's `le` apart from the series' shared labels), else `get`.
 */
export async function exportFamily(metric: Metric): Promise<ExportedFamily> {
  const exportable = metric as Metric & { getForPromString?: () => Promise<ExportedFamily> };
  if (exportable.getForPromString !== undefined) return exportable.getForPromString();
  // prom-client's typings leave out the exemplar its renderer reads; the shape is the same.
  return (await metric.get()) as unknown as ExportedFamily;
}

function escapeText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : text;
}

const NEEDS_ESCAPE = /[\\\n]/;

function escapeLabelValue(value: string | number): string {
  if (typeof value !== 'string') return String(value);
  return LABEL_NEEDS_ESCAPE.test(value) ? escapeText(value).replace(/"/g, '\\"') : value;
}

const LABEL_NEEDS_ESCAPE = /[\\\n"]/;

/** A number as the expositions write it: `Nan`, `+Inf` and `-Inf` as prom-client does (parsers ignore case). */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

function formatLabels(labels: LabelSet, exclude: LabelSet | undefined): string {
  let text = '';
  for (const name in labels) {
    const value = labels[name];
    if (value === undefined || (exclude !== undefined && Object.hasOwn(exclude, name))) continue;
    text += `${text === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  }
  return text;
}

/**
 * Label sets as text, remembered with the label set itself: prom-client keeps one label object per
 * series (a counter's or gauge's, a histogram's shared one) for as long as the series lives.
 */
const labelTexts = new WeakMap<LabelSet, string>();

function rememberedLabels(labels: LabelSet): string {
  let text = labelTexts.get(labels);
  if (text === undefined) {
    text = formatLabels(labels, undefined);
    labelTexts.set(labels, text);
  }
  return text;
}

/** `a="1",b="2"`: a sample's own labels (a bucket's `le`), then the series' shared ones. */
function labelText(labels: LabelSet | undefined, shared: LabelSet | undefined): string {
  if (shared === undefined) return labels === undefined ? '' : rememberedLabels(labels);
  const own = labels === undefined ? '' : formatLabels(labels, shared);
  const sharedText = rememberedLabels(shared);
  return own === '' ? sharedText : sharedText === '' ? own : `${own},${sharedText}`;
}

/** The family types the text format 0.0.4 knows. */
const TEXT_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary']);

/**
 * One family in `format`, lines joined by `\n` without a final one. OpenMetrics names a counter
 * family without `_total` and its samples with it, and carries exemplars; the text format 0.0.4
 * names both with `_total`, drops exemplars and writes any type it lacks as `untyped`. HELP escapes
 * `\\` and newlines; label values also `"`.
 */
export function renderFamily(family: ExportedFamily, format: ExpositionFormat): string {
  const openMetrics = format === 'openmetrics';
  const counter = family.type === 'counter';
  const base = counter ? family.name.replace(/_total$/, '') : family.name;
  const sampleName = counter ? `${base}_total` : base;
  const familyName = escapeText(openMetrics || !counter ? base : sampleName);
  const type = openMetrics || TEXT_TYPES.has(family.type) ? family.type : 'untyped';
  const lines = [`# HELP ${familyName} ${escapeText(family.help)}`, `# TYPE ${familyName} ${type}`];
  for (const sample of family.values) {
    const labels = labelText(sample.labels, sample.sharedLabels);
    const line = `${counter ? sampleName : (sample.metricName ?? base)}${labels === '' ? '' : `{${labels}}`} ${formatValue(sample.value)}`;
    const exemplar = sample.exemplar;
    lines.push(
      openMetrics && exemplar !== undefined && exemplar !== null
        ? `${line} # {${labelText(exemplar.labelSet, undefined)}} ${formatValue(exemplar.value)} ${exemplar.timestamp}`
        : line,
    );
  }
  // join, not +=: the result is one flat string, which the page's own join copies at memory speed
  // (a string grown by += is a deep rope that every later join walks again).
  return lines.join('\n');
}

const EOF_LINE = Buffer.from('# EOF\n');

/** One rendered family as the page holds it: UTF-8, ending with its newline. */
export function familyChunk(family: string): Buffer {
  return Buffer.from(`${family}\n`);
}

/**
 * A whole page from its families' {@link familyChunk}s, as the chunks to send in order: OpenMetrics
 * ends with `# EOF`. Bytes, not a string, and not even one buffer: a page of cached families is sent
 * from the cached bytes themselves, never joined, encoded or copied again.
 */
export function renderPage(families: readonly Buffer[], format: ExpositionFormat): readonly Buffer[] {
  return format === 'openmetrics' ? [...families, EOF_LINE] : families;
}
