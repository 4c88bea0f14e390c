import type { TokenProvider } from '../auth/provider.ts';
import { createTokenProvider } from '../auth/provider.ts';
import { SigningKeys } from '../auth/signing-keys.ts';
import type { Clock } from '../clock.ts';
import { runCheck } from '../checks/run-check.ts';
import type { TargetConfig } from '../config/types.ts';
import type { CheckResult } from '../result/types.ts';
import type { Job } from './jobs.ts';
import type { ResultSink } from '../result/sinks.ts';

export interface ExecutorDeps {
  readonly clock: Clock;
  readonly sinks: readonly ResultSink[];
  readonly env?: NodeJS.ProcessEnv;
  /** Called when a sink throws; the run and the other sinks go on. */
  readonly onSinkError?: (error: unknown) => void;
}

/**
 * Runs jobs and hands each result to every sink. A job never overlaps itself: while it runs,
 * {@link tryRun} refuses it. One token provider per target lives until a reload drops its target,
 * so fetched tokens are cached across runs; signing keys are imported once per key material until
 * the next reload.
 */
export class Executor {
  readonly #deps: ExecutorDeps;
  readonly #tokens = new Map<TargetConfig, TokenProvider>();
  readonly #signingKeys = new SigningKeys();
  readonly #inFlight = new Map<string, Promise<CheckResult>>();
  readonly #shutdown = new AbortController();

  constructor(deps: ExecutorDeps) {
    this.#deps = deps;
  }

  isRunning(job: Job): boolean {
    return this.#inFlight.has(job.key);
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Starts the job unless it is already running (then null). The promise never rejects. */
  tryRun(job: Job): Promise<CheckResult> | null {
    if (this.#inFlight.has(job.key) || this.#shutdown.signal.aborted) return null;
    const run = this.#run(job).finally(() => this.#inFlight.delete(job.key));
    this.#inFlight.set(job.key, run);
    return run;
  }

  async #run(job: Job): Promise<CheckResult> {
    const result = await runCheck(job.target, job.check, {
      clock: this.#deps.clock,
      tokens: this.#provider(job.target),
      signal: this.#shutdown.signal,
    });
    for (const sink of this.#deps.sinks) {
      try {
        sink.record(result);
      } catch (error) {
        this.#deps.onSinkError?.(error);
      }
    }
    return result;
  }

  #provider(target: TargetConfig): TokenProvider {
    let provider = this.#tokens.get(target);
    if (provider === undefined) {
      provider = createTokenProvider(target.auth, this.#deps.clock, this.#deps.env, this.#signingKeys);
      this.#tokens.set(target, provider);
    }
    return provider;
  }

  /**
   * A configuration reload: signing keys are imported again (a key file replaced on disk is read
   * anew) and the providers of targets no longer in `targets` are dropped.
   */
  reconfigured(targets: Iterable<TargetConfig>): void {
    this.#signingKeys.clear();
    const kept = new Set(targets);
    for (const target of this.#tokens.keys()) if (!kept.has(target)) this.#tokens.delete(target);
  }

  /** Every configured secret of every target seen so far, for redaction downstream. */
  secrets(): string[] {
    return [...this.#tokens.values()].flatMap((p) => [...p.secrets]);
  }

  /**
   * Stops taking runs, lets in-flight runs finish for up to `graceMs`, then cancels the rest
   * (they end as `cancelled` within the engine's teardown bound) and waits for them.
   */
  async drain(graceMs: number): Promise<void> {
    const pending = [...this.#inFlight.values()];
    if (pending.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(pending), grace]);
      clearTimeout(timer);
    }
    this.#shutdown.abort();
    await Promise.all([...this.#inFlight.values()]);
  }
}
