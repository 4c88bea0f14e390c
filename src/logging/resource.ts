/**
 * Where the canary runs, for log context: the Cloud Run revision (monitored resource
 * `cloud_run_revision`, https://cloud.google.com/logging/docs/api/v2/resource-list) and the Error
 * Reporting service context (https://cloud.google.com/error-reporting/docs/formatting-error-messages).
 *
 * Everything the environment says is read from it: Cloud Run sets K_SERVICE, K_REVISION and
 * K_CONFIGURATION (https://cloud.google.com/run/docs/container-contract#env-vars); the deployment
 * may set GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_REGION. The metadata server is asked, through
 * `gcp-metadata` and bounded in time, only when the project is not in the environment: the
 * project is what trace fields need.
 */

/** Error Reporting's service context: which service and version wrote an entry. */
export interface ServiceContext {
  readonly service: string;
  readonly version?: string;
}

/**
 * How the metadata lookups went: not asked (the environment had the project), every lookup
 * answered, some failed, or the deadline came first.
 */
export type MetadataOutcome = 'not_asked' | 'answered' | 'failed' | 'timeout';

/** The detected Cloud Run resource. */
export interface LogResource {
  readonly type: 'cloud_run_revision';
  /** service_name, revision_name, configuration_name, and location / project_id when known. */
  readonly labels: Readonly<Record<string, string>>;
  /** The Google Cloud project, for the trace field; null when neither env nor metadata told. */
  readonly projectId: string | null;
  readonly serviceContext: ServiceContext;
  /** Whether the metadata server was asked, and how that went. */
  readonly metadata: MetadataOutcome;
}

/** The lookups only the metadata server can answer. Tests pass their own; nothing here is retried. */
export interface CloudRunMetadata {
  /** The region the instance runs in, such as `europe-west1`. */
  location(): Promise<string | null>;
  /** The project id. */
  projectId(): Promise<string | null>;
}

/** The hard ceiling on detection: start-up must not wait on an unreachable metadata server. */
export const MAX_DETECT_MS = 2000;

export interface DetectResourceOptions {
  /** Give up on the metadata server after this long; at most (and by default) {@link MAX_DETECT_MS}. */
  readonly timeoutMs?: number;
  /** Defaults to {@link libraryMetadata}. */
  readonly metadata?: CloudRunMetadata;
}

/**
 * The metadata server's answers, through `gcp-metadata` (https://cloud.google.com/run/docs/container-contract#metadata-server):
 * the project id (`project/project-id`) and the region, the zone (`instance/zone`,
 * `projects/<number>/zones/<region>-<n>`) without its last part. The package is loaded only when
 * called, so it costs nothing off Cloud Run.
 */
export const libraryMetadata: CloudRunMetadata = {
  async location() {
    const { instance } = await import('gcp-metadata');
    const qualified: unknown = await instance('zone');
    if (typeof qualified !== 'string') return null;
    const zone = qualified.split('/').pop() ?? '';
    const dash = zone.lastIndexOf('-');
    return nonEmpty(dash < 0 ? zone : zone.slice(0, dash));
  },
  async projectId() {
    const { project } = await import('gcp-metadata');
    const id: unknown = await project('project-id');
    return typeof id === 'string' ? nonEmpty(id) : null;
  },
};

function nonEmpty(value: string | undefined | null): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value.trim();
}

/**
 * The Cloud Run resource, or null off Cloud Run (K_SERVICE unset) without any probe. With
 * GOOGLE_CLOUD_PROJECT (or GCLOUD_PROJECT, GCP_PROJECT) set it is derived from the environment alone,
 * at once. Otherwise the metadata server is asked for the project and, unless GOOGLE_CLOUD_REGION is
 * set, the region; it resolves within `timeoutMs` (≤ 2 s) whatever the server does, leaving out what
 * did not answer. Never rejects.
 */
export async function detectResource(
  env: Readonly<Record<string, string | undefined>>,
  options: DetectResourceOptions = {},
): Promise<LogResource | null> {
  const service = nonEmpty(env['K_SERVICE']);
  if (service === null) return null;
  const revision = nonEmpty(env['K_REVISION']);
  const configuration = nonEmpty(env['K_CONFIGURATION']);
  const envProject = nonEmpty(env['GOOGLE_CLOUD_PROJECT'] ?? env['GCLOUD_PROJECT'] ?? env['GCP_PROJECT']);
  const envRegion = nonEmpty(env['GOOGLE_CLOUD_REGION']);

  const found: { location: string | null; projectId: string | null } = { location: null, projectId: null };
  let outcome: MetadataOutcome = 'not_asked';
  if (envProject === null) {
    const metadata = options.metadata ?? libraryMetadata;
    const timeoutMs = Math.min(MAX_DETECT_MS, Math.max(0, options.timeoutMs ?? MAX_DETECT_MS));
    const lookups = [settle(() => metadata.projectId(), (v) => (found.projectId = v))];
    if (envRegion === null) lookups.push(settle(() => metadata.location(), (v) => (found.location = v)));
    outcome = await withinDeadline(lookups, timeoutMs);
  }

  const projectId = envProject ?? found.projectId;
  const location = envRegion ?? found.location;
  const labels: Record<string, string> = { service_name: service };
  if (revision !== null) labels['revision_name'] = revision;
  if (configuration !== null) labels['configuration_name'] = configuration;
  if (location !== null) labels['location'] = location;
  if (projectId !== null) labels['project_id'] = projectId;
  return {
    type: 'cloud_run_revision',
    labels,
    projectId,
    serviceContext: revision === null ? { service } : { service, version: revision },
    metadata: outcome,
  };
}

/** Resolves true when the lookup gave a value (stored by `keep`), false when it failed. */
function settle(lookup: () => Promise<string | null>, keep: (value: string) => void): Promise<boolean> {
  return new Promise<string | null>((resolve) => resolve(lookup())).then(
    (value) => {
      const v = nonEmpty(value);
      if (v === null) return false;
      keep(v);
      return true;
    },
    () => false,
  );
}

async function withinDeadline(lookups: readonly Promise<boolean>[], timeoutMs: number): Promise<MetadataOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const settled = await Promise.race([Promise.all(lookups), deadline]);
    return settled === 'timeout' ? 'timeout' : settled.every(Boolean) ? 'answered' : 'failed';
  } finally {
    clearTimeout(timer);
  }
}
