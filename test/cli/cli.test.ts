import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReferenceBackend, REFERENCE_SECRET, type ReferenceBackend } from '../../src/reference/index.ts';
import { FIVE_EVENTS, goldenPathCheck, jwtAuth } from '../support/fixtures.ts';
import { runOnce } from '../support/run.ts';
import { RUN_HELP } from '../../src/cli/run.ts';
import { VALIDATE_HELP } from '../../src/cli/validate.ts';
import { targetHelp } from '../../src/cli/target.ts';
import { LOCAL_CONFIG, PACKAGE_ROOT } from '../../src/cli/paths.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** Each case is a node process; more at once only adds CPU contention for the other test files. */
const CLI_PROCESSES_AT_ONCE = 6;
/** A CLI run that takes longer than this is a hang. */
const CLI_TIMEOUT_MS = 20_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without the caller's CANARY_* settings (and the test runner's own), plus `extra`. */
function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('CANARY_') && name !== 'NODE_TEST_CONTEXT') env[name] = value;
  }
  return { ...env, ...extra };
}

/** Starts `node src/cli/main.ts ...args`; `t.after` kills it if it is still running. */
function start(t: TestContext, args: readonly string[], env: Readonly<Record<string, string>> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: PACKAGE_ROOT, env: cleanEnv(env), timeout: CLI_TIMEOUT_MS });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

function exited(child: ChildProcessWithoutNullStreams): Promise<Exit> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the CLI to its end. */
function cli(t: TestContext, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Exit> {
  return exited(start(t, args, env));
}

/** The single JSON line of a `--json` run with one check. */
function onlyJsonLine(exit: Exit): Record<string, unknown> {
  const lines = exit.stdout.split('\n');
  assert.equal(lines.length, 2, `expected one line, got stdout: ${exit.stdout}\nstderr: ${exit.stderr}`);
  assert.equal(lines[1], '');
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

function jsonLines(exit: Exit): Record<string, unknown>[] {
  return exit.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function eventNames(record: Record<string, unknown>): string[] {
  return (record['events'] as { name: string }[]).map((e) => e.name);
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'canary-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Keys of every `--json` line: a contract for pipelines. */
const REQUIRED_KEYS = [
  'check', 'target', 'runId', 'result', 'phase', 'reason', 'closeCode', 'closeReason', 'httpStatus',
  'events', 'phases', 'durationSeconds', 'protocol',
];

describe('canary run with the embedded reference backend', { concurrency: true }, () => {
  it('run --json: exit 0 and exactly one JSON line for a successful golden path', async (t) => {
    const exit = await cli(t, ['run', '--check', 'golden_path', '--json']);
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(exit.stderr, '');
    const record = onlyJsonLine(exit);
    for (const key of REQUIRED_KEYS) assert.ok(Object.hasOwn(record, key), `missing key ${key}`);
    assert.deepEqual(
      {
        check: record['check'], target: record['target'], type: record['type'], result: record['result'], phase: record['phase'],
        reason: record['reason'], closeCode: record['closeCode'], closeReason: record['closeReason'], httpStatus: record['httpStatus'],
        protocol: record['protocol'], degradations: record['degradations'], tlsCertExpiresAt: record['tlsCertExpiresAt'],
      },
      {
        check: 'golden_path', target: 'local', type: 'golden_path', result: 'success', phase: null,
        reason: null, closeCode: null, closeReason: null, httpStatus: null,
        protocol: { welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth' }, degradations: [], tlsCertExpiresAt: null,
      },
    );
    assert.deepEqual(eventNames(record), [...FIVE_EVENTS]);
    assert.deepEqual(Object.keys(record['phases'] as object), ['token', 'dns', 'tcp', 'upgrade', 'welcome', 'events']);
    assert.match(String(record['runId']), /^[0-9a-f]{16}$/);
    assert.match(String(record['url']), /^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    assert.equal(typeof record['durationSeconds'], 'number');
    assert.equal(Object.hasOwn(record, 'transcript'), false);
  });

  it('run --json --transcript adds the redacted transcript', async (t) => {
    const exit = await cli(t, ['run', '--check', 'golden_path', '--json', '--transcript']);
    assert.equal(exit.code, 0, exit.stderr);
    const transcript = onlyJsonLine(exit)['transcript'] as { entries: { dir: string; type: string | null }[]; dropped: number };
    assert.equal(transcript.dropped, 0);
    assert.deepEqual(
      transcript.entries.filter((e) => e.type !== null).map((e) => `${e.dir}:${e.type}`),
      ['in:ping', 'out:pong', 'in:system_message', 'out:user_message', ...FIVE_EVENTS.map((name) => `in:${name}`)],
    );
    assert.equal(exit.stdout.includes(REFERENCE_SECRET), false);
    assert.equal(/eyJ[A-Za-z0-9_-]+\.eyJ/.test(exit.stdout), false);
  });

  it('plain output of a success: the outcome line, the phase waterfall and the five events', async (t) => {
    const exit = await cli(t, ['run', '--check', 'golden_path']);
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stdout, /^✔ success {2}local\/golden_path {2}\d+\.\d{3}s {2}run [0-9a-f]{16}\n/);
    assert.match(exit.stdout, /\n {2}phases\n/);
    for (const phase of ['token', 'dns', 'tcp', 'upgrade', 'welcome', 'events']) {
      assert.match(exit.stdout, new RegExp(`\\n {4}${phase.padEnd(8)} [ █]{32} +\\d+(\\.\\d)? ms\\n`), `waterfall line for ${phase}`);
    }
    assert.match(exit.stdout, /\n {2}events\n/);
    for (const name of FIVE_EVENTS) assert.match(exit.stdout, new RegExp(`\\n {4}${name.padEnd(18)} \\+\\d+\\.\\d{3}s\\n`), `event line ${name}`);
    assert.match(exit.stdout, /\n {2}protocol welcome=system_message envelope=payload subprotocol=jwt-auth\n\n$/);
    assert.equal(exit.stdout.includes('transcript'), false);
    assert.match(exit.stderr, /^Reference backend listening at ws:\/\/127\.0\.0\.1:\d+\/ws\n1 run\(s\): 1 ok, 0 failed\n$/);
  });

  it('plain output of a failure: the reason line, the close and the transcript', async (t) => {
    const exit = await cli(t, ['run', '--check', 'golden_path', '--fault', 'close_1011_after=2']);
    assert.equal(exit.code, 1, exit.stderr);
    assert.match(exit.stdout, /^✘ failure {2}local\/golden_path /);
    assert.ok(
      exit.stdout.includes('\n  reason   close_1011 in phase events: the server closed with 1011 "Internal error" in phase events\n'),
      exit.stdout,
    );
    assert.ok(exit.stdout.includes('\n  close    1011 "Internal error"\n'), exit.stdout);
    assert.match(exit.stdout, /\n {2}transcript \(last 9 of 9\)\n/);
    assert.match(exit.stdout, /\n {4}\+ *\d+\.\dms -> upgrade \(0 B\) {2}GET \/ws \(auth: header\+subprotocol\)\n/);
    assert.match(exit.stdout, /\n {4}\+ *\d+\.\dms <- close \(0 B\) {2}1011 Internal error\n\n$/);
    assert.match(
      exit.stderr,
      /^Reference backend listening at ws:\/\/127\.0\.0\.1:\d+\/ws with fault close_1011_after=2\n1 run\(s\): 0 ok, 1 failed\n$/,
    );
  });

  it('run --junit writes JUnit XML for a success and for a failure', async (t) => {
    const dir = await tempDir(t);
    const okFile = path.join(dir, 'ok.xml');
    const failFile = path.join(dir, 'fail.xml');
    const [ok, failed] = await Promise.all([
      cli(t, ['run', '--check', 'golden_path', '--json', '--junit', okFile]),
      cli(t, ['run', '--check', 'golden_path', '--json', '--junit', failFile, '--fault', 'close_1011_after=2']),
    ]);
    assert.deepEqual([ok.code, failed.code], [0, 1]);
    const okXml = await readFile(okFile, 'utf8');
    assert.match(
      okXml,
      new RegExp(
        [
          '^<\\?xml version="1\\.0" encoding="UTF-8"\\?>',
          '<testsuites name="canary" tests="1" failures="0" errors="0" time="\\d+\\.\\d{3}">',
          '  <testsuite name="local" tests="1" failures="0" errors="0" skipped="0" time="\\d+\\.\\d{3}">',
          '    <properties>',
          '      <property name="url" value="ws://127\\.0\\.0\\.1:\\d+/ws"/>',
          '    </properties>',
          '    <testcase classname="canary\\.local" name="golden_path" time="\\d+\\.\\d{3}"></testcase>',
          '  </testsuite>',
          '</testsuites>',
          '$',
        ].join('\\n'),
      ),
    );
    const failXml = await readFile(failFile, 'utf8');
    assert.match(failXml, /\n<testsuites name="canary" tests="1" failures="1" errors="0" time="\d+\.\d{3}">\n/);
    assert.match(failXml, /\n {2}<testsuite name="local" tests="1" failures="1" errors="0" skipped="0" time="\d+\.\d{3}">\n/);
    assert.ok(
      failXml.includes(
        '<failure type="close_1011" message="close_1011 in phase events: the server closed with 1011 &quot;Internal error&quot; in phase events">',
      ),
      failXml,
    );
    assert.ok(failXml.includes('\nclose 1011 Internal error\nevents agent_started, agent_thinking\n'), failXml);
    assert.match(failXml, /<\/failure>\n {4}<\/testcase>\n {2}<\/testsuite>\n<\/testsuites>\n$/);
    assert.equal((failXml.match(/<testcase /g) ?? []).length, 1);
  });

  it('a bad --fault spec exits 2 with the parser message', async (t) => {
    const exit = await cli(t, ['run', '--fault', 'close_1011_after=two']);
    assert.equal(exit.code, 2);
    assert.equal(
      exit.stderr,
      `canary run: Invalid fault spec "close_1011_after=two": fault "close_1011_after" has a bad value "two": expected an integer from 0 to 1000000\n\n${RUN_HELP}`,
    );
    assert.equal(exit.stdout, '');
  });
});

interface CliFaultCase {
  readonly fault: string;
  readonly exitCode: 0 | 1;
  readonly expect: Record<string, unknown>;
}

const FAILURE = { result: 'failure', closeCode: null, closeReason: null, httpStatus: null, missingEvent: null, degradations: [] };
const STARTED = ['agent_started'];
const TWO = ['agent_started', 'agent_thinking'];

/** Every fault class the engine tells apart that ends quickly; timeouts are covered by the engine tests. */
const CLI_FAULTS: readonly CliFaultCase[] = [
  { fault: 'close_1011_after=2', exitCode: 1, expect: { ...FAILURE, phase: 'events', reason: 'close_1011', closeCode: 1011, closeReason: 'Internal error', events: TWO } },
  { fault: 'close_1011_handshake', exitCode: 1, expect: { ...FAILURE, phase: 'welcome', reason: 'close_1011', closeCode: 1011, closeReason: 'Factory SSOT validation failed', events: [] } },
  { fault: 'error_frame_1011', exitCode: 1, expect: { ...FAILURE, phase: 'events', reason: 'close_1011', closeCode: 1011, closeReason: 'Internal error', events: [] } },
  {
    fault: 'drop_event=tool_completed',
    exitCode: 1,
    expect: { ...FAILURE, phase: 'events', reason: 'event_missing', missingEvent: 'tool_completed', events: ['agent_started', 'agent_thinking', 'tool_executing', 'agent_completed'] },
  },
  {
    fault: 'reorder',
    exitCode: 1,
    expect: { ...FAILURE, phase: 'events', reason: 'event_order', events: ['agent_started', 'tool_executing', 'agent_thinking', 'tool_completed', 'agent_completed'] },
  },
  { fault: 'agent_error', exitCode: 1, expect: { ...FAILURE, phase: 'events', reason: 'agent_error', events: [...TWO, 'agent_error'] } },
  { fault: 'completed_error', exitCode: 1, expect: { ...FAILURE, phase: 'events', reason: 'agent_error', events: [...FIVE_EVENTS] } },
  { fault: 'error_frame', exitCode: 1, expect: { ...FAILURE, phase: 'events', reason: 'server_error', events: [] } },
  { fault: 'close_1000_early', exitCode: 1, expect: { ...FAILURE, phase: 'events', reason: 'close_unexpected', closeCode: 1000, closeReason: 'Normal closure', events: STARTED } },
  { fault: 'close_code_after=1013@1', exitCode: 1, expect: { ...FAILURE, phase: 'events', reason: 'close_unexpected', closeCode: 1013, closeReason: 'Injected close', events: STARTED } },
  { fault: 'drop_socket_after=1', exitCode: 1, expect: { ...FAILURE, phase: 'events', reason: 'close_abnormal', closeCode: 1006, events: STARTED } },
  { fault: 'drop_socket_handshake', exitCode: 1, expect: { ...FAILURE, phase: 'welcome', reason: 'close_abnormal', closeCode: 1006, events: [] } },
  { fault: 'auth_frame', exitCode: 1, expect: { ...FAILURE, phase: 'welcome', reason: 'auth_rejected', closeCode: 1008, closeReason: 'Authentication failed', events: [] } },
  { fault: 'auth_http=401', exitCode: 1, expect: { ...FAILURE, phase: 'upgrade', reason: 'auth_rejected', httpStatus: 401, events: [] } },
  { fault: 'auth_http=403', exitCode: 1, expect: { ...FAILURE, phase: 'upgrade', reason: 'auth_rejected', httpStatus: 403, events: [] } },
  { fault: 'upgrade_status=503', exitCode: 1, expect: { ...FAILURE, phase: 'upgrade', reason: 'upgrade_rejected', httpStatus: 503, events: [] } },
  { fault: 'bad_welcome', exitCode: 1, expect: { ...FAILURE, phase: 'welcome', reason: 'welcome_invalid', events: [] } },
  { fault: 'wrong_welcome', exitCode: 1, expect: { ...FAILURE, phase: 'welcome', reason: 'welcome_invalid', events: [] } },
  { fault: 'giant_frame', exitCode: 1, expect: { ...FAILURE, phase: 'events', reason: 'frame_too_large', events: STARTED } },
  {
    fault: 'unknown_shape',
    exitCode: 0,
    expect: { ...FAILURE, result: 'degraded', phase: null, reason: null, degradations: ['unknown_frame'], events: [...FIVE_EVENTS] },
  },
  { fault: 'pong_required', exitCode: 0, expect: { ...FAILURE, result: 'success', phase: null, reason: null, events: [...FIVE_EVENTS] } },
  { fault: 'subprotocol=new', exitCode: 0, expect: { ...FAILURE, result: 'success', phase: null, reason: null, events: [...FIVE_EVENTS] } },
  // the third generation: handshake, sub-agents, the answer checked by checks/local.yaml
  {
    fault: 'lifecycle,sub_agents=1',
    exitCode: 0,
    expect: { ...FAILURE, result: 'success', phase: null, reason: null, events: ['agent_started', 'agent_thinking', 'agent_started', 'agent_completed', 'tool_executing', 'tool_completed', 'agent_completed'] },
  },
];

describe('canary run --json --fault: every fault class, exit code and outcome', { concurrency: CLI_PROCESSES_AT_ONCE }, () => {
  for (const { fault, exitCode, expect } of CLI_FAULTS) {
    it(`--fault ${fault} → exit ${exitCode}, ${String(expect['result'])} ${String(expect['reason'] ?? '')}`, async (t) => {
      const exit = await cli(t, ['run', '--check', 'golden_path', '--json', '--fault', fault]);
      assert.equal(exit.code, exitCode, `stdout: ${exit.stdout}\nstderr: ${exit.stderr}`);
      const record = onlyJsonLine(exit);
      assert.deepEqual(
        {
          result: record['result'], phase: record['phase'], reason: record['reason'], closeCode: record['closeCode'],
          closeReason: record['closeReason'], httpStatus: record['httpStatus'], missingEvent: record['missingEvent'],
          degradations: record['degradations'], events: eventNames(record),
        },
        expect,
      );
    });
  }

  it('--fault welcome=new,envelope=data,subprotocol=new records the protocol variant', async (t) => {
    const exit = await cli(t, ['run', '--check', 'golden_path', '--json', '--fault', 'welcome=new,envelope=data,subprotocol=new']);
    assert.equal(exit.code, 0, exit.stderr);
    assert.deepEqual(onlyJsonLine(exit)['protocol'], { welcome: 'connection_established', envelope: 'data', subprotocol: 'jwt' });
  });
});

describe('canary run --config against a reference backend started by the test', { concurrency: true }, () => {
  let backend: ReferenceBackend;
  let dir: string;
  let configFile: string;
  before(async () => {
    backend = await startReferenceBackend();
    dir = await mkdtemp(path.join(tmpdir(), 'canary-cli-config-'));
    configFile = path.join(dir, 'two-checks.yaml');
    await writeFile(
      configFile,
      [
        'target: test_backend',
        `url: ${backend.url}`,
        'auth:',
        '  type: jwt',
        `  secret: ${REFERENCE_SECRET}`,
        '  issuer: netra-auth-service',
        '  audience: netra-platform',
        '  claims:',
        '    token_type: access',
        'checks:',
        '  - name: golden_path',
        '    type: golden_path',
        '    timeout: 10s',
        '  - name: start_agent_path',
        '    type: golden_path',
        '    timeout: 10s',
        '    message_type: start_agent',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs every check of the file against the backend', async (t) => {
    const exit = await cli(t, ['run', '--json', '--config', configFile]);
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(exit.stderr, '');
    const records = jsonLines(exit);
    assert.deepEqual(
      records.map((r) => [r['target'], r['check'], r['result']]).sort(),
      [
        ['test_backend', 'golden_path', 'success'],
        ['test_backend', 'start_agent_path', 'success'],
      ],
    );
  });

  it('--json and --junit show the target URL without its credentials or query string', async (t) => {
    const file = path.join(dir, 'secret-url.yaml');
    const secretUrl = backend.url.replace('ws://', 'ws://probe:hunter2@') + '?api_key=QUERY-SECRET';
    await writeFile(file, (await readFile(configFile, 'utf8')).replace(`url: ${backend.url}`, `url: "${secretUrl}"`));
    const junit = path.join(dir, 'secret-url.xml');
    const exit = await cli(t, ['run', '--json', '--config', file, '--check', 'golden_path', '--junit', junit]);
    const record = onlyJsonLine(exit);
    assert.equal(record['url'], backend.url);
    const xml = await readFile(junit, 'utf8');
    assert.ok(xml.includes(`<property name="url" value="${backend.url}"/>`), xml);
    for (const text of [exit.stdout, exit.stderr, xml]) {
      for (const secret of ['hunter2', 'QUERY-SECRET', 'api_key']) assert.equal(text.includes(secret), false, `${secret} in ${text}`);
    }
  });

  it('--check NAME runs only that check', async (t) => {
    const before = backend.connections().length;
    const exit = await cli(t, ['run', '--json', '--config', configFile, '--check', 'start_agent_path']);
    assert.equal(exit.code, 0, exit.stderr);
    const record = onlyJsonLine(exit);
    assert.deepEqual([record['target'], record['check'], record['result']], ['test_backend', 'start_agent_path', 'success']);
    assert.ok(backend.connections().slice(before).some((r) => r.messagesReceived.includes('start_agent')));
  });

  it('an unknown --check exits 2 with the message', async (t) => {
    const exit = await cli(t, ['run', '--json', '--config', configFile, '--check', 'golden_path', '--check', 'nope']);
    assert.equal(exit.code, 2);
    assert.equal(exit.stdout, '');
    assert.equal(exit.stderr, `canary run: no check named "nope" in the config\n\n${RUN_HELP}`);
  });

  it('checks/local.yaml follows CANARY_TARGET_PORT', async (t) => {
    const exit = await cli(t, ['run', '--check', 'golden_path', '--json', '--config', LOCAL_CONFIG], { CANARY_TARGET_PORT: String(backend.port) });
    assert.equal(exit.code, 0, exit.stderr);
    const record = onlyJsonLine(exit);
    assert.deepEqual([record['target'], record['check'], record['result']], ['local', 'golden_path', 'success']);
    assert.ok(backend.connections().some((r) => r.userId === 'canary-local'));
  });

  it('--config with --fault is a usage error', async (t) => {
    const exit = await cli(t, ['run', '--config', configFile, '--fault', 'reorder']);
    assert.equal(exit.code, 2);
    assert.equal(exit.stderr, `canary run: --fault only applies to the embedded reference backend (without --config)\n\n${RUN_HELP}`);
  });

  it('validate: a good file exits 0 with its summary line', async (t) => {
    const exit = await cli(t, ['validate', configFile]);
    assert.deepEqual(exit, { code: 0, signal: null, stdout: `${configFile}: ok (1 target(s), 2 check(s))\n`, stderr: '' });
  });
});

describe('canary validate', { concurrency: true }, () => {
  it('a bad file exits 2 and lists every problem as file: field: message', async (t) => {
    const file = path.join(await tempDir(t), 'bad.yaml');
    await writeFile(
      file,
      ['target: Bad Name', 'url: http://x', 'auth:', '  type: jwt', 'checks:', '  - name: golden_path', '    type: golden_path', '    timeout: 5x', ''].join('\n'),
    );
    const exit = await cli(t, ['validate', file]);
    assert.equal(exit.code, 2);
    assert.equal(exit.stdout, '');
    assert.equal(
      exit.stderr,
      [
        'canary: invalid config',
        `${file}: target: expected a label value matching [a-z0-9_-]+, got "Bad Name"`,
        `${file}: url: expected a URL starting with ws:// or wss://, got "http://x"`,
        `${file}: auth: expected secret (HS256) or private_key_file (RS256 or ES256), got neither`,
        `${file}: checks[0].timeout: expected a duration like "30s" or "500ms", got "5x"`,
        '',
      ].join('\n'),
    );
  });

  it('checks/local.yaml is valid with no environment set', async (t) => {
    const exit = await cli(t, ['validate', 'checks/local.yaml']);
    assert.deepEqual(exit, { code: 0, signal: null, stdout: 'checks/local.yaml: ok (1 target(s), 7 check(s))\n', stderr: '' });
  });

  it('no PATH is a usage error', async (t) => {
    const exit = await cli(t, ['validate']);
    assert.equal(exit.code, 2);
    assert.equal(exit.stderr, `canary validate: validate takes exactly one PATH\n\n${VALIDATE_HELP}`);
  });
});

describe('canary usage', { concurrency: true }, () => {
  const helps: readonly (readonly [string, string])[] = [
    ['run', RUN_HELP],
    ['validate', VALIDATE_HELP],
    ['target', targetHelp()],
  ];
  for (const [verb, help] of helps) {
    it(`${verb} --help exits 0 with the verb's usage`, async (t) => {
      const exit = await cli(t, [verb, '--help']);
      assert.deepEqual(exit, { code: 0, signal: null, stdout: help, stderr: '' });
      assert.ok(help.startsWith(`Usage: canary ${verb}`));
    });
  }

  it('--help exits 0 with the top-level usage', async (t) => {
    const exit = await cli(t, ['--help']);
    assert.equal(exit.code, 0);
    assert.ok(exit.stdout.includes('\nUsage: canary <verb> [options]\n'), exit.stdout);
    assert.equal(exit.stderr, '');
  });

  it('no verb exits 2 with the top-level usage', async (t) => {
    const exit = await cli(t, []);
    assert.equal(exit.code, 2);
    assert.ok(exit.stdout.includes('\nUsage: canary <verb> [options]\n'), exit.stdout);
  });

  it('an unknown verb exits 2', async (t) => {
    const exit = await cli(t, ['bogus']);
    assert.equal(exit.code, 2);
    assert.equal(exit.stdout, '');
    assert.ok(exit.stderr.startsWith('canary: unknown verb "bogus"\n\n'), exit.stderr);
    assert.ok(exit.stderr.includes('\nUsage: canary <verb> [options]\n'), exit.stderr);
  });

  for (const verb of ['run', 'validate', 'target']) {
    it(`an unknown option of ${verb} exits 2`, async (t) => {
      const exit = await cli(t, [verb, '--bogus']);
      assert.equal(exit.code, 2);
      assert.equal(exit.stdout, '');
      assert.ok(exit.stderr.startsWith(`canary ${verb}: Unknown option '--bogus'`), exit.stderr);
    });
  }

  it('target with a bad --port exits 2', async (t) => {
    const exit = await cli(t, ['target', '--port', '70000']);
    assert.equal(exit.code, 2);
    assert.equal(exit.stderr, `canary target: --port expects 0-65535, got "70000"\n\n${targetHelp()}`);
  });
});

/** Resolves with the URL from the target's `listening` line on stdout (`exited` has set stdout to utf8). */
function listeningUrl(child: ChildProcessWithoutNullStreams, line: RegExp): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: string): void => {
      seen += chunk;
      const match = line.exec(seen);
      if (match?.[1] !== undefined) {
        child.stdout.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.once('close', () => reject(new Error(`target exited before listening: ${seen}`)));
  });
}

describe('canary target', () => {
  it('serves the reference backend until SIGTERM, then exits 0', async (t) => {
    const child = start(t, ['target', '--port', '0']);
    const done = exited(child);
    const url = await listeningUrl(child, /^Reference backend listening at (ws:\/\/127\.0\.0\.1:\d+\/ws)\n/);
    const result = await runOnce(url, goldenPathCheck(), jwtAuth(REFERENCE_SECRET));
    assert.deepEqual([result.result, result.events.map((e) => e.name)], ['success', [...FIVE_EVENTS]]);
    child.kill('SIGTERM');
    const exit = await done;
    assert.deepEqual([exit.code, exit.signal], [0, null]);
    assert.match(exit.stdout, /^Reference backend listening at ws:\/\/127\.0\.0\.1:\d+\/ws\n$/);
    assert.match(exit.stderr, /\n#1 authenticated canary-test via header\n/);
    assert.match(exit.stderr, /\nclosed\n$/);
  });

  it('a server-wide --fault applies to every connection', async (t) => {
    const child = start(t, ['target', '--port', '0', '--fault', 'close_1011_after=1']);
    const done = exited(child);
    const url = await listeningUrl(child, /^Reference backend listening at (ws:\/\/\S+) with fault close_1011_after=1\n/);
    const result = await runOnce(url, goldenPathCheck(), jwtAuth(REFERENCE_SECRET));
    assert.deepEqual([result.result, result.reason, result.closeCode], ['failure', 'close_1011', 1011]);
    child.kill('SIGTERM');
    assert.equal((await done).code, 0);
  });
});
