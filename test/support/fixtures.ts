/**
 * Typed config builders for tests. Values are explicit here so a test reads as the config it uses.
 */
import type { AuthConfig, GoldenPathCheck, TargetConfig } from '../../src/config/types.ts';

export const FIVE_EVENTS = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'] as const;

export function goldenPathCheck(overrides: Partial<GoldenPathCheck> = {}): GoldenPathCheck {
  return {
    name: 'golden_path',
    type: 'golden_path',
    schedule: { kind: 'every', everySeconds: 60 },
    timeoutMs: 5000,
    slowAfterMs: 4000,
    handshakeTimeoutMs: 2000,
    welcomeTimeoutMs: 2000,
    message: 'What is my GPU spend?',
    messageType: 'user_message',
    messageField: 'content',
    expectedEvents: [...FIVE_EVENTS],
    completionEvent: 'agent_completed',
    welcome: [
      { type: 'connection_established', event: null },
      { type: 'system_message', event: 'connection_established' },
    ],
    maxPayloadBytes: 1024 * 1024,
    handshake: 'auto',
    handshakeWindowMs: 100,
    processingWaitMs: 100,
    ...overrides,
  };
}

export function jwtAuth(secret: string, overrides: Partial<Extract<AuthConfig, { type: 'jwt' }>> = {}): AuthConfig {
  return {
    type: 'jwt',
    algorithm: 'HS256',
    secret,
    privateKeyFile: null,
    issuer: 'netra-auth-service',
    audience: 'netra-platform',
    subject: 'canary-test',
    ttlSeconds: 600,
    claims: { token_type: 'access', email: 'canary@example.com', permissions: ['read', 'write'] },
    sendAs: ['header', 'subprotocol'],
    ...overrides,
  };
}

export function target(url: string, auth: AuthConfig, overrides: Partial<TargetConfig> = {}): TargetConfig {
  return {
    file: '<test>',
    target: 'test',
    url,
    headers: {},
    tls: { caFile: null, insecureSkipVerify: false },
    auth,
    checks: [goldenPathCheck()],
    ...overrides,
  };
}

/** The URL with a per-connection fault spec for the reference backend. */
export function withFault(url: string, fault: string): string {
  const u = new URL(url);
  u.searchParams.set('fault', fault);
  return u.toString();
}
