/**
 * Cloud Logging severities and the pino levels behind them.
 * Severity names: https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry#logseverity
 */

/** The severities the canary writes, as Cloud Logging names them. */
export const SEVERITIES = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The pino level each severity is logged at. */
export const PINO_LEVEL_OF: Readonly<Record<Severity, PinoLevel>> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
};

/** pino's level names, below its `silent`. */
export type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** The severity written for each pino level (pino's `trace` is below DEBUG and folds into it). */
export const SEVERITY_OF: Readonly<Record<PinoLevel, Severity>> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/** The minimum level of a logger: a pino level, or `silent` for none at all. */
export type LogLevel = PinoLevel | 'silent';

const LEVEL_NAMES: Readonly<Record<string, LogLevel>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  silent: 'silent',
};

/** Names accepted by {@link parseLogLevel}, for error messages and docs. */
export const LOG_LEVEL_NAMES: readonly string[] = Object.keys(LEVEL_NAMES);

/**
 * Reads a minimum level as a person writes it (`CANARY_LOG_LEVEL`): a pino level or a Cloud Logging
 * severity, any case (`debug`, `WARNING`, `critical`, `silent`). Null when it is neither.
 */
export function parseLogLevel(text: string): LogLevel | null {
  return LEVEL_NAMES[text.trim().toLowerCase()] ?? null;
}

/** Thrown by `createLogger` for a level it does not know. */
export class LogLevelError extends Error {
  readonly code = 'LOG_LEVEL_INVALID';

  constructor(text: string, from: string) {
    super(`${from}: unknown log level ${JSON.stringify(text)}; expected one of ${LOG_LEVEL_NAMES.join(', ')}`);
    this.name = 'LogLevelError';
  }
}
