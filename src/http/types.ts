import type { CheckResult } from '../result/types.ts';
import type { StatusSnapshot } from '../result/status.ts';

/** What `POST /checks/:name/run` got from the scheduler. */
export type RunNowOutcome =
  | { readonly kind: 'ran'; readonly result: CheckResult }
  | { readonly kind: 'not_found' }
  /** Several targets have a check of that name and no `?target=` was given. */
  | { readonly kind: 'ambiguous'; readonly targets: readonly string[] }
  /** That check is running right now (checks never overlap themselves). */
  | { readonly kind: 'busy' };

/** What a configuration reload (`POST /-/reload`, SIGHUP) did. */
export type ReloadOutcome =
  | {
      readonly kind: 'reloaded';
      /** Job keys (`target/check`) by what happened to them. */
      readonly added: readonly string[];
      readonly removed: readonly string[];
      readonly changed: readonly string[];
      readonly unchanged: number;
    }
  /** The new configuration was refused (its problems are in the log); the old one keeps running. */
  | { readonly kind: 'invalid'; readonly problems: number };

/** How an admin request ended; the `outcome` of {@link AdminRequestEvent}. */
export type AdminOutcome = 'disabled' | 'unauthorized' | 'bad_request' | RunNowOutcome['kind'] | 'error';

/** One admin request, for the service's log. Never carries the token. */
export interface AdminRequestEvent {
  readonly check: string;
  readonly target: string | null;
  readonly outcome: AdminOutcome;
  /** `X-Cloud-Trace-Context`, else `traceparent`, as sent; null when neither was. */
  readonly traceHeader: string | null;
}

/** Everything the HTTP surface reads. It never reaches into the scheduler or the engine itself. */
export interface HttpDeps {
  /** The service state now, for `/`, `/status.json`. */
  status(): StatusSnapshot;
  /** A recent run by id (the run store), for `/runs/:id`. */
  getRun(runId: string): CheckResult | undefined;
  /** The metrics exposition for the request's `Accept` header (Prometheus or OpenMetrics), as the UTF-8 chunks to send in order. */
  renderMetrics(accept: string | undefined): Promise<{ contentType: string; chunks: readonly Buffer[] }>;
  /** Config loaded and scheduler running: `/readyz`. */
  ready(): boolean;
  /** Runs one check now, outside its schedule. `target` narrows a check name several targets share. */
  runNow(check: string, target: string | undefined): Promise<RunNowOutcome>;
  /** Re-reads the configuration (`POST /-/reload`); absent when the service cannot reload. */
  reload?(): Promise<ReloadOutcome>;
  /** Bearer token of `POST /checks/:name/run` and `POST /-/reload`; null (or empty) turns the endpoint off. */
  readonly adminToken: string | null;
  /** Called once per admin request, for logging; never receives the token. */
  onAdminRequest?(event: AdminRequestEvent): void;
  /** Called with an error a handler threw (the client gets a bare 500), for logging. */
  onError?(error: unknown): void;
}
