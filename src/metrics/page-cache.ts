import type { Metric, Registry } from 'prom-client';
import { exportFamily, familyChunk, renderFamily, renderPage, type ExpositionFormat } from './exposition.ts';

/** What the cache reads of a prom-client registry. */
type MetricSource = Pick<Registry, 'getMetricsAsArray'>;

/**
 * /metrics from a cache: each of the sink's own families is rendered once per format and kept until
 * the sink changes it ({@link PageCache.invalidate}: a finished run, a started or skipped one, a
 * reload). Every other metric of the registry (Node's process metrics, anything registered later)
 * is read afresh on every scrape, since it changes without the sink knowing.
 */
export class PageCache {
  readonly #registry: MetricSource;
  readonly #cached: ReadonlySet<Metric>;
  readonly #rendered: Record<ExpositionFormat, Map<Metric, Buffer>> = { openmetrics: new Map(), text: new Map() };

  /** `cached`: the metrics whose every change is announced with {@link PageCache.invalidate}. */
  constructor(registry: MetricSource, cached: readonly Metric[]) {
    this.#registry = registry;
    this.#cached = new Set(cached);
  }

  /** Forgets the rendering of `metrics`: their next scrape reads them again. */
  invalidate(metrics: readonly Metric[]): void {
    for (const metric of metrics) {
      this.#rendered.openmetrics.delete(metric);
      this.#rendered.text.delete(metric);
    }
  }

  /** The page in `format`, every metric of the registry in its order, as UTF-8 chunks ({@link renderPage}). */
  async render(format: ExpositionFormat): Promise<readonly Buffer[]> {
    const rendered = this.#rendered[format];
    // The registered instances themselves (prom-client's typings call them MetricObject); not looked
    // up by name, since prom-client's own OpenMetrics rendering renames counters in place.
    const metrics = this.#registry.getMetricsAsArray() as unknown as readonly Metric[];
    const families = await Promise.all(
      metrics.map(async (metric) => {
        const kept = rendered.get(metric);
        if (kept !== undefined) return kept;
        const chunk = familyChunk(renderFamily(await exportFamily(metric), format));
        if (this.#cached.has(metric)) rendered.set(metric, chunk);
        return chunk;
      }),
    );
    return renderPage(families, format);
  }
}
