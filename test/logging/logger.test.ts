import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { createLogger } from '../../src/logging/logger.ts';
import { MAX_LINE_BYTES } from '../../src/logging/line-writer.ts';
import type { LogResource } from '../../src/logging/resource.ts';
import { LogLevelError, SEVERITIES } from '../../src/logging/severity.ts';
import { traceFromHeaders } from '../../src/logging/trace.ts';
import { FIXED_CLOCK, FIXED_TIME, MemoryDestination } from './test-helpers.ts';

const RESOURCE: LogResource = {
  type: 'cloud_run_revision',
  labels: { service_name: 'canary', revision_name: 'canary-00042-abc', configuration_name: 'canary' },
  projectId: 'my-project',
  serviceContext: { service: 'canary', version: 'canary-00042-abc' },
  metadata: 'answered',
};

suite('createLogger: Cloud Logging structured JSON', () => {
  test('each severity is written under `severity` with its Cloud Logging name, and no `level`', () => {
    const out = new MemoryDestination();
    const logger = createLogger({ destination: out, level: 'debug', clock: FIXED_CLOCK });
    for (const severity of SEVERITIES) logger.log(severity, `at ${severity}`);
    logger.debug('d');
    logger.info('i');
    logger.warning('w');
    logger.error('e');
    logger.critical('c');
    assert.deepEqual(
      out.entries().map((e) => [e['severity'], e['message']]),
      [
        ['DEBUG', 'at DEBUG'],
        ['INFO', 'at INFO'],
        ['WARNING', 'at WARNING'],
        ['ERROR', 'at ERROR'],
        ['CRITICAL', 'at CRITICAL'],
        ['DEBUG', 'd'],
        ['INFO', 'i'],
        ['WARNING', 'w'],
        ['ERROR', 'e'],
        ['CRITICAL', 'c'],
      ],
    );
  });

  test('an entry is exactly severity, time (RFC 3339), fields and message: no level, pid, hostname, msg', () => {
    const out = new MemoryDestination();
    createLogger({ destination: out, clock: FIXED_CLOCK }).info('canary started', { checks: 3, mode: 'service' });
    assert.equal(out.lines().length, 1);
    assert.deepEqual(out.entries()[0], { severity: 'INFO', time: FIXED_TIME, checks: 3, mode: 'service', message: 'canary started' });
    assert.equal(out.text(), `{"severity":"INFO","time":"${FIXED_TIME}","checks":3,"mode":"service","message":"canary started"}\n`);
  });

  test('printf-like text in a message is written as given', () => {
    const out = new MemoryDestination();
    createLogger({ destination: out }).info('100% done %s %d %j');
    assert.equal(out.entries()[0]?.['message'], '100% done %s %d %j');
  });

  test('child labels go to logging.googleapis.com/labels, merged over the parent’s', () => {
    const out = new MemoryDestination();
    const logger = createLogger({ destination: out, clock: FIXED_CLOCK }).child({ labels: { target: 'local', check: 'a' } });
    logger.child({ labels: { check: 'golden_path', run_id: 'r1' } }).warning('skipped', { reason: 'overlap' });
    assert.deepEqual(out.entries()[0], {
      severity: 'WARNING',
      time: FIXED_TIME,
      'logging.googleapis.com/labels': { target: 'local', check: 'golden_path', run_id: 'r1' },
      reason: 'overlap',
      message: 'skipped',
    });
  });

  test('reserved keys in fields are left out; child fields are merged under the call’s', () => {
    const out = new MemoryDestination();
    createLogger({ destination: out, clock: FIXED_CLOCK })
      .child({ fields: { component: 'http', a: 1 } })
      .info('real message', { severity: 'DEBUG', message: 'fake', time: 'never', 'logging.googleapis.com/labels': { x: 'y' }, a: 2 });
    assert.deepEqual(out.entries()[0], { severity: 'INFO', time: FIXED_TIME, component: 'http', a: 2, message: 'real message' });
  });

  test('a resource adds serviceContext to every entry', () => {
    const out = new MemoryDestination();
    const logger = createLogger({ destination: out, clock: FIXED_CLOCK, resource: RESOURCE });
    logger.info('one');
    logger.child({ labels: { check: 'c' } }).error('two');
    assert.deepEqual(
      out.entries().map((e) => e['serviceContext']),
      [
        { service: 'canary', version: 'canary-00042-abc' },
        { service: 'canary', version: 'canary-00042-abc' },
      ],
    );
    assert.equal(logger.projectId, 'my-project');
  });

  test('trace fields of a child logger, from X-Cloud-Trace-Context', () => {
    const out = new MemoryDestination();
    const logger = createLogger({ destination: out, clock: FIXED_CLOCK, resource: RESOURCE });
    const trace = traceFromHeaders({ 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' }, logger.projectId);
    logger.child({ trace, labels: { check: 'golden_path' } }).info('admin run', { outcome: 'ran' });
    assert.deepEqual(out.entries()[0], {
      severity: 'INFO',
      time: FIXED_TIME,
      serviceContext: { service: 'canary', version: 'canary-00042-abc' },
      'logging.googleapis.com/labels': { check: 'golden_path' },
      'logging.googleapis.com/trace': 'projects/my-project/traces/105445aa7843bc8bf206b12000100000',
      'logging.googleapis.com/spanId': '0000000000000001',
      'logging.googleapis.com/trace_sampled': true,
      outcome: 'ran',
      message: 'admin run',
    });
  });

  test('trace fields of a child logger, from traceparent', () => {
    const out = new MemoryDestination();
    const logger = createLogger({ destination: out, clock: FIXED_CLOCK });
    const trace = traceFromHeaders({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' }, 'p');
    logger.child({ trace }).info('x');
    assert.deepEqual(out.entries()[0], {
      severity: 'INFO',
      time: FIXED_TIME,
      'logging.googleapis.com/trace': 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736',
      'logging.googleapis.com/spanId': '00f067aa0ba902b7',
      'logging.googleapis.com/trace_sampled': false,
      message: 'x',
    });
  });

  test('an Error under err is written with type, message and stack', () => {
    const out = new MemoryDestination();
    createLogger({ destination: out }).error('handler failed', { err: new TypeError('bad thing') });
    const err = out.entries()[0]?.['err'];
    assert.ok(err !== null && typeof err === 'object');
    assert.equal((err as Record<string, unknown>)['type'], 'TypeError');
    assert.equal((err as Record<string, unknown>)['message'], 'bad thing');
    assert.match(String((err as Record<string, unknown>)['stack']), /^TypeError: bad thing\n {4}at /);
  });

  test('a line over the size limit is replaced by its envelope and the original size', () => {
    const out = new MemoryDestination();
    const logger = createLogger({ destination: out, clock: FIXED_CLOCK }).child({ labels: { check: 'c' } });
    const blob = 'x'.repeat(MAX_LINE_BYTES);
    logger.error('huge', { blob });
    const original = JSON.stringify({
      severity: 'ERROR',
      time: FIXED_TIME,
      'logging.googleapis.com/labels': { check: 'c' },
      blob,
      message: 'huge',
    });
    const entry = out.entries()[0];
    assert.deepEqual(entry, {
      severity: 'ERROR',
      time: FIXED_TIME,
      'logging.googleapis.com/labels': { check: 'c' },
      truncated: { originalBytes: original.length + 1 },
      message: 'huge',
    });
  });
});

suite('createLogger: level', () => {
  const table: readonly (readonly [{ level?: string; env?: Record<string, string> }, readonly string[]])[] = [
    [{}, ['INFO', 'WARNING', 'ERROR', 'CRITICAL']],
    [{ level: 'debug' }, ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']],
    [{ level: 'WARNING' }, ['WARNING', 'ERROR', 'CRITICAL']],
    [{ level: 'critical' }, ['CRITICAL']],
    [{ level: 'silent' }, []],
    [{ env: { CANARY_LOG_LEVEL: 'error' } }, ['ERROR', 'CRITICAL']],
    [{ env: { CANARY_LOG_LEVEL: '' } }, ['INFO', 'WARNING', 'ERROR', 'CRITICAL']],
    [{ level: 'debug', env: { CANARY_LOG_LEVEL: 'error' } }, ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']],
  ];
  for (const [options, written] of table) {
    test(`${JSON.stringify(options)} writes ${written.join(', ') || 'nothing'}`, () => {
      const out = new MemoryDestination();
      const logger = createLogger({ destination: out, env: options.env ?? {}, ...(options.level === undefined ? {} : { level: options.level }) });
      for (const severity of SEVERITIES) logger.log(severity, severity);
      assert.deepEqual(
        out.entries().map((e) => e['severity']),
        written,
      );
      assert.deepEqual(
        SEVERITIES.filter((s) => logger.isEnabled(s)),
        written,
      );
    });
  }

  test('an unknown level throws LogLevelError naming where it came from', () => {
    assert.throws(
      () => createLogger({ destination: new MemoryDestination(), env: { CANARY_LOG_LEVEL: 'verbose' } }),
      (error: unknown) =>
        error instanceof LogLevelError &&
        error.code === 'LOG_LEVEL_INVALID' &&
        error.message ===
          'CANARY_LOG_LEVEL: unknown log level "verbose"; expected one of trace, debug, info, warn, warning, error, fatal, critical, silent',
    );
  });
});

suite('flush', () => {
  test('resolves only after the destination confirmed every line written before it', async () => {
    const out = new MemoryDestination({ delayMs: 20 });
    const logger = createLogger({ destination: out });
    for (let i = 0; i < 5; i++) logger.info(`line ${i}`);
    assert.equal(out.confirmed, 0);
    await logger.flush();
    assert.equal(out.confirmed, 5);
    assert.equal(out.lines().length, 5);
  });

  test('resolves at once when nothing is pending', async () => {
    const logger = createLogger({ destination: new MemoryDestination() });
    await logger.flush();
    logger.info('x');
    await logger.flush();
  });

  test('resolves after flushTimeoutMs when the destination never confirms', async () => {
    const out = new MemoryDestination({ stuck: true });
    const logger = createLogger({ destination: out, flushTimeoutMs: 50 });
    logger.info('x');
    const started = performance.now();
    await logger.flush();
    const waited = performance.now() - started;
    assert.ok(waited >= 45 && waited < 1000, `waited ${waited} ms`);
  });
});
