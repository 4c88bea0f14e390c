/**
 * The product's one way into the reference backend (src/reference/): `canary target`, and the
 * embedded backend `canary run` and `canary serve` start without `--config`. No other product file
 * outside src/reference/ imports it; the HS256 secret is resolved here, from the environment.
 */
import { FAULTS, FaultSpecError, REFERENCE_SECRET, startReferenceBackend } from '../reference/index.ts';

export { FAULTS, FaultSpecError };

/** The environment variable holding the local backend's HS256 secret. */
export const LOCAL_SECRET_ENV = 'CANARY_LOCAL_JWT_SECRET';

/** One help line: where the local backend's secret comes from. */
export const LOCAL_SECRET_HELP = `The HS256 secret is ${LOCAL_SECRET_ENV}, or "${REFERENCE_SECRET}" when unset.`;

/** A running local backend, as the verbs use it. */
export interface LocalBackend {
  /** `ws://HOST:PORT/ws`. */
  readonly url: string;
  readonly port: number;
  /** Replaces the server-wide faults; throws {@link FaultSpecError} when the spec does not parse. */
  setFaults(spec: string): void;
  /** Ends every socket and timer and closes the listener. Idempotent. */
  close(): Promise<void>;
}

/** Where and how the local backend runs. */
export interface LocalBackendOptions {
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** TCP port; default 0 (a free port). */
  readonly port?: number;
  /** Server-wide fault spec (see {@link FAULTS}); default ''. */
  readonly faults?: string;
  /** Receives one line per notable event; default silent. */
  readonly log?: (line: string) => void;
}

/**
 * Starts the reference backend with its secret from `env` ({@link LOCAL_SECRET_ENV}; unset or
 * empty keeps the backend's default). Rejects with {@link FaultSpecError} for a bad fault spec.
 */
export function startLocalBackend(env: Readonly<Record<string, string | undefined>>, opts: LocalBackendOptions = {}): Promise<LocalBackend> {
  const secret = env[LOCAL_SECRET_ENV];
  return startReferenceBackend({ ...opts, ...(secret ? { secret } : {}) });
}
