/**
 * Logging: Cloud Logging structured JSON on stdout (or readable lines on a terminal), redacted
 * before writing; the run log sink; Cloud Run resource detection; trace fields from headers.
 */
export { createLogger, type CanaryLogger, type CreateLoggerOptions, type LogContext, type LogFields, type LogLabels } from './logger.ts';
export { createRunLogSink } from './run-sink.ts';
export { boundTranscript, MAX_TRANSCRIPT_LOG_BYTES, runEntry, type RunEntry } from './run-entry.ts';
export {
  detectResource,
  libraryMetadata,
  MAX_DETECT_MS,
  type CloudRunMetadata,
  type DetectResourceOptions,
  type LogResource,
  type MetadataOutcome,
  type ServiceContext,
} from './resource.ts';
export { traceFromHeaders, traceFromHeaderValue, type HeaderMap, type TraceFields } from './trace.ts';
export { LOG_LEVEL_NAMES, LogLevelError, parseLogLevel, SEVERITIES, type LogLevel, type Severity } from './severity.ts';
export { formatPretty } from './pretty.ts';
export { LABELS_KEY, MAX_LINE_BYTES } from './line-writer.ts';
