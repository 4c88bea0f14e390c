/**
 * The container image, proven without a Docker engine: the Dockerfile's final stage is replayed
 * step by step into a temporary folder (docker-stage.ts). Its build stage's `npm run build` runs
 * over exactly the sources .dockerignore lets in, its production install runs against the npm
 * registry, and its ENTRYPOINT + CMD starts there with this Node (the image's major) against the
 * reference backend, the way Cloud Run would start the container.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startReferenceBackend } from '../../src/reference/index.ts';
import { valueOf } from '../metrics/test-helpers.ts';
import { freePort, until } from '../support/net.ts';
import { isIgnored, listFiles, parseDockerignore, resolveCopy } from './docker-context.ts';
import { DockerfileError, parseDockerfile, type Stage } from './docker-file.ts';
import { moduleGraph } from './docker-imports.ts';
import { planRun, replayFinalStage, type ReplayedStage } from './docker-stage.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The --build-arg the replayed image is built with; canary_build_info must report it. */
const REVISION = 'proof-4f1c2d9';
/** Bound on each replayed command (npm ci against the registry, tsc); each takes seconds with the default npm cache warm. */
const NPM_TIMEOUT_MS = 120_000;
/** The search path inside the container, with this Node first, standing in for the image's. */
const CONTAINER_PATH = [path.dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');

const execFileAsync = promisify(execFile);

/** An exec-form command with `node` as the image has it: here, this Node. */
function withThisNode(argv: readonly string[] | null): [string, string[]] {
  assert.ok(argv !== null && argv[0] === 'node', `expected a command starting with node, got ${JSON.stringify(argv)}`);
  return [process.execPath, argv.slice(1)];
}

describe('the Dockerfile and .dockerignore, read the way docker build reads them', () => {
  it('joins continued lines across comments, and resolves ARG defaults and --build-arg in ENV', () => {
    const text = ['FROM node:24-alpine AS b', 'RUN one \\', '  # a comment inside', '  && two', 'FROM node:24-alpine', 'ARG REV=unknown', 'ENV REV=${REV} MODE="a b"', 'USER node'].join('\n');
    const [build, image] = parseDockerfile(text);
    assert.deepEqual(build?.steps, [{ kind: 'RUN', command: 'one   && two', env: {} }]);
    assert.deepEqual(image?.env, { REV: 'unknown', MODE: 'a b' });
    assert.deepEqual(parseDockerfile(text, { REV: 'abc123' })[1]?.env, { REV: 'abc123', MODE: 'a b' });
  });

  it('refuses what the replay does not follow, naming the line', () => {
    const cases: [string, string][] = [
      ['FROM node:24\nENTRYPOINT node dist/cli/main.js', 'line 2: ENTRYPOINT must use the exec form, a JSON array of strings (the shell form puts sh in front of node, and SIGTERM never reaches it)'],
      ['FROM node:24\nADD src /app/src', 'line 2: ADD is not followed by the replay'],
      ['FROM node:24\nRUN --mount=type=cache,target=/root/.npm npm ci', 'line 2: RUN is replayed in the shell form only, without flags'],
      ['FROM node:24\nCOPY --exclude=*.md . .', 'line 2: COPY --exclude is not supported by the replay'],
      ['USER node', 'line 1: USER before the first FROM'],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseDockerfile(text), (error: unknown) => error instanceof DockerfileError && error.message === message, text);
    }
  });

  it('lets into the context only the sources, the lockfile and the shipped configs, never a test', async () => {
    const rules = parseDockerignore(await readFile(path.join(REPO, '.dockerignore'), 'utf8'));
    const cases: [string, boolean][] = [
      ['package.json', false],
      ['package-lock.json', false],
      ['tsconfig.json', false],
      ['src/cli/main.ts', false],
      ['src/metrics/families.ts', false],
      ['checks/local.yaml', false],
      ['checks/staging.example.yaml', false],
      ['checks/canary.schema.json', false],
      ['checks/staging.yaml', true],
      ['node_modules/ws/index.js', true],
      ['dist/cli/main.js', true],
      ['.git/HEAD', true],
      ['canary.xml', true],
      ['npm-debug.log', true],
      ['README.md', true],
      ['test/cli/serve.test.ts', true],
      ['test/config/test-helpers.ts', true],
      ['test/reference/testkit.ts', true],
      ['test/support/fixtures.ts', true],
      ['test/deploy/docker-file.ts', true],
      ['test/tsconfig.json', true],
    ];
    assert.deepEqual(
      cases.map(([file]) => [file, isIgnored(rules, file)]),
      cases,
    );
  });

  it('copies a folder into the destination, files by name, and one file to a file path', () => {
    const files = ['checks/a.yaml', 'checks/b/c.yaml', 'package.json', 'package-lock.json'];
    assert.deepEqual(resolveCopy(files, ['checks'], './checks', '/app'), [
      { from: 'checks/a.yaml', to: '/app/checks/a.yaml' },
      { from: 'checks/b/c.yaml', to: '/app/checks/b/c.yaml' },
    ]);
    assert.deepEqual(resolveCopy(files, ['package.json', 'package-lock.json'], './', '/app'), [
      { from: 'package.json', to: '/app/package.json' },
      { from: 'package-lock.json', to: '/app/package-lock.json' },
    ]);
    assert.deepEqual(resolveCopy(files, ['package.json'], '/srv/p.json', '/app'), [{ from: 'package.json', to: '/srv/p.json' }]);
    assert.throws(() => resolveCopy(files, ['src'], './src', '/app'), /COPY src: no such file or folder in the build context/);
  });

  it('replays each RUN command it knows, and only those', () => {
    const cases: [string, boolean, ReturnType<typeof planRun>][] = [
      ['npm ci --omit=dev --ignore-scripts --no-audit --no-fund', true, { action: 'run' }],
      ['npm cache clean --force', true, { action: 'skip', why: 'keeps the npm cache out of the layer; here it would empty the default cache' }],
      ['npm ci --ignore-scripts --no-audit --no-fund', false, { action: 'link-node-modules', why: "the checkout's node_modules, installed from the same lockfile, dev dependencies included" }],
      ['npm run build', false, { action: 'run' }],
      ['npm ci', true, null],
      ['npm run build', true, null],
      ['apt-get install -y curl', true, null],
    ];
    assert.deepEqual(
      cases.map(([command, final]) => [command, final, planRun(command, final)]),
      cases,
    );
  });
});

describe('the image, replayed from the Dockerfile', { timeout: NPM_TIMEOUT_MS + 60_000 }, () => {
  let stages: Stage[];
  let image: Stage;
  let replayed: ReplayedStage;
  let scratch: string;
  let files: string[];
  const replayLog: string[] = [];

  before(
    async () => {
      stages = parseDockerfile(await readFile(path.join(REPO, 'Dockerfile'), 'utf8'), { CANARY_REVISION: REVISION });
      image = stages.at(-1) as Stage;
      scratch = await mkdtemp(path.join(tmpdir(), 'canary-image-'));
      replayed = await replayFinalStage({
        stages,
        ignore: parseDockerignore(await readFile(path.join(REPO, '.dockerignore'), 'utf8')),
        context: REPO,
        scratch,
        path: CONTAINER_PATH,
        commandTimeoutMs: NPM_TIMEOUT_MS,
        log: (line) => replayLog.push(line),
      });
      files = await listFiles(replayed.dir);
    },
    { timeout: NPM_TIMEOUT_MS + 30_000 },
  );
  after(() => rm(scratch, { recursive: true, force: true }));

  it('builds every stage on Node 24, the Node this test runs the image with', () => {
    assert.deepEqual(
      stages.map((s) => /^node:24-(bookworm-slim|alpine)(@sha256:[0-9a-f]{64})?$/.test(s.base)),
      stages.map(() => true),
      `bases: ${stages.map((s) => s.base).join(', ')}`,
    );
    assert.equal(process.versions.node.split('.')[0], '24');
  });

  it('runs canary serve --config config as the non-root user node, in production mode, on port 8080', () => {
    assert.equal(image.user, 'node');
    assert.equal(image.workdir, '/app');
    assert.deepEqual(image.expose, ['8080']);
    assert.deepEqual(image.env, { NODE_ENV: 'production', NODE_OPTIONS: '--max-semi-space-size=1', CANARY_REVISION: REVISION });
    assert.deepEqual(image.entrypoint, ['node', 'dist/cli/main.js']);
    assert.deepEqual(image.cmd, ['serve', '--config', 'config']);
    assert.ok(!('PORT' in image.env), 'PORT is Cloud Run\'s to set');
    // The build stage is replayed when the final stage first copies from it, after its own RUN.
    assert.deepEqual(replayLog, [
      'skipped `npm cache clean --force`: keeps the npm cache out of the layer; here it would empty the default cache',
      "stood in for `npm ci --ignore-scripts --no-audit --no-fund`: the checkout's node_modules, installed from the same lockfile, dev dependencies included",
    ]);
  });

  it('holds production dependencies only: no typescript, no esbuild, no node@24, no @types of its own', async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const installed = (name: string): boolean => existsSync(path.join(replayed.dir, 'node_modules', name, 'package.json'));
    assert.deepEqual(['typescript', 'esbuild', 'node', '@types/express', '@types/ws'].filter(installed), []);
    assert.deepEqual(Object.keys(pkg.dependencies).filter((name) => !installed(name)), []);
    // The lockfile marks every package only the dev dependencies need; none of them is here.
    const lock = JSON.parse(await readFile(path.join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([, p]) => p.dev === true).map(([at]) => at);
    assert.ok(devOnly.includes('node_modules/typescript') && devOnly.includes('node_modules/node'));
    assert.deepEqual(devOnly.filter((at) => existsSync(path.join(replayed.dir, at))), []);
    // What @types there is comes with production packages (google-gax, protobufjs), not from canary.
    const types = files.filter((file) => /^node_modules\/@types\/[^/]+\/package\.json$/.test(file)).map((file) => file.split('/').slice(0, 3).join('/'));
    assert.deepEqual(types.filter((at) => lock.packages[at] === undefined || lock.packages[at].dev === true), []);
  });

  it('holds no TypeScript source and no compiled test or test helper', () => {
    const own = files.filter((file) => !file.startsWith('node_modules/'));
    assert.deepEqual(own.filter((file) => file.endsWith('.ts') || file.startsWith('src/')), []);
    assert.deepEqual(own.filter((file) => /\.test\.js(\.map)?$|(^|\/)(test-helpers|testkit|browser-helpers)\.js|^dist\/(testing|deploy)\//.test(file)), []);
    assert.deepEqual(
      own.filter((file) => !file.startsWith('dist/') && !file.startsWith('checks/')),
      ['package-lock.json', 'package.json'],
    );
  });

  it('holds every module the runtime imports and no other, and every package it imports is installed', async () => {
    const dist = files.filter((file) => file.startsWith('dist/') && file.endsWith('.js'));
    const graph = await moduleGraph(replayed.dir, ['dist/cli/main.js']);
    assert.deepEqual(graph.missing, []);
    // Every chunk of the bundle is reached from the entry point (statically or through import()).
    assert.deepEqual(dist.filter((file) => !graph.reached.has(file)), []);
    assert.ok(dist.length > 1 && dist.every((file) => /^dist\/cli\/[\w-]+\.js$/.test(file)), dist.join(', '));
    const pkg = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.deepEqual([...graph.packages].filter((name) => !(name in pkg.dependencies)), []);
    assert.deepEqual([...graph.packages].filter((name) => !existsSync(path.join(replayed.dir, 'node_modules', name))), []);
  });

  it('ships checks/local.yaml, the templates and the schema, and no other config', async () => {
    const shipped = files.filter((file) => file.startsWith('checks/')).map((file) => file.slice('checks/'.length));
    const templates = (await listFiles(path.join(REPO, 'checks'))).filter((file) => file.endsWith('.example.yaml'));
    assert.deepEqual(shipped, ['canary.schema.json', 'local.yaml', ...templates].sort());
  });

  it('refuses to start without checks mounted at /app/config: exit 2 and one line that says where', async () => {
    const env = { ...image.env, PATH: CONTAINER_PATH, PORT: String(await freePort()) };
    const [command, args] = withThisNode([...(image.entrypoint ?? []), ...(image.cmd ?? [])]);
    const ran = await execFileAsync(command, args, { cwd: replayed.dir, env, timeout: 15_000 }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
    assert.deepEqual(ran, {
      code: 2,
      stdout: '',
      stderr: `canary serve: no targets configured: mount your checks at ${path.join(replayed.dir, 'config')} (one YAML file per target; canary init writes one), or run canary serve without --config for the demo\n`,
    });
  });

  it('answers /healthz, /readyz, /metrics with up=1 from its start-up run, passes its HEALTHCHECK, and exits 0 on SIGTERM', async (t) => {
    const backend = await startReferenceBackend();
    t.after(() => backend.close());
    // What a mount at /app/config gives it: here checks/local.yaml, pointed at the reference backend.
    const mounted = path.join(replayed.dir, 'config');
    await mkdir(mounted);
    await copyFile(path.join(REPO, 'checks', 'local.yaml'), path.join(mounted, 'local.yaml'));
    t.after(() => rm(mounted, { recursive: true, force: true }));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // What the container gets: the image's ENV, and PORT as Cloud Run sets it. CANARY_TARGET_PORT
    // points the mounted local.yaml at the reference backend.
    const env = { ...image.env, PATH: CONTAINER_PATH, PORT: String(port), CANARY_TARGET_PORT: String(backend.port) };
    const [command, args] = withThisNode([...(image.entrypoint ?? []), ...(image.cmd ?? [])]);
    const child = spawn(command, args, { cwd: replayed.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    t.after(() => child.kill('SIGKILL'));
    const alive = async <T>(probe: () => Promise<T | null>): Promise<T | null> => {
      if (child.exitCode !== null) throw new Error(`the container exited ${child.exitCode}:\n${output}`);
      return probe();
    };

    await until('200 from /healthz', () => alive(async () => ((await fetch(`${base}/healthz`)).status === 200 ? true : null)), 15_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${output}`);
    });
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const metrics = await until(
      'canary_check_up 1 from the start-up run',
      () =>
        alive(async () => {
          const response = await fetch(`${base}/metrics`);
          const text = await response.text();
          return response.status === 200 && valueOf(text, 'canary_check_up', { check: 'golden_path', target: 'local' }) === 1 ? text : null;
        }),
      15_000,
    );
    const pkg = JSON.parse(await readFile(path.join(replayed.dir, 'package.json'), 'utf8')) as { version: string };
    assert.equal(valueOf(metrics, 'canary_build_info', { version: pkg.version, revision: REVISION }), 1);
    assert.equal(valueOf(metrics, 'canary_check_runs_total', { check: 'golden_path', target: 'local', result: 'failure' }), 0);

    const [hcCommand, hcArgs] = withThisNode(image.healthcheck);
    await execFileAsync(hcCommand, hcArgs, { cwd: replayed.dir, env, timeout: 10_000 });

    const stopping = Date.now();
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.ok(Date.now() - stopping < 8000, `SIGTERM took ${Date.now() - stopping} ms`);
    await assert.rejects(execFileAsync(hcCommand, hcArgs, { cwd: replayed.dir, env, timeout: 10_000 }), (error: { code?: number }) => error.code === 1);
  });
});
