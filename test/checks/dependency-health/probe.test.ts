import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HealthState } from '../../../src/result/health.ts';
import { classifyHealth, healthUrl } from '../../../src/checks/dependency-health/probe.ts';

const ANSWERS: readonly (readonly [number, string, HealthState])[] = [
  [200, '{"status":"healthy"}', 'healthy'],
  [204, '', 'healthy'],
  [503, '{"status":"unhealthy","message":"Startup in progress"}', 'starting'],
  [503, '{"status":"starting"}', 'starting'],
  [503, '{"status":"unhealthy","message":"Waiting for start-up of the database"}', 'starting'],
  [503, '{"status":"unhealthy"}', 'unhealthy'],
  [503, 'Service Unavailable', 'unhealthy'],
  [503, '["Startup in progress"]', 'unhealthy'],
  [500, '{"message":"Startup in progress"}', 'unhealthy'],
  [404, '{"detail":"Not Found"}', 'unhealthy'],
  [301, '', 'unhealthy'],
];

suite('classifyHealth: HTTP status and body → state', { concurrency: true }, () => {
  for (const [status, body, state] of ANSWERS) {
    test(`${status} ${body || '(empty)'} → ${state}`, () => {
      assert.equal(classifyHealth(status, body), state);
    });
  }
});

const URLS: readonly (readonly [string, string, string])[] = [
  ['ws://127.0.0.1:8080/ws', '/health', 'http://127.0.0.1:8080/health'],
  ['wss://api.staging.example.com/ws', '/health/ready', 'https://api.staging.example.com/health/ready'],
  ['wss://api.staging.example.com:8443/ws?x=1', '/health?verbose=1', 'https://api.staging.example.com:8443/health?verbose=1'],
  ['wss://api.staging.example.com/ws', 'http://10.0.0.5:9000/healthz', 'http://10.0.0.5:9000/healthz'],
];

suite('healthUrl: target URL and endpoint → the URL fetched', { concurrency: true }, () => {
  for (const [targetUrl, endpoint, expected] of URLS) {
    test(`${targetUrl} + ${endpoint}`, () => {
      assert.equal(healthUrl(targetUrl, endpoint).toString(), expected);
    });
  }
});
