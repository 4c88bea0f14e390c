import { pino, type Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { LABELS_KEY, LineWriter } from './line-writer.ts';
import { formatPretty } from './pretty.ts';
import type { LogResource } from './resource.ts';
import { LogLevelError, parseLogLevel, PINO_LEVEL_OF, SEVERITY_OF, type LogLevel, type PinoLevel, type Severity } from './severity.ts';
import type { TraceFields } from './trace.ts';

/** Fields of one entry: its JSON payload besides severity, message, time and labels. */
export type LogFields = Readonly<Record<string, unknown>>;
/** Entry labels (`logging.googleapis.com/labels`): short, bounded strings, indexed by Cloud Logging. */
export type LogLabels = Readonly<Record<string, string>>;

/** What a child logger adds to every entry it writes. */
export interface LogContext {
  /** Merged over the parent's labels. */
  readonly labels?: LogLabels;
  /** The request's trace (see `traceFromHeaders`); null adds nothing. */
  readonly trace?: TraceFields | null;
  readonly fields?: LogFields;
}

/**
 * The canary's logger. Writes one Cloud Logging structured entry per call (or one pretty line on a
 * terminal), redacted before it is written.
 */
export interface CanaryLogger {
  /**
   * Writes one entry. `fields` become the JSON payload; the keys `severity`, `message`, `time` and
   * `logging.googleapis.com/labels` are reserved and left out (use {@link CanaryLogger.child} for
   * labels). An `Error` under `err` is serialized with its type, message and stack.
   */
  log(severity: Severity, message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warning(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  critical(message: string, fields?: LogFields): void;
  /** Whether entries of this severity are written at the configured level. */
  isEnabled(severity: Severity): boolean;
  /** A logger whose entries also carry `context`. Shares the output and its flush. */
  child(context: LogContext): CanaryLogger;
  /**
   * Resolves when every entry written so far has been handed to the OS (the destination confirmed
   * its writes), or after `flushTimeoutMs` (2 s by default) if the destination is stuck. Never rejects.
   */
  flush(): Promise<void>;
  /** The project for trace fields (from the resource), null when unknown. */
  readonly projectId: string | null;
  readonly resource: LogResource | null;
}

export interface CreateLoggerOptions {
  /** Default: `process.stdout`. */
  readonly destination?: NodeJS.WritableStream;
  /** Human-readable lines instead of JSON. Default: whether the destination is a TTY. */
  readonly pretty?: boolean;
  /**
   * Minimum level: `debug`, `info`, `warning`, `error`, `critical` (pino names work too), or
   * `silent`. Default: `CANARY_LOG_LEVEL` from `env`, else `info`. Unknown names throw {@link LogLevelError}.
   */
  readonly level?: string;
  /** Adds `serviceContext` to every entry and gives the project for trace fields. */
  readonly resource?: LogResource | null;
  /** Secret values to keep out of the output, asked for each line. JWT-shaped text is always removed. */
  readonly secrets?: () => readonly string[];
  /** Default: `process.env`. Read for `CANARY_LOG_LEVEL` only. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Wall clock for the `time` field. Default: the system clock. */
  readonly clock?: Pick<Clock, 'nowMs'>;
  /** Longest wait of {@link CanaryLogger.flush}, in milliseconds. Default: 2000. */
  readonly flushTimeoutMs?: number;
}

const DEFAULT_FLUSH_TIMEOUT_MS = 2000;
const NO_SECRETS = (): readonly string[] => [];
const RESERVED_KEYS = new Set(['severity', 'message', 'time', LABELS_KEY]);

/**
 * A logger writing the Cloud Logging structured format
 * (https://cloud.google.com/logging/docs/structured-logging), one JSON object per line: `severity`,
 * `time` (RFC 3339), `logging.googleapis.com/labels`, trace fields, the fields, and `message`.
 * No `level`, `pid` or `hostname`. With `pretty`, one readable line per entry instead.
 */
export function createLogger(options: CreateLoggerOptions = {}): CanaryLogger {
  const destination = options.destination ?? process.stdout;
  const pretty = options.pretty ?? ('isTTY' in destination && destination.isTTY === true);
  const level = resolveLevel(options);
  const clock = options.clock ?? { nowMs: () => Date.now() };
  const resource = options.resource ?? null;
  const writerOptions = {
    destination,
    secrets: options.secrets ?? NO_SECRETS,
    flushTimeoutMs: options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS,
  };
  const writer = new LineWriter(pretty ? { ...writerOptions, format: formatPretty } : writerOptions);
  const logger = pino(
    {
      level,
      messageKey: 'message',
      base: resource === null ? null : { serviceContext: resource.serviceContext },
      timestamp: () => `,"time":"${new Date(clock.nowMs()).toISOString()}"`,
      formatters: {
        level: (label: string) => ({ severity: isPinoLevel(label) ? SEVERITY_OF[label] : 'DEFAULT' }),
      },
    },
    writer,
  );
  return new PinoCanaryLogger(logger, writer, resource, {}, {});
}

function resolveLevel(options: CreateLoggerOptions): LogLevel {
  const fromEnv = (options.env ?? process.env)['CANARY_LOG_LEVEL'];
  const [text, from] =
    options.level !== undefined
      ? [options.level, 'level']
      : fromEnv !== undefined && fromEnv !== ''
        ? [fromEnv, 'CANARY_LOG_LEVEL']
        : ['info', 'default'];
  const level = parseLogLevel(text);
  if (level === null) throw new LogLevelError(text, from);
  return level;
}

function isPinoLevel(label: string): label is PinoLevel {
  return Object.hasOwn(SEVERITY_OF, label);
}

/** Copies `fields`' own keys but the reserved ones into `payload` (no entries array per entry). */
function copyFields(payload: Record<string, unknown>, fields: LogFields): void {
  for (const key in fields) if (Object.hasOwn(fields, key) && !RESERVED_KEYS.has(key)) payload[key] = fields[key];
}

class PinoCanaryLogger implements CanaryLogger {
  readonly #pino: Logger;
  readonly #writer: LineWriter;
  readonly #labels: LogLabels;
  readonly #fields: LogFields;
  readonly resource: LogResource | null;

  constructor(logger: Logger, writer: LineWriter, resource: LogResource | null, labels: LogLabels, fields: LogFields) {
    this.#pino = logger;
    this.#writer = writer;
    this.resource = resource;
    this.#labels = labels;
    this.#fields = fields;
  }

  get projectId(): string | null {
    return this.resource?.projectId ?? null;
  }

  log(severity: Severity, message: string, fields: LogFields = {}): void {
    const level = PINO_LEVEL_OF[severity];
    if (!this.#pino.isLevelEnabled(level)) return;
    const payload: Record<string, unknown> = {};
    if (Object.keys(this.#labels).length > 0) payload[LABELS_KEY] = this.#labels;
    copyFields(payload, this.#fields);
    copyFields(payload, fields);
    this.#pino[level](payload, message);
  }

  debug(message: string, fields?: LogFields): void {
    this.log('DEBUG', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log('INFO', message, fields);
  }

  warning(message: string, fields?: LogFields): void {
    this.log('WARNING', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.log('ERROR', message, fields);
  }

  critical(message: string, fields?: LogFields): void {
    this.log('CRITICAL', message, fields);
  }

  isEnabled(severity: Severity): boolean {
    return this.#pino.isLevelEnabled(PINO_LEVEL_OF[severity]);
  }

  child(context: LogContext): CanaryLogger {
    const labels = { ...this.#labels, ...context.labels };
    const fields = { ...this.#fields, ...context.trace, ...context.fields };
    return new PinoCanaryLogger(this.#pino, this.#writer, this.resource, labels, fields);
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }
}
