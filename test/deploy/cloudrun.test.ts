/**
 * deploy/cloudrun/: the Cloud Run service and the sidecar's scrape config carry exactly the settings
 * an always-on canary needs, and agree with each other, with the image and with the README's
 * commands.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseDuration } from '../../src/config/duration.ts';
import { listFiles } from './docker-context.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DIR = path.join(REPO, 'deploy', 'cloudrun');
/** The secrets `canary serve` reads from its environment. */
const SECRET_ENV = ['STAGING_JWT_SECRET', 'PRODUCTION_JWT_SECRET', 'CANARY_ADMIN_TOKEN'];
/** A check's `timeout` when its config sets none. */
const DEFAULT_CHECK_TIMEOUT_MS = 150_000;

interface HttpProbe {
  httpGet: { path: string; port: number };
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  startupProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Volume {
  name: string;
  secret?: { secretName: string; items: { key: string; path: string }[] };
}
interface Service {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    template: {
      metadata: { annotations: Record<string, unknown> };
      spec: { serviceAccountName: string; containerConcurrency: number; timeoutSeconds: number; containers: Container[]; volumes: Volume[] };
    };
  };
}
interface RunMonitoring {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { endpoints: { port: number; path: string; interval: string }[] };
}

describe('deploy/cloudrun', () => {
  let serviceText: string;
  let service: Service;
  let template: Service['spec']['template'];
  let canary: Container;
  let collector: Container;
  let monitoring: RunMonitoring;
  let readme: string;

  before(async () => {
    serviceText = await readFile(path.join(DIR, 'service.yaml'), 'utf8');
    service = parse(serviceText) as Service;
    template = service.spec.template;
    const byName = new Map(template.spec.containers.map((c) => [c.name, c]));
    canary = byName.get('canary') as Container;
    collector = byName.get('collector') as Container;
    monitoring = parse(await readFile(path.join(DIR, 'run-monitoring.yaml'), 'utf8')) as RunMonitoring;
    readme = await readFile(path.join(DIR, 'README.md'), 'utf8');
  });

  it('is the Knative service canary with the containers canary and collector', () => {
    assert.equal(service.apiVersion, 'serving.knative.dev/v1');
    assert.equal(service.kind, 'Service');
    assert.equal(service.metadata.name, 'canary');
    assert.deepEqual(template.spec.containers.map((c) => c.name), ['canary', 'collector']);
    assert.equal(template.spec.serviceAccountName, 'canary@${PROJECT_ID}.iam.gserviceaccount.com');
    assert.equal(canary.image, '${IMAGE}');
  });

  it('keeps exactly one instance with CPU always allocated and a startup boost', () => {
    const annotations = template.metadata.annotations;
    assert.equal(annotations['autoscaling.knative.dev/minScale'], '1');
    assert.equal(annotations['autoscaling.knative.dev/maxScale'], '1');
    assert.equal(annotations['run.googleapis.com/cpu-throttling'], 'false');
    assert.equal(annotations['run.googleapis.com/startup-cpu-boost'], 'true');
    // Cloud Run takes annotation values as strings only.
    assert.deepEqual(Object.entries(annotations).filter(([, value]) => typeof value !== 'string'), []);
  });

  it('serves on 8080 from the canary container alone, and leaves PORT to Cloud Run', () => {
    assert.deepEqual(canary.ports, [{ name: 'http1', containerPort: 8080 }]);
    assert.equal(collector.ports, undefined);
    assert.deepEqual(template.spec.containers.flatMap((c) => c.env ?? []).filter((e) => e.name === 'PORT'), []);
    assert.ok(template.spec.containerConcurrency >= 1 && template.spec.containerConcurrency <= 80, `containerConcurrency ${template.spec.containerConcurrency}`);
  });

  it('lets a request wait longer than the longest check timeout of the shipped templates', async () => {
    const templates = (await listFiles(path.join(REPO, 'checks'))).filter((file) => file.endsWith('.example.yaml'));
    const timeoutsMs = await Promise.all(
      templates.map(async (file) => {
        const doc = parse(await readFile(path.join(REPO, 'checks', file), 'utf8')) as { checks: { timeout?: string }[] };
        return doc.checks.map((check) => (check.timeout === undefined ? DEFAULT_CHECK_TIMEOUT_MS : (parseDuration(check.timeout) ?? Number.NaN)));
      }),
    );
    const longestMs = Math.max(DEFAULT_CHECK_TIMEOUT_MS, ...timeoutsMs.flat());
    assert.ok(template.spec.timeoutSeconds * 1000 > longestMs + 1000, `timeoutSeconds ${template.spec.timeoutSeconds} vs a ${longestMs} ms check`);
  });

  it('probes start-up on /readyz and liveness on /healthz, on the container port', () => {
    const { startupProbe, livenessProbe } = canary;
    assert.deepEqual(startupProbe?.httpGet, { path: '/readyz', port: 8080 });
    assert.deepEqual(livenessProbe?.httpGet, { path: '/healthz', port: 8080 });
    for (const probe of [startupProbe, livenessProbe]) {
      assert.ok(probe !== undefined && probe.timeoutSeconds <= probe.periodSeconds, 'Cloud Run wants timeoutSeconds <= periodSeconds');
    }
    // Start-up gets 10 s to 4 min (Cloud Run's bound); liveness restarts after 30 s to 3 min of silence.
    const startupS = (startupProbe?.periodSeconds ?? 0) * (startupProbe?.failureThreshold ?? 0);
    const livenessS = (livenessProbe?.periodSeconds ?? 0) * (livenessProbe?.failureThreshold ?? 0);
    assert.ok(startupS >= 10 && startupS <= 240, `startup window ${startupS} s`);
    assert.ok(livenessS >= 30 && livenessS <= 180, `liveness window ${livenessS} s`);
  });

  it('reads every secret from Secret Manager, latest version, and none inline', () => {
    const env = canary.env ?? [];
    assert.deepEqual(
      env.map((e) => [e.name, e.value === undefined ? e.valueFrom?.secretKeyRef?.key : 'inline']),
      SECRET_ENV.map((name) => [name, 'latest']),
    );
    assert.deepEqual(
      env.map((e) => e.valueFrom?.secretKeyRef?.name),
      ['canary-staging-jwt-secret', 'canary-production-jwt-secret', 'canary-admin-token'],
    );
  });

  it('runs the Managed Service for Prometheus sidecar after canary, with RunMonitoring from Secret Manager', () => {
    const [repository, tag] = collector.image.split(':');
    assert.equal(repository, 'us-docker.pkg.dev/cloud-ops-agents-artifacts/cloud-run-gmp-sidecar/cloud-run-gmp-sidecar');
    assert.match(tag ?? '', /^1\.\d+\.\d+$/);
    const dependencies: unknown = JSON.parse(String(template.metadata.annotations['run.googleapis.com/container-dependencies']));
    assert.deepEqual(dependencies, { collector: ['canary'] });
    // The sidecar reads exactly /etc/rungmp/config.yaml.
    const mounts = (collector.volumeMounts ?? []).flatMap((mount) => {
      const volume = template.spec.volumes.find((v) => v.name === mount.name);
      return (volume?.secret?.items ?? []).map((item) => [volume?.secret?.secretName, item.key, path.posix.join(mount.mountPath, item.path)]);
    });
    assert.deepEqual(mounts, [['canary-run-monitoring', 'latest', '/etc/rungmp/config.yaml']]);
  });

  it('scrapes /metrics on the container port every 30 s', () => {
    assert.equal(monitoring.apiVersion, 'monitoring.googleapis.com/v1beta');
    assert.equal(monitoring.kind, 'RunMonitoring');
    assert.equal(monitoring.metadata.name, 'canary');
    assert.deepEqual(monitoring.spec.endpoints, [{ port: canary.ports?.[0]?.containerPort, path: '/metrics', interval: '30s' }]);
  });

  it('needs only the placeholders the README fills in, and only secrets the README creates and grants', () => {
    const placeholders = [...new Set([...serviceText.replace(/^\s*#.*$/gm, '').matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]))].sort();
    assert.deepEqual(placeholders, ['IMAGE', 'PROJECT_ID']);
    assert.ok(readme.includes("envsubst '$PROJECT_ID $IMAGE' < deploy/cloudrun/service.yaml"));
    const used = [...(canary.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name), ...template.spec.volumes.map((v) => v.secret?.secretName)].sort();
    const created = [...readme.matchAll(/gcloud secrets create (\S+)/g)].map((m) => m[1]);
    const granted = /for secret in ([^;]+); do/.exec(readme)?.[1]?.trim().split(/\s+/) ?? [];
    assert.deepEqual(used.filter((name) => !created.includes(name)), []);
    assert.deepEqual(used.filter((name) => !granted.includes(name ?? '')), []);
    for (const role of ['roles/secretmanager.secretAccessor', 'roles/monitoring.metricWriter', 'roles/logging.logWriter']) assert.ok(readme.includes(`--role=${role}`), role);
  });
});
