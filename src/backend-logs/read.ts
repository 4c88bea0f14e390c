/**
 * One lookup of a failed run's backend entries: two `entries.list` requests (the run's related
 * entries, and the window), under one hard deadline. Whatever the library does past the deadline,
 * the lookup has resolved with the note `timeout`; it never rejects.
 */
import type { BackendLogsConfig } from '../config/types.ts';
import { Redactor } from '../result/redact.ts';
import { errorNote, timeoutNote } from './classify.ts';
import { libraryClient, type EntriesClient, type LoggingApiOptions } from './client.ts';
import { backendLogsQueries, type RunWindow } from './query.ts';
import { boundEntries } from './shape.ts';
import type { BackendLogs, BackendLogsNote } from './types.ts';

export interface BackendLogsReaderOptions {
  /** Where the API is and how to authenticate; absent: Google's, with Application Default Credentials. */
  readonly api?: LoggingApiOptions;
  /** Builds a client; absent: the library's ({@link libraryClient}). */
  readonly client?: (project: string, api: LoggingApiOptions) => Promise<EntriesClient>;
}

/** Reads backend entries for failed runs; keeps one client per project. */
export class BackendLogsReader {
  readonly #api: LoggingApiOptions;
  readonly #makeClient: (project: string, api: LoggingApiOptions) => Promise<EntriesClient>;
  readonly #clients = new Map<string, Promise<EntriesClient>>();

  constructor(options: BackendLogsReaderOptions = {}) {
    this.#api = options.api ?? {};
    this.#makeClient = options.client ?? libraryClient;
  }

  /**
   * The entries of `run` under `config`, redacted with `secrets` (as the run's transcript is), or
   * a note. Resolves within `config.timeoutMs` plus a few milliseconds; never rejects.
   */
  async read(config: BackendLogsConfig, run: RunWindow, secrets: readonly string[]): Promise<BackendLogs> {
    const startedMs = performance.now();
    const redactor = new Redactor(secrets);
    const queries = backendLogsQueries(config, run);
    const done = (fields: Pick<BackendLogs, 'entries' | 'omitted' | 'note'>): BackendLogs => ({
      project: config.project,
      ...fields,
      from: queries.fromIso,
      to: queries.toIso,
      durationSeconds: (performance.now() - startedMs) / 1000,
    });
    const failed = (note: BackendLogsNote): BackendLogs => done({ entries: [], omitted: 0, note });

    const lookup = (async () => {
      const client = await this.#client(config.project);
      const list = (filter: string) =>
        client.list({ resourceNames: queries.resourceNames, filter, pageSize: config.maxEntries, timeoutMs: config.timeoutMs });
      const [related, window] = await Promise.all([list(queries.related), list(queries.window)]);
      return done({ ...boundEntries(related, window, config.maxEntries, redactor), note: null });
    })().catch((error: unknown) => failed(errorNote(error, config.project, redactor)));

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<BackendLogs>((resolve) => {
      timer = setTimeout(() => resolve(failed(timeoutNote(config.timeoutMs))), config.timeoutMs);
    });
    try {
      return await Promise.race([lookup, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The project's client, ready; a client that could not be readied is not kept. */
  #client(project: string): Promise<EntriesClient> {
    let client = this.#clients.get(project);
    if (client === undefined) {
      client = this.#makeClient(project, this.#api).then(async (made) => {
        await made.ready();
        return made;
      });
      client.catch(() => this.#clients.delete(project));
      this.#clients.set(project, client);
    }
    return client;
  }
}
