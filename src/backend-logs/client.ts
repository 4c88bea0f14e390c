/**
 * The Cloud Logging client, loaded only when a target reads its backend's logs (start-up does not
 * pay for the library). One client per project, over REST (`fallback`): one HTTPS request per
 * read, no gRPC channel kept open.
 */
import type { Logging } from '@google-cloud/logging';
import type { LibraryEntry } from './shape.ts';

/**
 * Where the Logging API is and how to authenticate. Absent fields: `logging.googleapis.com` over
 * HTTPS with Application Default Credentials (on Cloud Run, the service's account).
 */
export interface LoggingApiOptions {
  /** Host name of the API. */
  readonly apiEndpoint?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
  /** A google-auth-library `AuthClient` used instead of Application Default Credentials. */
  readonly authClient?: object;
}

/** One `entries.list` request, as the reader makes it. */
export interface ListRequest {
  readonly resourceNames: readonly string[];
  readonly filter: string;
  readonly pageSize: number;
  readonly timeoutMs: number;
}

/** What the reader needs of a client: ready it (credentials found), then list. */
export interface EntriesClient {
  ready(): Promise<void>;
  list(request: ListRequest): Promise<LibraryEntry[]>;
}

/** Builds the client of a project (local work: no request is made until `ready`). */
export type MakeClient = (project: string, api: LoggingApiOptions) => EntriesClient;

/**
 * Loads @google-cloud/logging (about half a second of CPU, once per process) and resolves the
 * factory of its clients.
 */
export async function loadLibraryClients(): Promise<MakeClient> {
  const { Logging: LoggingClass } = await import('@google-cloud/logging');
  return (project, api) => libraryClient(new LoggingClass(loggingOptions(project, api)));
}

/** The generated client reads `fallback`, `port` and `protocol`; the library's option type does not list them. */
function loggingOptions(project: string, api: LoggingApiOptions): Record<string, unknown> {
  return { projectId: project, fallback: true, ...api };
}

function hasInitialize(service: unknown): service is { initialize(): Promise<unknown> } {
  return service !== null && typeof service === 'object' && typeof (service as { initialize?: unknown }).initialize === 'function';
}

/** A client through the library's public `Logging` class. */
function libraryClient(logging: Logging): EntriesClient {
  return {
    async ready() {
      // The library calls `initialize` without waiting for it and rethrows its failure unhandled:
      // waiting for it here first keeps a credentials failure a note instead of a crash.
      const service: unknown = logging.loggingService;
      if (hasInitialize(service)) await service.initialize();
    },
    async list(request) {
      const query: Parameters<Logging['getEntries']>[0] = {
        resourceNames: [...request.resourceNames],
        filter: request.filter,
        orderBy: 'timestamp desc',
        pageSize: request.pageSize,
        autoPaginate: false,
        // no retries: one request, bounded by the reader's deadline
        gaxOptions: { timeout: request.timeoutMs, retry: null },
      };
      const [entries] = await logging.getEntries(query);
      return entries;
    },
  };
}
