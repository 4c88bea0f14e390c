/**
 * One lookup of a failed run's backend entries: two `entries.list` requests (the run's related
 * entries, and the window), under one hard deadline. Whatever the library does past the deadline,
 * the lookup has resolved with the note `timeout`; it never rejects.
 */
import type { BackendLogsConfig } from '../config/types.ts';
import { Redactor } from '../result/redact.ts';
import { errorNote, timeoutNote } from './classify.ts';
import { loadLibraryClients, type EntriesClient, type LoggingApiOptions, type MakeClient } from './client.ts';
import { backendLogsQueries, type RunWindow } from './query.ts';
import { boundEntries } from './shape.ts';
import type { BackendLogs } from '../result/backend-logs.ts';

/** How a {@link BackendLogsReader} reaches the Logging API; tests point it at a local stand-in. */
export interface BackendLogsReaderOptions {
  /** Where the API is and how to authenticate; absent: Google's, with Application Default Credentials. */
  readonly api?: LoggingApiOptions;
  /** Loads the client factory; absent: the library's ({@link loadLibraryClients}). */
  readonly load?: () => Promise<MakeClient>;
}

/** Reads backend entries for failed runs; keeps one client per project. */
export class BackendLogsReader {
  readonly #api: LoggingApiOptions;
  readonly #load: () => Promise<MakeClient>;
  #factory: Promise<MakeClient> | null = null;
  readonly #clients = new Map<string, Promise<EntriesClient>>();

  constructor(options: BackendLogsReaderOptions = {}) {
    this.#api = options.api ?? {};
    this.#load = options.load ?? loadLibraryClients;
  }

  /**
   * Loads the client library now, in the background, so the first lookup does not pay for it:
   * called at start-up when a target has `backend_logs`. Resolves when it is loaded (or failed
   * to: the next read says why); never rejects.
   */
  async warm(): Promise<void> {
    await this.#loaded().catch(() => undefined);
  }

  #loaded(): Promise<MakeClient> {
    this.#factory ??= this.#load();
    this.#factory.catch(() => (this.#factory = null));
    return this.#factory;
  }

  /**
   * The entries of `run` under `config`, redacted with `secrets` (as the run's transcript is), or
   * a note. Once the library is loaded ({@link warm}), resolves within `config.timeoutMs` plus a
   * few milliseconds, whatever the API does; never rejects.
   */
  async read(config: BackendLogsConfig, run: RunWindow, secrets: readonly string[]): Promise<BackendLogs> {
    const redactor = new Redactor(secrets);
    const queries = backendLogsQueries(config, run);
    let startedMs = performance.now();
    const done = (fields: Pick<BackendLogs, 'entries' | 'omitted' | 'note'>): BackendLogs => ({
      project: config.project,
      ...fields,
      from: queries.fromIso,
      to: queries.toIso,
      durationSeconds: (performance.now() - startedMs) / 1000,
    });
    const failed = (error: unknown): BackendLogs => done({ entries: [], omitted: 0, note: errorNote(error, config.project, redactor) });

    // Loading the library and building the client is local work, before the deadline starts.
    let client: Promise<EntriesClient>;
    try {
      client = this.#client(config.project, await this.#loaded());
    } catch (error) {
      return failed(error);
    }
    startedMs = performance.now();
    const lookup = (async () => {
      const ready = await client;
      const list = (filter: string) =>
        ready.list({ resourceNames: queries.resourceNames, filter, pageSize: config.maxEntries, timeoutMs: config.timeoutMs });
      const [related, window] = await Promise.all([list(queries.related), list(queries.window)]);
      return done({ ...boundEntries(related, window, config.maxEntries, redactor), note: null });
    })().catch(failed);

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<BackendLogs>((resolve) => {
      timer = setTimeout(() => resolve(done({ entries: [], omitted: 0, note: timeoutNote(config.timeoutMs) })), config.timeoutMs);
    });
    try {
      return await Promise.race([lookup, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The project's client, ready; a client that could not be readied is not kept. */
  #client(project: string, makeClient: MakeClient): Promise<EntriesClient> {
    let client = this.#clients.get(project);
    if (client === undefined) {
      const made = makeClient(project, this.#api);
      client = made.ready().then(() => made);
      client.catch(() => this.#clients.delete(project));
      this.#clients.set(project, client);
    }
    return client;
  }
}
