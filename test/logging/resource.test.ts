import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { suite, test } from 'node:test';
import { detectResource, libraryMetadata, MAX_DETECT_MS, type CloudRunMetadata } from '../../src/logging/resource.ts';
import { listenLoopback } from '../support/net.ts';

const CLOUD_RUN_ENV = {
  K_SERVICE: 'canary',
  K_REVISION: 'canary-00042-abc',
  K_CONFIGURATION: 'canary',
  PORT: '8080',
};

/** A metadata server double that counts what it is asked; `answer` decides each lookup. */
function metadataDouble(answer: (what: 'location' | 'projectId') => Promise<string | null>): CloudRunMetadata & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    location: () => {
      asked.push('location');
      return answer('location');
    },
    projectId: () => {
      asked.push('projectId');
      return answer('projectId');
    },
  };
}

const NEVER_ANSWERS = (): Promise<string | null> => new Promise(() => undefined);

suite('detectResource', () => {
  test('off Cloud Run (no K_SERVICE) it is null at once, with no probe', async () => {
    const metadata = metadataDouble(() => Promise.reject(new Error('must not be asked')));
    const started = performance.now();
    assert.equal(await detectResource({ HOME: '/root', GOOGLE_CLOUD_PROJECT: 'p' }, { metadata }), null);
    assert.equal(await detectResource({ K_SERVICE: '' }, { metadata }), null);
    assert.ok(performance.now() - started < 50);
    assert.deepEqual(metadata.asked, []);
  });

  test('with GOOGLE_CLOUD_PROJECT it comes from the environment alone, at once', async () => {
    const metadata = metadataDouble(NEVER_ANSWERS);
    const started = performance.now();
    const resource = await detectResource({ ...CLOUD_RUN_ENV, GOOGLE_CLOUD_PROJECT: 'my-project' }, { metadata });
    assert.ok(performance.now() - started < 50);
    assert.deepEqual(metadata.asked, []);
    assert.deepEqual(resource, {
      type: 'cloud_run_revision',
      labels: { service_name: 'canary', revision_name: 'canary-00042-abc', configuration_name: 'canary', project_id: 'my-project' },
      projectId: 'my-project',
      serviceContext: { service: 'canary', version: 'canary-00042-abc' },
      metadata: 'not_asked',
    });
  });

  test('with GOOGLE_CLOUD_PROJECT the default (library) lookups are not reached either', async () => {
    const started = performance.now();
    const resource = await detectResource({ ...CLOUD_RUN_ENV, GOOGLE_CLOUD_PROJECT: 'my-project', GOOGLE_CLOUD_REGION: 'europe-west1' });
    assert.ok(performance.now() - started < 50);
    assert.equal(resource?.metadata, 'not_asked');
    assert.equal(resource?.labels['location'], 'europe-west1');
  });

  test('without the project it asks the metadata server for project and region', async () => {
    const metadata = metadataDouble((what) => Promise.resolve(what === 'projectId' ? 'meta-project' : 'europe-west1'));
    const resource = await detectResource(CLOUD_RUN_ENV, { metadata });
    assert.deepEqual([...metadata.asked].sort(), ['location', 'projectId']);
    assert.deepEqual(resource, {
      type: 'cloud_run_revision',
      labels: {
        service_name: 'canary',
        revision_name: 'canary-00042-abc',
        configuration_name: 'canary',
        location: 'europe-west1',
        project_id: 'meta-project',
      },
      projectId: 'meta-project',
      serviceContext: { service: 'canary', version: 'canary-00042-abc' },
      metadata: 'answered',
    });
  });

  test('GOOGLE_CLOUD_REGION spares the region lookup', async () => {
    const metadata = metadataDouble(() => Promise.resolve('meta-project'));
    const resource = await detectResource({ ...CLOUD_RUN_ENV, GOOGLE_CLOUD_REGION: 'us-central1' }, { metadata });
    assert.deepEqual(metadata.asked, ['projectId']);
    assert.equal(resource?.labels['location'], 'us-central1');
    assert.equal(resource?.projectId, 'meta-project');
  });

  test('a metadata server that never answers is given up on at the deadline', async () => {
    const metadata = metadataDouble(NEVER_ANSWERS);
    const started = performance.now();
    const resource = await detectResource({ K_SERVICE: 'canary' }, { metadata, timeoutMs: 100 });
    const waited = performance.now() - started;
    assert.ok(waited >= 95 && waited < 1000, `waited ${waited} ms`);
    assert.deepEqual(resource, {
      type: 'cloud_run_revision',
      labels: { service_name: 'canary' },
      projectId: null,
      serviceContext: { service: 'canary' },
      metadata: 'timeout',
    });
  });

  test('the deadline is never longer than 2 s, whatever is asked for', async () => {
    const metadata = metadataDouble(NEVER_ANSWERS);
    const started = performance.now();
    const resource = await detectResource(CLOUD_RUN_ENV, { metadata, timeoutMs: 60_000 });
    const waited = performance.now() - started;
    assert.ok(waited >= MAX_DETECT_MS - 5 && waited < MAX_DETECT_MS + 500, `waited ${waited} ms`);
    assert.equal(resource?.metadata, 'timeout');
  });

  test('failed lookups leave their labels out', async () => {
    const metadata = metadataDouble((what) => (what === 'location' ? Promise.reject(new Error('403')) : Promise.resolve('p')));
    const resource = await detectResource(CLOUD_RUN_ENV, { metadata });
    assert.equal(resource?.metadata, 'failed');
    assert.deepEqual(resource?.labels, { service_name: 'canary', revision_name: 'canary-00042-abc', configuration_name: 'canary', project_id: 'p' });
  });
});

suite('libraryMetadata (gcp-metadata)', () => {
  test('asks the metadata server at GCE_METADATA_HOST for the project id and the zone, and keeps the region of the zone', async (t) => {
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(`${req.url ?? ''} ${String(req.headers['metadata-flavor'])}`);
      const answers: Record<string, string> = {
        '/computeMetadata/v1/project/project-id': 'meta-project',
        '/computeMetadata/v1/instance/zone': 'projects/123456/zones/europe-west1-1',
      };
      const answer = answers[req.url ?? ''];
      res.writeHead(answer === undefined ? 404 : 200, { 'Metadata-Flavor': 'Google', 'Content-Type': 'application/text' });
      res.end(answer ?? 'not found');
    });
    const port = await listenLoopback(server);
    const saved = process.env['GCE_METADATA_HOST'];
    process.env['GCE_METADATA_HOST'] = `127.0.0.1:${port}`;
    t.after(() => {
      if (saved === undefined) delete process.env['GCE_METADATA_HOST'];
      else process.env['GCE_METADATA_HOST'] = saved;
      server.closeAllConnections();
      server.close();
    });
    assert.equal(await libraryMetadata.projectId(), 'meta-project');
    assert.equal(await libraryMetadata.location(), 'europe-west1');
    assert.deepEqual(asked, ['/computeMetadata/v1/project/project-id Google', '/computeMetadata/v1/instance/zone Google']);
  });
});
