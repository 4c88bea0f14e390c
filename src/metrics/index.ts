/** The Prometheus metrics sink: families, zeroed series, result recording and the /metrics exposition. */
export { createMetrics } from './sink.ts';
export type { CanaryMetrics, MetricsOptions, MetricsPage } from './sink.ts';
export { DURATION_BUCKETS_SECONDS, HISTOGRAM_PHASES, PHASE_BUCKETS_SECONDS, SCHEDULE_LAG_BUCKETS_SECONDS } from './families.ts';
export { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, wantsOpenMetrics } from './exposition.ts';
