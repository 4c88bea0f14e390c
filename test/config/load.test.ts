import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite, test } from 'node:test';
import { ConfigError } from '../../src/config/load.ts';
import type { Config, TargetConfig } from '../../src/config/types.ts';
import { loadConfig, tempFiles } from '../support/config.ts';

const HEAD = 'target: t\nurl: ws://127.0.0.1:1/ws\n';
const CHECKS = 'checks:\n  - name: gp\n    type: golden_path\n';
/** A valid file with `check` lines appended to its one check (indented 4). */
const withCheck = (lines: string): string => `${HEAD}${CHECKS}${lines}`;
const withAuth = (lines: string): string => `${HEAD}${CHECKS}auth:\n${lines}`;

const RSA_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const EC_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const EC384_KEY = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const RSA_PKCS1_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

interface BadCase {
  readonly name: string;
  /** Files to write (relative path → content). */
  readonly files: Readonly<Record<string, string>>;
  /** What to load, relative to the temp folder; default the only file. */
  readonly path?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The lines of `error.message`; `{dir}` stands for the temp folder. */
  readonly expected: readonly string[];
}

const BAD: readonly BadCase[] = [
  {
    name: 'YAML syntax error, with line and column',
    files: { 'a.yaml': 'target: t\nurl: "ws://x\n' },
    expected: ['{dir}/a.yaml: (file): invalid YAML at line 3, column 1: Missing closing "quote'],
  },
  {
    name: 'YAML syntax error: only the first, with a hint for an unquoted ${VAR} in a flow mapping',
    files: { 'a.yaml': `${HEAD}auth: {type: bearer, token: \${TOKEN}}\n${CHECKS}` },
    expected: [
      '{dir}/a.yaml: (file): invalid YAML at line 3, column 30: Unexpected flow-map-start at node end (an unquoted ${VAR} inside {...} or [...] must be quoted: "${VAR}")',
    ],
  },
  {
    name: 'YAML syntax error: the hint also for a flow mapping over several lines',
    files: { 'a.yaml': `${HEAD}auth: {\n  type: bearer,\n  token_env: \${TOKEN}\n}\n${CHECKS}` },
    expected: [
      '{dir}/a.yaml: (file): invalid YAML at line 5, column 15: Unexpected flow-map-start at node end (an unquoted ${VAR} inside {...} or [...] must be quoted: "${VAR}")',
    ],
  },
  {
    name: 'YAML syntax error: a quoted ${VAR} in a flow mapping gets no hint',
    files: { 'a.yaml': `${HEAD}auth: {type: bearer, token: "\${TOKEN}"}}\n${CHECKS}` },
    expected: ['{dir}/a.yaml: (file): invalid YAML at line 3, column 40: Unexpected flow-map-end token in YAML stream: "}"'],
  },
  {
    name: 'duplicate YAML key',
    files: { 'a.yaml': `${HEAD}target: u\n${CHECKS}` },
    expected: ['{dir}/a.yaml: (file): invalid YAML at line 3, column 1: Map keys must be unique'],
  },
  {
    name: 'top level is a list',
    files: { 'a.yaml': '- target: t\n' },
    expected: ['{dir}/a.yaml: (file): expected a mapping at the top level, got a list'],
  },
  {
    name: 'empty file',
    files: { 'a.yaml': '# nothing yet\n' },
    expected: ['{dir}/a.yaml: (file): expected a mapping at the top level, got an empty file'],
  },
  {
    name: 'missing file',
    files: {},
    path: 'nope.yaml',
    expected: ['{dir}/nope.yaml: (file): cannot read: file not found'],
  },
  {
    name: 'missing target',
    files: { 'a.yaml': `url: ws://x/ws\n${CHECKS}` },
    expected: ['{dir}/a.yaml: target: is required'],
  },
  {
    name: 'target that is not a label value',
    files: { 'a.yaml': `target: Staging!\nurl: ws://x/ws\n${CHECKS}` },
    expected: ['{dir}/a.yaml: target: expected a label value matching [a-z0-9_-]+, got "Staging!"'],
  },
  {
    name: 'url with an http scheme',
    files: { 'a.yaml': `target: t\nurl: https://api.example.com/ws\n${CHECKS}` },
    expected: ['{dir}/a.yaml: url: expected a URL starting with ws:// or wss://, got "https://api.example.com/ws"'],
  },
  {
    name: 'unknown top-level key, with a suggestion',
    files: { 'a.yaml': `${HEAD}chekcs:\n  - name: gp\n    type: golden_path\n` },
    expected: ['{dir}/a.yaml: chekcs: unknown field (did you mean "checks"?)', '{dir}/a.yaml: checks: is required'],
  },
  {
    name: 'unknown top-level key without a near miss',
    files: { 'a.yaml': `${HEAD}${CHECKS}owner: sre\n` },
    expected: ['{dir}/a.yaml: owner: unknown field'],
  },
  {
    name: 'unknown check key',
    files: { 'a.yaml': withCheck('    timout: 90s\n') },
    expected: ['{dir}/a.yaml: checks[0].timout: unknown field (did you mean "timeout"?)'],
  },
  {
    name: 'duration that is a word',
    files: { 'a.yaml': withCheck('    timeout: ninety\n') },
    expected: ['{dir}/a.yaml: checks[0].timeout: expected a duration like "30s" or "500ms", got "ninety"'],
  },
  {
    name: 'duration that is a bare number',
    files: { 'a.yaml': withCheck('    every: 60\n') },
    expected: ['{dir}/a.yaml: checks[0].every: expected a duration like "30s" or "500ms", got 60'],
  },
  {
    name: 'every shorter than a second',
    files: { 'a.yaml': withCheck('    every: 500ms\n') },
    expected: ['{dir}/a.yaml: checks[0].every: expected a period of at least 1s like "90s", "7m" or "1h30m", got "500ms"'],
  },
  {
    name: 'compound duration with its units out of order',
    files: { 'a.yaml': withCheck('    timeout: 30s1m\n') },
    expected: ['{dir}/a.yaml: checks[0].timeout: expected a duration like "30s" or "500ms", got "30s1m"'],
  },
  {
    name: 'zero duration',
    files: { 'a.yaml': withCheck('    handshake_timeout: 0s\n') },
    expected: ['{dir}/a.yaml: checks[0].handshake_timeout: expected a duration greater than 0, got "0s"'],
  },
  {
    name: 'slow_after longer than timeout',
    files: { 'a.yaml': withCheck('    timeout: 20s\n    slow_after: 30s\n') },
    expected: ['{dir}/a.yaml: checks[0].slow_after: expected at most timeout (20s), got "30s"'],
  },
  {
    name: 'both every and cron',
    files: { 'a.yaml': withCheck('    every: 60s\n    cron: "*/1 * * * *"\n') },
    expected: ['{dir}/a.yaml: checks[0]: expected either every or cron, got both'],
  },
  {
    name: 'cron with three fields',
    files: { 'a.yaml': withCheck('    cron: "* * *"\n') },
    expected: ['{dir}/a.yaml: checks[0].cron: expected a cron expression with 5 or 6 fields like "*/5 * * * *", got "* * *"'],
  },
  {
    name: 'duplicate check names',
    files: { 'a.yaml': `${HEAD}${CHECKS}  - name: gp\n    type: golden_path\n` },
    expected: ['{dir}/a.yaml: checks[1].name: duplicate check name "gp" (also checks[0])'],
  },
  {
    name: 'unknown check type',
    files: { 'a.yaml': `${HEAD}checks:\n  - name: gp\n    type: chaos\n    blast_radius: 3\n` },
    expected: ['{dir}/a.yaml: checks[0].type: expected one of golden_path, handshake_storm, auth_enforcement, user_isolation, dependency_health, input_hygiene, message_burst, got "chaos"'],
  },
  {
    name: 'check without name and type',
    files: { 'a.yaml': `${HEAD}checks:\n  - every: 60s\n` },
    expected: ['{dir}/a.yaml: checks[0].name: is required', '{dir}/a.yaml: checks[0].type: is required'],
  },
  {
    name: 'check that is not a mapping',
    files: { 'a.yaml': `${HEAD}checks:\n  - golden_path\n` },
    expected: ['{dir}/a.yaml: checks[0]: expected a mapping, got "golden_path"'],
  },
  {
    name: 'empty checks list',
    files: { 'a.yaml': `${HEAD}checks: []\n` },
    expected: ['{dir}/a.yaml: checks: expected a non-empty list of checks, got an empty list'],
  },
  {
    name: 'unknown auth type',
    files: { 'a.yaml': withAuth('  type: oauth\n') },
    expected: ['{dir}/a.yaml: auth.type: expected one of jwt, token_url, bearer, none, got "oauth"'],
  },
  {
    name: 'auth without type',
    files: { 'a.yaml': withAuth('  secret: s\n') },
    expected: ['{dir}/a.yaml: auth.type: is required'],
  },
  {
    name: 'auth none with other keys',
    files: { 'a.yaml': withAuth('  type: none\n  secret: s\n') },
    expected: ['{dir}/a.yaml: auth.secret: unknown field'],
  },
  {
    name: 'jwt without secret or private key',
    files: { 'a.yaml': withAuth('  type: jwt\n  issuer: netra-auth-service\n') },
    expected: ['{dir}/a.yaml: auth: expected secret (HS256) or private_key_file (RS256 or ES256), got neither'],
  },
  {
    name: 'jwt with both secret and private key',
    files: { 'a.yaml': withAuth('  type: jwt\n  secret: s\n  private_key_file: key.pem\n  algorithm: RS256\n'), 'key.pem': RSA_KEY },
    path: 'a.yaml',
    expected: ['{dir}/a.yaml: auth: expected secret (HS256) or private_key_file (RS256 or ES256), got both'],
  },
  {
    name: 'private key file missing on disk',
    files: { 'a.yaml': withAuth('  type: jwt\n  private_key_file: keys/missing.pem\n  algorithm: RS256\n') },
    expected: ['{dir}/a.yaml: auth.private_key_file: cannot read "{dir}/keys/missing.pem": file not found'],
  },
  {
    name: 'private key that is not PKCS#8',
    files: { 'a.yaml': withAuth('  type: jwt\n  private_key_file: key.pem\n  algorithm: RS256\n'), 'key.pem': RSA_PKCS1_KEY },
    path: 'a.yaml',
    expected: [
      '{dir}/a.yaml: auth.private_key_file: expected a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----") in "{dir}/key.pem"',
    ],
  },
  {
    name: 'EC key for RS256',
    files: { 'a.yaml': withAuth('  type: jwt\n  private_key_file: key.pem\n  algorithm: RS256\n'), 'key.pem': EC_KEY },
    path: 'a.yaml',
    expected: ['{dir}/a.yaml: auth.private_key_file: expected an RSA key for RS256, got an EC prime256v1 key in "{dir}/key.pem"'],
  },
  {
    name: 'P-384 key for ES256',
    files: { 'a.yaml': withAuth('  type: jwt\n  private_key_file: key.pem\n  algorithm: ES256\n'), 'key.pem': EC384_KEY },
    path: 'a.yaml',
    expected: [
      '{dir}/a.yaml: auth.private_key_file: expected an EC P-256 (prime256v1) key for ES256, got an EC secp384r1 key in "{dir}/key.pem"',
    ],
  },
  {
    name: 'private key without algorithm',
    files: { 'a.yaml': withAuth('  type: jwt\n  private_key_file: key.pem\n'), 'key.pem': RSA_KEY },
    path: 'a.yaml',
    expected: ['{dir}/a.yaml: auth.algorithm: is required with private_key_file (RS256 or ES256)'],
  },
  {
    name: 'RS256 with a secret',
    files: { 'a.yaml': withAuth('  type: jwt\n  secret: s\n  algorithm: RS256\n') },
    expected: ['{dir}/a.yaml: auth.algorithm: expected HS256 with secret, got "RS256"'],
  },
  {
    name: 'ttl that is not whole seconds',
    files: { 'a.yaml': withAuth('  type: jwt\n  secret: s\n  ttl: 1500ms\n') },
    expected: ['{dir}/a.yaml: auth.ttl: expected a whole number of seconds like "10m", got "1500ms"'],
  },
  {
    name: 'claim the canary sets itself',
    files: { 'a.yaml': withAuth('  type: jwt\n  secret: s\n  claims: {sub: someone, token_type: access}\n') },
    expected: ['{dir}/a.yaml: auth.claims.sub: is set from auth.subject; remove it from claims'],
  },
  {
    name: 'send_as with an unknown way',
    files: { 'a.yaml': withAuth('  type: jwt\n  secret: s\n  send_as: [header, cookie]\n') },
    expected: ['{dir}/a.yaml: auth.send_as[1]: expected one of header, subprotocol, query, got "cookie"'],
  },
  {
    name: 'send_as empty',
    files: { 'a.yaml': withAuth('  type: jwt\n  secret: s\n  send_as: []\n') },
    expected: ['{dir}/a.yaml: auth.send_as: expected a non-empty list of ways to send the token (header, subprotocol, query), got an empty list'],
  },
  {
    name: 'send_as repeated',
    files: { 'a.yaml': withAuth('  type: bearer\n  token_env: CANARY_TOKEN\n  send_as: [header, header]\n') },
    expected: ['{dir}/a.yaml: auth.send_as[1]: duplicate value "header" (also auth.send_as[0])'],
  },
  {
    name: 'bearer token_env that is not a variable name',
    files: { 'a.yaml': withAuth('  type: bearer\n  token_env: my-token\n') },
    expected: ['{dir}/a.yaml: auth.token_env: expected an environment variable name like "CANARY_TOKEN", got "my-token"'],
  },
  {
    name: 'token_url with a ws url and a bad token_field',
    files: { 'a.yaml': withAuth('  type: token_url\n  url: wss://auth.example.com/token\n  token_field: data..token\n') },
    expected: [
      '{dir}/a.yaml: auth.url: expected a URL starting with http:// or https://, got "wss://auth.example.com/token"',
      '{dir}/a.yaml: auth.token_field: expected a dot path like "access_token" or "data.token", got "data..token"',
    ],
  },
  {
    name: 'missing environment variable',
    files: { 'a.yaml': withAuth('  type: jwt\n  secret: ${STAGING_JWT_SECRET}\n') },
    expected: ['{dir}/a.yaml: auth.secret: environment variable STAGING_JWT_SECRET is not set'],
  },
  {
    name: 'malformed environment reference',
    files: { 'a.yaml': `target: t\nurl: ws://\${host name}/ws\n${CHECKS}` },
    expected: ['{dir}/a.yaml: url: expected ${NAME} or ${NAME:-default}, got "${host name}"'],
  },
  {
    name: 'test bypass header',
    files: { 'a.yaml': `${HEAD}${CHECKS}headers:\n  X-Test-Mode: "true"\n` },
    expected: ['{dir}/a.yaml: headers.X-Test-Mode: is not allowed: headers naming "test" or "e2e" make the backend skip token checks'],
  },
  {
    name: 'header value that is not a string',
    files: { 'a.yaml': `${HEAD}${CHECKS}headers:\n  X-Retries: 3\n` },
    expected: ['{dir}/a.yaml: headers.X-Retries: expected a string, got 3'],
  },
  {
    name: 'ca_file missing on disk',
    files: { 'a.yaml': `${HEAD}${CHECKS}tls:\n  ca_file: ca.pem\n  insecure_skip_verify: "no"\n` },
    expected: [
      '{dir}/a.yaml: tls.insecure_skip_verify: expected true or false, got "no"',
      '{dir}/a.yaml: tls.ca_file: cannot read "{dir}/ca.pem": file not found',
    ],
  },
  {
    name: 'max_payload that is not a size',
    files: { 'a.yaml': withCheck('    max_payload: big\n') },
    expected: ['{dir}/a.yaml: checks[0].max_payload: expected a size like "1MiB" or "64KiB", or a whole number of bytes, got "big"'],
  },
  {
    name: 'max_payload of zero',
    files: { 'a.yaml': withCheck('    max_payload: 0\n') },
    expected: ['{dir}/a.yaml: checks[0].max_payload: expected a size greater than 0, got 0'],
  },
  {
    name: 'message_type the backend does not know',
    files: { 'a.yaml': withCheck('    message_type: prompt\n') },
    expected: [
      '{dir}/a.yaml: checks[0].message_type: expected one of user_message, chat, message, user, user_input, chat_message, start_agent, got "prompt"',
    ],
  },
  {
    name: 'message over the backend frame limit',
    files: { 'a.yaml': withCheck(`    message: ${'x'.repeat(5000)}\n`) },
    expected: ['{dir}/a.yaml: checks[0].message: expected at most 4096 bytes (the backend drops frames over 8192), got 5000'],
  },
  {
    name: 'message whose JSON-escaped frame exceeds the backend frame limit',
    files: { 'a.yaml': withCheck(`    message: '${'"'.repeat(4000)}'\n`) },
    expected: [
      `{dir}/a.yaml: checks[0].message: expected a message whose encoded user_message frame fits the backend's 8192-byte limit, got 8416 bytes (JSON escaping doubles quotes, backslashes and newlines)`,
    ],
  },
  {
    name: 'handshake mode the canary does not know',
    files: { 'a.yaml': withCheck('    handshake: maybe\n') },
    expected: ['{dir}/a.yaml: checks[0].handshake: expected one of auto, require, off, got "maybe"'],
  },
  {
    name: 'expect_answer pattern that can take exponential time',
    files: { 'a.yaml': withCheck('    expect_answer:\n      matches: "(a+)+$"\n') },
    expected: [
      '{dir}/a.yaml: checks[0].expect_answer.matches: expected a linear-safe regular expression, got "(a+)+$": a quantified group containing a quantifier (like (a+)+) is not allowed: it can take exponential time',
    ],
  },
  {
    name: 'expect_answer pattern with a lookahead, an unknown key and a bad field path',
    files: { 'a.yaml': withCheck('    expect_answer:\n      matches: "GPU(?= spend)"\n      contain: GPU\n      field: "result..answer"\n') },
    expected: [
      '{dir}/a.yaml: checks[0].expect_answer.contain: unknown field (did you mean "contains"?)',
      '{dir}/a.yaml: checks[0].expect_answer.field: expected a dot path like "result" or "result.answer", got "result..answer"',
      '{dir}/a.yaml: checks[0].expect_answer.matches: expected a linear-safe regular expression, got "GPU(?= spend)": lookarounds are not allowed',
    ],
  },
  {
    name: 'auth subprotocol form without subprotocol in send_as, and an environment with a dot',
    files: { 'a.yaml': withAuth('  type: bearer\n  token_env: T\n  send_as: [header, query]\n  subprotocol: jwt\n  environment: stag.ing\n') },
    expected: [
      '{dir}/a.yaml: auth.environment: expected an environment name like "staging", got "stag.ing"',
    ],
  },
  {
    name: 'auth subprotocol form without subprotocol in send_as',
    files: { 'a.yaml': withAuth('  type: bearer\n  token_env: T\n  send_as: [header, query]\n  subprotocol: jwt\n') },
    expected: ['{dir}/a.yaml: auth.subprotocol: is used only with subprotocol in send_as, got send_as [header, query]'],
  },
  {
    name: 'expected_events empty',
    files: { 'a.yaml': withCheck('    expected_events: []\n') },
    expected: ['{dir}/a.yaml: checks[0].expected_events: expected a non-empty list of event names, got an empty list'],
  },
  {
    name: 'expected_events with a duplicate',
    files: { 'a.yaml': withCheck('    expected_events: [agent_started, agent_completed, agent_started]\n') },
    expected: [
      '{dir}/a.yaml: checks[0].expected_events[2]: duplicate event "agent_started" (also checks[0].expected_events[0])',
    ],
  },
  {
    name: 'completion_event not among expected_events',
    files: { 'a.yaml': withCheck('    expected_events: [agent_started, agent_completed]\n    completion_event: agent_error\n') },
    expected: [
      '{dir}/a.yaml: checks[0].completion_event: expected one of expected_events (agent_started, agent_completed), got "agent_error"',
    ],
  },
  {
    name: 'expected_events without agent_completed and no completion_event',
    files: { 'a.yaml': withCheck('    expected_events: [agent_started, agent_thinking]\n') },
    expected: ['{dir}/a.yaml: checks[0].completion_event: is required when expected_events does not include agent_completed'],
  },
  {
    name: 'welcome matcher with a typo and no type',
    files: { 'a.yaml': withCheck('    welcome:\n      - {evnet: connection_established}\n') },
    expected: [
      '{dir}/a.yaml: checks[0].welcome[0].evnet: unknown field (did you mean "event"?)',
      '{dir}/a.yaml: checks[0].welcome[0].type: is required',
    ],
  },
  {
    name: 'many problems in one file, all reported',
    files: {
      'a.yaml': [
        'target: Prod',
        'url: http://api.example.com/ws',
        'auth:',
        '  type: jwt',
        '  secret: ${PROD_SECRET}',
        '  send_as: [cookie]',
        'checks:',
        '  - name: gp',
        '    type: golden_path',
        '    timeout: 90',
        '    slow_after: 2m',
        '  - name: gp',
        '    type: golden_path',
        '    every: 60s',
        '    cron: "* * * * *"',
        '',
      ].join('\n'),
    },
    expected: [
      '{dir}/a.yaml: target: expected a label value matching [a-z0-9_-]+, got "Prod"',
      '{dir}/a.yaml: url: expected a URL starting with ws:// or wss://, got "http://api.example.com/ws"',
      '{dir}/a.yaml: auth.secret: environment variable PROD_SECRET is not set',
      '{dir}/a.yaml: auth.send_as[0]: expected one of header, subprotocol, query, got "cookie"',
      '{dir}/a.yaml: checks[0].timeout: expected a duration like "30s" or "500ms", got 90',
      '{dir}/a.yaml: checks[1]: expected either every or cron, got both',
      '{dir}/a.yaml: checks[1].name: duplicate check name "gp" (also checks[0])',
    ],
  },
  {
    name: 'problems in several files of a folder, all reported',
    files: {
      'a.yaml': `target: a\nurl: ftp://x\n${CHECKS}`,
      'b.yaml': 'target: b\nurl: ws://x/ws\n',
    },
    path: '.',
    expected: ['{dir}/a.yaml: url: expected a URL starting with ws:// or wss://, got "ftp://x"', '{dir}/b.yaml: checks: is required'],
  },
  {
    name: 'duplicate target across two files of a folder',
    files: { 'a.yaml': `${HEAD}${CHECKS}`, 'b.yml': `${HEAD}${CHECKS}` },
    path: '.',
    expected: ['{dir}/b.yml: target: duplicate target "t" (also in {dir}/a.yaml)'],
  },
  {
    name: 'empty folder',
    files: {},
    path: '.',
    expected: ['{dir}: (file): expected at least one .yaml or .yml file (templates *.example.yaml do not count), found none'],
  },
  {
    name: 'config file over 1 MiB, refused before it is read',
    files: { 'a.yaml': `${HEAD}${CHECKS}# ${'x'.repeat(1024 * 1024)}\n` },
    expected: [`{dir}/a.yaml: (file): too large (${HEAD.length + CHECKS.length + 3 + 1024 * 1024} bytes, at most 1048576)`],
  },
  {
    name: 'private key file over 1 MiB, refused before it is read',
    files: { 'a.yaml': withAuth('  type: jwt\n  private_key_file: key.pem\n  algorithm: RS256\n'), 'key.pem': `${RSA_KEY}${'#'.repeat(1024 * 1024)}` },
    path: 'a.yaml',
    expected: [`{dir}/a.yaml: auth.private_key_file: "{dir}/key.pem" is too large (${RSA_KEY.length + 1024 * 1024} bytes, at most 1048576)`],
  },
  {
    name: 'a 50 MB environment value, refused before it is copied',
    files: { 'a.yaml': withCheck('    message: "${BIG}"\n') },
    env: { BIG: 'x'.repeat(50_000_000) },
    expected: ['{dir}/a.yaml: checks[0].message: environment variable BIG is too long (50000000 characters, at most 65536)'],
  },
  {
    name: 'a YAML scalar over 65536 characters',
    files: { 'a.yaml': withCheck(`    message: ${'x'.repeat(70_000)}\n`) },
    expected: ['{dir}/a.yaml: checks[0].message: expected at most 65536 characters, got 70000'],
  },
  {
    name: 'environment values that together pass 65536 characters',
    files: { 'a.yaml': withCheck('    message: "${HALF}${HALF}"\n') },
    env: { HALF: 'x'.repeat(40_000) },
    expected: ['{dir}/a.yaml: checks[0].message: expected at most 65536 characters once environment references are replaced, got more'],
  },
  {
    name: 'folder holding only templates',
    files: { 'staging.example.yaml': `${HEAD}${CHECKS}`, 'notes.txt': 'hi\n' },
    path: '.',
    expected: ['{dir}: (file): expected at least one .yaml or .yml file (templates *.example.yaml do not count), found none'],
  },
  {
    name: 'backend_logs: project and filter required, every bound named',
    files: { 'a.yaml': `${HEAD}${CHECKS}backend_logs:\n  max_entries: 101\n  timeout: 6s\n  before: 11m\n  after: 0s\n  projct: p\n` },
    expected: [
      '{dir}/a.yaml: backend_logs.projct: unknown field (did you mean "project"?)',
      '{dir}/a.yaml: backend_logs.project: is required',
      '{dir}/a.yaml: backend_logs.filter: is required',
      '{dir}/a.yaml: backend_logs.max_entries: expected an integer from 1 to 100, got 101',
      '{dir}/a.yaml: backend_logs.timeout: expected at most 5s, got "6s"',
      '{dir}/a.yaml: backend_logs.before: expected at most 10m, got "11m"',
      '{dir}/a.yaml: backend_logs.after: expected a duration greater than 0, got "0s"',
    ],
  },
  {
    name: 'backend_logs: a project id, a non-empty filter, a mapping',
    files: {
      'a.yaml': `${HEAD}${CHECKS}backend_logs:\n  project: My_Project\n  filter: ""\n`,
      'b.yaml': 'target: u\nurl: ws://127.0.0.1:1/ws\ncheckss: []\nbackend_logs: agent-backend\n',
    },
    path: '.',
    expected: [
      '{dir}/a.yaml: backend_logs.project: expected a Google Cloud project id (6 to 30 lower-case letters, digits and hyphens, starting with a letter), got "My_Project"',
      '{dir}/a.yaml: backend_logs.filter: expected a non-empty string, got ""',
      '{dir}/b.yaml: checkss: unknown field (did you mean "checks"?)',
      '{dir}/b.yaml: checks: is required',
      '{dir}/b.yaml: backend_logs: expected a mapping, got "agent-backend"',
    ],
  },
];

suite('bad config files: file → exact error text', { concurrency: true }, () => {
  for (const bad of BAD) {
    test(bad.name, async (t) => {
      const dir = await tempFiles(t, bad.files);
      const only = Object.keys(bad.files);
      const path = join(dir, bad.path ?? only[0] ?? '.');
      const expected = bad.expected.map((line) => line.replaceAll('{dir}', dir));
      const error = await loadConfig(path, bad.env ?? {}).then(
        () => assert.fail('loadConfig resolved'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, expected.join('\n'));
      assert.equal(error.problems.length, expected.length);
    });
  }
});

test('a ConfigError lists each problem as file, field and message', async (t) => {
  const dir = await tempFiles(t, { 'a.yaml': `${HEAD}checks:\n  - name: gp\n    type: golden_path\n    timeout: soon\n` });
  const error = await loadConfig(join(dir, 'a.yaml'), {}).catch((e: unknown) => e);
  assert.ok(error instanceof ConfigError);
  assert.equal(error.code, 'CONFIG_INVALID');
  assert.deepEqual(error.problems, [
    { file: join(dir, 'a.yaml'), field: 'checks[0].timeout', message: 'expected a duration like "30s" or "500ms", got "soon"' },
  ]);
});

const DEFAULT_CHECK = {
  name: 'gp',
  type: 'golden_path',
  schedule: { kind: 'every', everySeconds: 180 },
  timeoutMs: 150_000,
  slowAfterMs: 120_000,
  handshakeTimeoutMs: 10_000,
  welcomeTimeoutMs: 30_000,
  message: 'What is my GPU spend?',
  messageType: 'user_message',
  messageField: 'content',
  expectedEvents: ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'],
  completionEvent: 'agent_completed',
  welcome: [
    { type: 'connection_established', event: null },
    { type: 'system_message', event: 'connection_established' },
  ],
  maxPayloadBytes: 1_048_576,
  handshake: 'auto',
  handshakeWindowMs: 1000,
  processingWaitMs: 500,
} as const;

test('a minimal file gets every default', async (t) => {
  const dir = await tempFiles(t, { 'a.yaml': `${HEAD}${CHECKS}` });
  const config = await loadConfig(join(dir, 'a.yaml'), {});
  const expected: Config = {
    targets: [
      {
        file: join(dir, 'a.yaml'),
        target: 't',
        url: 'ws://127.0.0.1:1/ws',
        headers: {},
        tls: { caFile: null, insecureSkipVerify: false },
        auth: { type: 'none' },
        checks: [DEFAULT_CHECK],
      },
    ],
    service: { adminToken: null },
  };
  assert.deepEqual(config, expected);
});

test('backend_logs: defaults, and every field as given', async (t) => {
  const filter = 'resource.type="cloud_run_revision" AND resource.labels.service_name="agent-backend"';
  const dir = await tempFiles(t, {
    'a.yaml': `${HEAD}${CHECKS}backend_logs:\n  project: backend-project\n  filter: '${filter}'\n`,
    'b.yaml': `target: u\nurl: ws://127.0.0.1:1/ws\n${CHECKS}backend_logs:\n  project: \${BACKEND_PROJECT}\n  filter: severity>=ERROR\n  max_entries: 100\n  timeout: 5s\n  before: 10m\n  after: 1500ms\n`,
    'c.yaml': `target: v\nurl: ws://127.0.0.1:1/ws\n${CHECKS}`,
  });
  const config = await loadConfig(dir, { BACKEND_PROJECT: 'example.com:legacy-project' });
  assert.deepEqual(
    config.targets.map((target) => target.backendLogs),
    [
      { project: 'backend-project', filter, maxEntries: 20, timeoutMs: 3000, beforeMs: 30_000, afterMs: 30_000 },
      { project: 'example.com:legacy-project', filter: 'severity>=ERROR', maxEntries: 100, timeoutMs: 5000, beforeMs: 600_000, afterMs: 1500 },
      undefined,
    ],
  );
  assert.equal(Object.hasOwn(config.targets[2] ?? {}, 'backendLogs'), false);
});

test('every takes any period of at least a second, and any duration may be compound', async (t) => {
  const periods: readonly (readonly [string, number])[] = [
    ['1s', 1],
    ['90s', 90],
    ['7m', 420],
    ['45m', 2700],
    ['1m30s', 90],
    ['1h30m', 5400],
    ['5h', 18_000],
    ['36h', 129_600],
    ['1.5s', 1.5],
  ];
  for (const [every, everySeconds] of periods) {
    const dir = await tempFiles(t, { 'a.yaml': withCheck(`    every: ${every}\n    timeout: 1m30s\n    slow_after: 1m15s500ms\n`) });
    const check = (await loadConfig(join(dir, 'a.yaml'), {})).targets[0]?.checks[0];
    assert.deepEqual(
      [check?.schedule, check?.timeoutMs, check?.slowAfterMs],
      [{ kind: 'every', everySeconds }, 90_000, 75_500],
      `every: ${every}`,
    );
  }
});

test('the loaded config is deep-frozen', async (t) => {
  const dir = await tempFiles(t, { 'a.yaml': withAuth('  type: jwt\n  secret: s\n  claims: {permissions: [read]}\n') });
  const config = await loadConfig(join(dir, 'a.yaml'), {});
  const target = config.targets[0];
  assert.ok(target !== undefined && target.auth.type === 'jwt');
  assert.equal(Object.isFrozen(config), true);
  assert.equal(Object.isFrozen(target.checks[0]?.expectedEvents), true);
  assert.equal(Object.isFrozen(target.auth.claims['permissions']), true);
});

test('jwt defaults: HS256, subject canary, ttl 10m, both ways to send', async (t) => {
  const dir = await tempFiles(t, { 'a.yaml': withAuth('  type: jwt\n  secret: s3cret\n') });
  const config = await loadConfig(join(dir, 'a.yaml'), {});
  assert.deepEqual(config.targets[0]?.auth, {
    type: 'jwt',
    algorithm: 'HS256',
    secret: 's3cret',
    privateKeyFile: null,
    issuer: null,
    audience: null,
    subject: 'canary',
    ttlSeconds: 600,
    claims: {},
    sendAs: ['header', 'subprotocol'],
  });
});

test('a private key is resolved against the config file folder', async (t) => {
  const dir = await tempFiles(t, {
    'rs.yaml': withAuth('  type: jwt\n  private_key_file: keys/rs.pem\n  algorithm: RS256\n'),
    'es.yaml': withAuth('  type: jwt\n  private_key_file: keys/es.pem\n  algorithm: ES256\n  send_as: [header]\n').replace('target: t', 'target: u'),
    'keys/rs.pem': RSA_KEY,
    'keys/es.pem': EC_KEY,
  });
  const config = await loadConfig(dir, {});
  const [es, rs] = config.targets.map((target) => target.auth);
  assert.ok(rs?.type === 'jwt' && es?.type === 'jwt');
  assert.deepEqual([rs.algorithm, rs.privateKeyFile, rs.secret], ['RS256', join(dir, 'keys/rs.pem'), null]);
  assert.deepEqual([es.algorithm, es.privateKeyFile, es.sendAs], ['ES256', join(dir, 'keys/es.pem'), ['header']]);
});

test('token_url and bearer defaults', async (t) => {
  const dir = await tempFiles(t, {
    'a.yaml': withAuth('  type: token_url\n  url: https://auth.example.com/token\n'),
    'b.yaml': withAuth('  type: token_url\n  url: http://auth/t\n  token_field: data.token\n  expires_in_field: null\n  body: {client_id: c}\n').replace('target: t', 'target: b'),
    'c.yaml': withAuth('  type: bearer\n  token_env: CANARY_TOKEN\n').replace('target: t', 'target: c'),
  });
  const auths = (await loadConfig(dir, {})).targets.map((target) => target.auth);
  assert.deepEqual(auths, [
    {
      type: 'token_url',
      url: 'https://auth.example.com/token',
      headers: {},
      body: {},
      tokenField: 'access_token',
      expiresInField: 'expires_in',
      sendAs: ['header', 'subprotocol'],
    },
    {
      type: 'token_url',
      url: 'http://auth/t',
      headers: {},
      body: { client_id: 'c' },
      tokenField: 'data.token',
      expiresInField: null,
      sendAs: ['header', 'subprotocol'],
    },
    { type: 'bearer', tokenEnv: 'CANARY_TOKEN', sendAs: ['header', 'subprotocol'] },
  ]);
});

test('check fields: cron, capped timeouts, start_agent field, sizes, slow_after default capped to timeout', async (t) => {
  const dir = await tempFiles(t, {
    'a.yaml': withCheck(
      [
        '    cron: " */5 * * * * "',
        '    timeout: 8s',
        '    welcome_timeout: 1m',
        '    message_type: start_agent',
        '    max_payload: 64KiB',
        '    expected_events: [agent_started, agent_error]',
        '    completion_event: agent_error',
        '    welcome: [{type: hello}]',
        '',
      ].join('\n'),
    ),
  });
  const check = (await loadConfig(join(dir, 'a.yaml'), {})).targets[0]?.checks[0];
  assert.deepEqual(check, {
    ...DEFAULT_CHECK,
    schedule: { kind: 'cron', cron: '*/5 * * * *' },
    timeoutMs: 8_000,
    slowAfterMs: 8_000,
    handshakeTimeoutMs: 8_000,
    welcomeTimeoutMs: 8_000,
    messageType: 'start_agent',
    messageField: 'user_request',
    maxPayloadBytes: 65_536,
    expectedEvents: ['agent_started', 'agent_error'],
    completionEvent: 'agent_error',
    welcome: [{ type: 'hello', event: null }],
  });
});

test('interpolation: ${VAR}, ${VAR:-default} for unset or empty, $${ literal, inside nested values', async (t) => {
  const dir = await tempFiles(t, {
    'a.yaml': [
      'target: ${TARGET_NAME}',
      'url: ws://${HOST:-localhost}:${PORT:-8765}/ws',
      'headers:',
      '  X-Template: "$${NOT_A_VAR} and $$ and $x"',
      'auth:',
      '  type: jwt',
      '  secret: ${SECRET}',
      '  claims: {team: "${TEAM:-core}", nested: {list: ["${TEAM:-core}", 7]}}',
      'checks:',
      '  - name: gp',
      '    type: golden_path',
      '    timeout: ${TIMEOUT:-45s}',
      '',
    ].join('\n'),
  });
  const env = { TARGET_NAME: 'staging', HOST: '', PORT: '9000', SECRET: 'from-env', TEAM: '' };
  const target = (await loadConfig(join(dir, 'a.yaml'), env)).targets[0];
  assert.ok(target?.auth.type === 'jwt');
  assert.equal(target.target, 'staging');
  assert.equal(target.url, 'ws://localhost:9000/ws');
  assert.deepEqual(target.headers, { 'X-Template': '${NOT_A_VAR} and $$ and $x' });
  assert.equal(target.auth.secret, 'from-env');
  assert.deepEqual(target.auth.claims, { team: 'core', nested: { list: ['core', 7] } });
  assert.equal(target.checks[0]?.timeoutMs, 45_000);
});

test('interpolation: booleans like numbers and durations, ${INSECURE:-false} and ${INSECURE}', async (t) => {
  const dir = await tempFiles(t, {
    'a.yaml': `${HEAD}${CHECKS}tls:\n  insecure_skip_verify: \${INSECURE:-false}\n`,
  });
  const load = async (env: NodeJS.ProcessEnv): Promise<boolean | undefined> =>
    (await loadConfig(join(dir, 'a.yaml'), env)).targets[0]?.tls.insecureSkipVerify;
  assert.equal(await load({}), false);
  assert.equal(await load({ INSECURE: 'true' }), true);
  assert.equal(await load({ INSECURE: 'false' }), false);
  await assert.rejects(load({ INSECURE: 'yes' }), {
    message: `${join(dir, 'a.yaml')}: tls.insecure_skip_verify: expected true or false, got "yes"`,
  });
});

test('a folder loads its yaml and yml files sorted by name, skipping templates and hidden files', async (t) => {
  const file = (name: string): string => `target: ${name}\nurl: ws://x/ws\n${CHECKS}`;
  const dir = await tempFiles(t, {
    'b.yml': file('b'),
    'a.yaml': file('a'),
    'c.example.yaml': file('c'),
    'd.example.yml': file('d'),
    '.e.yaml': file('e'),
    'f.json': '{}',
    'sub/g.yaml': file('g'),
  });
  const config = await loadConfig(dir, {});
  assert.deepEqual(
    config.targets.map((target) => [target.target, target.file]),
    [
      ['a', join(dir, 'a.yaml')],
      ['b', join(dir, 'b.yml')],
    ],
  );
});

test('a template loads when named by its path', async (t) => {
  const dir = await tempFiles(t, { 'c.example.yaml': `${HEAD}${CHECKS}` });
  const config = await loadConfig(join(dir, 'c.example.yaml'), {});
  assert.deepEqual(
    config.targets.map((target: TargetConfig) => target.target),
    ['t'],
  );
});

const SHIPPED = fileURLToPath(new URL('../../checks/', import.meta.url));

test('the shipped checks folder loads local.yaml only, with no environment', async () => {
  const config = await loadConfig(SHIPPED, {});
  assert.deepEqual(config.targets, [
    {
      file: join(SHIPPED, 'local.yaml'),
      target: 'local',
      url: 'ws://127.0.0.1:8765/ws',
      headers: {},
      tls: { caFile: null, insecureSkipVerify: false },
      auth: {
        type: 'jwt',
        algorithm: 'HS256',
        secret: 'reference-backend-secret',
        privateKeyFile: null,
        issuer: 'netra-auth-service',
        audience: 'netra-platform',
        subject: 'canary-local',
        ttlSeconds: 600,
        claims: { token_type: 'access', email: 'canary@example.com', permissions: ['read', 'write'] },
        sendAs: ['header', 'subprotocol'],
      },
      checks: [
        {
          ...DEFAULT_CHECK,
          name: 'golden_path',
          schedule: { kind: 'every', everySeconds: 10 },
          timeoutMs: 20_000,
          slowAfterMs: 5_000,
          welcomeTimeoutMs: 20_000,
          expectAnswer: { field: 'result.answer', notEmpty: true, contains: 'Reference answer to', matches: null, ignoreCase: false },
        },
        {
          ...DEFAULT_CHECK,
          name: 'handshake_storm',
          type: 'handshake_storm',
          schedule: { kind: 'every', everySeconds: 30 },
          timeoutMs: 20_000,
          slowAfterMs: 20_000,
          welcomeTimeoutMs: 20_000,
          connections: 5,
          windowMs: 200,
        },
        {
          ...DEFAULT_CHECK,
          name: 'auth_enforcement',
          type: 'auth_enforcement',
          schedule: { kind: 'every', everySeconds: 30 },
          timeoutMs: 20_000,
          slowAfterMs: 20_000,
          welcomeTimeoutMs: 20_000,
          probes: ['no_token', 'expired', 'wrong_key', 'wrong_issuer', 'wrong_token_type', 'bypass_headers'],
        },
        {
          ...DEFAULT_CHECK,
          name: 'user_isolation',
          type: 'user_isolation',
          schedule: { kind: 'every', everySeconds: 20 },
          timeoutMs: 20_000,
          slowAfterMs: 5_000,
          welcomeTimeoutMs: 20_000,
          subjects: ['canary-local-a', 'canary-local-b'],
        },
        {
          ...DEFAULT_CHECK,
          name: 'dependency_health',
          type: 'dependency_health',
          schedule: { kind: 'every', everySeconds: 20 },
          timeoutMs: 20_000,
          slowAfterMs: 5_000,
          welcomeTimeoutMs: 20_000,
          endpoints: ['/health', '/health/ready'],
          healthTimeoutMs: 5_000,
        },
        {
          ...DEFAULT_CHECK,
          name: 'input_hygiene',
          type: 'input_hygiene',
          schedule: { kind: 'every', everySeconds: 30 },
          timeoutMs: 20_000,
          slowAfterMs: 5_000,
          welcomeTimeoutMs: 20_000,
          accept: ['error_frame', 'silent_drop', 'close_1009'],
          answerWindowMs: 1_000,
        },
        {
          ...DEFAULT_CHECK,
          name: 'message_burst',
          type: 'message_burst',
          schedule: { kind: 'every', everySeconds: 30 },
          timeoutMs: 20_000,
          slowAfterMs: 5_000,
          welcomeTimeoutMs: 20_000,
          messages: 5,
        },
      ],
    },
  ]);
});

test('the shipped local.yaml takes its port and secret from the environment', async () => {
  const config = await loadConfig(join(SHIPPED, 'local.yaml'), { CANARY_TARGET_PORT: '40123', CANARY_LOCAL_JWT_SECRET: 'other' });
  const target = config.targets[0];
  assert.ok(target?.auth.type === 'jwt');
  assert.deepEqual([target.url, target.auth.secret], ['ws://127.0.0.1:40123/ws', 'other']);
});

test('the shipped staging template loads with STAGING_JWT_SECRET set', async () => {
  const config = await loadConfig(join(SHIPPED, 'staging.example.yaml'), { STAGING_JWT_SECRET: 'stg' });
  const target = config.targets[0];
  assert.ok(target?.auth.type === 'jwt');
  assert.deepEqual(
    [target.target, target.url, target.auth.secret, target.auth.subject],
    ['staging', 'wss://api.staging.example.com/ws', 'stg', 'canary-staging'],
  );
  assert.deepEqual(target.checks[0], {
    ...DEFAULT_CHECK,
    name: 'golden_path',
    message: 'Canary: what did my GPU spend look like last month?',
    handshakeWindowMs: 3000,
    expectAnswer: { field: 'result', notEmpty: true, contains: null, matches: 'GPU|spend|cost', ignoreCase: true },
  });
});

test('the shipped production template loads with PRODUCTION_JWT_SECRET set', async () => {
  const config = await loadConfig(join(SHIPPED, 'production.example.yaml'), { PRODUCTION_JWT_SECRET: 'prd' });
  const target = config.targets[0];
  assert.ok(target?.auth.type === 'jwt');
  assert.deepEqual(
    [target.target, target.url, target.auth.secret, target.auth.subject],
    ['production', 'wss://api.example.com/ws', 'prd', 'canary-production'],
  );
  assert.deepEqual(target.checks[0], {
    ...DEFAULT_CHECK,
    name: 'golden_path',
    message: 'Canary: what did my GPU spend look like last month?',
    handshakeWindowMs: 3000,
    expectAnswer: { field: 'result', notEmpty: true, contains: null, matches: 'GPU|spend|cost', ignoreCase: true },
  });
});

test('the shipped templates name the variables they need', async () => {
  const error = await loadConfig(join(SHIPPED, 'staging.example.yaml'), {}).catch((e: unknown) => e);
  assert.ok(error instanceof ConfigError);
  assert.equal(
    error.message,
    `${join(SHIPPED, 'staging.example.yaml')}: auth.secret: environment variable STAGING_JWT_SECRET is not set`,
  );
});

test('golden_path expect_answer and the handshake settings, handshake_window capped to timeout', async (t) => {
  const dir = await tempFiles(t, {
    'a.yaml': withCheck(
      [
        '    timeout: 1500ms',
        '    handshake: require',
        '    handshake_window: 5s',
        '    processing_wait: 250ms',
        '    expect_answer:',
        '      field: result.answer',
        '      contains: GPU',
        '      matches: "\\\\$[0-9]+"',
        '',
      ].join('\n'),
    ),
  });
  const check = (await loadConfig(join(dir, 'a.yaml'), {})).targets[0]?.checks[0];
  assert.ok(check?.type === 'golden_path');
  assert.deepEqual(
    [check.handshake, check.handshakeWindowMs, check.processingWaitMs, check.expectAnswer],
    ['require', 1500, 250, { field: 'result.answer', notEmpty: true, contains: 'GPU', matches: '\\$[0-9]+', ignoreCase: false }],
  );
});

test('third-generation token presentation: environment, subprotocol form and the query string', async (t) => {
  const dir = await tempFiles(t, {
    'a.yaml': withAuth('  type: bearer\n  token_env: T\n  send_as: [subprotocol, query, header]\n  subprotocol: jwt\n  environment: staging\n'),
  });
  const config = await loadConfig(join(dir, 'a.yaml'), {});
  assert.deepEqual(config.targets[0]?.auth, {
    type: 'bearer',
    tokenEnv: 'T',
    sendAs: ['subprotocol', 'query', 'header'],
    environment: 'staging',
    subprotocolForm: 'jwt',
  });
});
