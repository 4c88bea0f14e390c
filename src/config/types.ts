/** Validated, typed configuration. Produced only by `loadConfig`; everything inside trusts it. */
import type { WelcomeMatcher } from '../protocol/frames.ts';

/**
 * How the token is presented on the upgrade (protocol.md, "Authentication" and "Third generation"):
 * the Authorization header, a Sec-WebSocket-Protocol entry, or `?token=` on the URL.
 */
export type SendAs = 'header' | 'subprotocol' | 'query';

/**
 * The Sec-WebSocket-Protocol form of the token. `browser`: `["jwt-auth", "jwt.<base64url token>"]`,
 * as the browser client offers it (both earlier generations accept it). The others carry the raw
 * token as the third generation's official client does, with the environment when one is set:
 * `jwt.[<env>.]<token>`, `jwt-auth.[<env>.]<token>`, `bearer.[<env>.]<token>`, `staging-auth.<token>`.
 */
export type SubprotocolForm = 'browser' | 'jwt' | 'jwt-auth' | 'bearer' | 'staging-auth';

/** What every auth type with a token adds to `sendAs`; both absent in configs built in code. */
export interface TokenPresentation {
  readonly sendAs: readonly SendAs[];
  /** The backend environment the token is for (`X-Environment`, `env=`, `jwt.<env>.<token>`). */
  readonly environment?: string;
  /** Absent: `browser`. */
  readonly subprotocolForm?: SubprotocolForm;
}

export type AuthConfig =
  | { readonly type: 'none' }
  | ({
      readonly type: 'bearer';
      /** Name of the environment variable read at run time. */
      readonly tokenEnv: string;
    } & TokenPresentation)
  | ({
      readonly type: 'jwt';
      readonly algorithm: 'HS256' | 'RS256' | 'ES256';
      /** HS256 shared secret. */
      readonly secret: string | null;
      /** RS256/ES256 PKCS#8 PEM private key file, resolved to an absolute path. */
      readonly privateKeyFile: string | null;
      readonly issuer: string | null;
      readonly audience: string | null;
      readonly subject: string;
      readonly ttlSeconds: number;
      readonly claims: Readonly<Record<string, unknown>>;
    } & TokenPresentation)
  | ({
      readonly type: 'token_url';
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      /** JSON body of the POST. */
      readonly body: Readonly<Record<string, unknown>>;
      /** Dot path of the token in the JSON answer. */
      readonly tokenField: string;
      /** Dot path of the lifetime in seconds, if the answer has one; else the JWT `exp` is used. */
      readonly expiresInField: string | null;
    } & TokenPresentation);

export interface TlsConfig {
  readonly caFile: string | null;
  readonly insecureSkipVerify: boolean;
}

export type Schedule = { readonly kind: 'every'; readonly everySeconds: number } | { readonly kind: 'cron'; readonly cron: string };

/** The welcome matcher is the protocol's; the config reads it (`walk.ts`). */
export type { WelcomeMatcher };

/**
 * What every check that walks the golden path (or part of it) is configured with. Check types
 * beyond `golden_path` add their own fields to these.
 */
export interface WalkSettings {
  readonly name: string;
  readonly type: string;
  readonly schedule: Schedule;
  /** The run's deadline. */
  readonly timeoutMs: number;
  /** A completed run slower than this is `degraded`. */
  readonly slowAfterMs: number;
  /** Budget from connect to HTTP 101 (within the run's deadline). */
  readonly handshakeTimeoutMs: number;
  /** Budget from 101 to the welcome frame (within the run's deadline). */
  readonly welcomeTimeoutMs: number;
  readonly message: string;
  readonly messageType: string;
  /** Field of `payload` that carries the text (`content`; `user_request` for `start_agent`). */
  readonly messageField: string;
  readonly expectedEvents: readonly string[];
  readonly completionEvent: string;
  readonly welcome: readonly WelcomeMatcher[];
  /** Largest frame accepted from the server, bytes (ws `maxPayload`). */
  readonly maxPayloadBytes: number;
  /**
   * The third generation's lifecycle handshake (protocol.md, "Third generation"): `auto` detects it
   * (no `handshake_response` within `handshakeWindowMs` means an earlier generation), `require`
   * fails the run without one (`handshake_incomplete`), `off` never waits for one. Absent: `auto`
   * (configs built in code; a loaded config always sets it).
   */
  readonly handshake?: HandshakeMode;
  /** How long `auto` waits for `handshake_response` after the welcome, milliseconds. Absent: {@link DEFAULT_HANDSHAKE_WINDOW_MS}. */
  readonly handshakeWindowMs?: number;
  /** Wait after `handshake_complete` before the chat message, milliseconds. Absent: {@link DEFAULT_PROCESSING_WAIT_MS}. */
  readonly processingWaitMs?: number;
}

/** The `handshake` settings of a walk-based check. */
export const HANDSHAKE_MODES = ['auto', 'require', 'off'] as const;
export type HandshakeMode = (typeof HANDSHAKE_MODES)[number];
/**
 * Default `handshake_window`: a third-generation server sends `handshake_response` as soon as the
 * socket is authenticated, within milliseconds of the welcome; an earlier generation never does, and
 * every run against it pays the window before its message. 1 s is far above a round trip plus the
 * server's own scheduling (the reference backend answers within a millisecond on loopback), and
 * small against the run's deadline. The official client's 10 s is a human's patience, not a
 * probe's. Unset, it is also at most a quarter of the check's timeout.
 */
export const DEFAULT_HANDSHAKE_WINDOW_MS = 1000;
/** Default `processing_wait`: the official client's 500 ms between `handshake_complete` and the first message. */
export const DEFAULT_PROCESSING_WAIT_MS = 500;

/**
 * What the completion event's answer must satisfy (`expect_answer`, issue 10 item 3). Checked by
 * `checkAnswer` in src/checks/golden-path/answer.ts.
 */
export interface AnswerExpectation {
  /** Dot path of the answer in the completion event; its first segment is read under `payload`, `data`, then the top level. */
  readonly field: string;
  /** The answer must not be empty ("", only whitespace, null, {} or []). */
  readonly notEmpty: boolean;
  /** Text the answer must contain; an object answer is checked as its JSON. */
  readonly contains: string | null;
  /** A `v`-flag regular expression the answer must match, refused at config time when not linear-safe. */
  readonly matches: string | null;
  readonly ignoreCase: boolean;
}

/** One walk of the golden path: connect, welcome, a message, the expected events. */
export interface GoldenPathCheck extends WalkSettings {
  readonly type: 'golden_path';
  /** Absent: only the events are checked, not the answer. */
  readonly expectAnswer?: AnswerExpectation;
}

/** K connections opened within a short window; each must reach the welcome (handshake races, 1011). */
export interface HandshakeStormCheck extends WalkSettings {
  readonly type: 'handshake_storm';
  /** How many connections, K (default 5). */
  readonly connections: number;
  /** The window they are opened in, milliseconds (default 200). */
  readonly windowMs: number;
}

/** The ways auth_enforcement tries to get in without a valid token. */
export const AUTH_PROBES = ['no_token', 'expired', 'wrong_key', 'wrong_issuer', 'wrong_token_type', 'bypass_headers'] as const;
export type AuthProbe = (typeof AUTH_PROBES)[number];

/** A security canary: every probe must be refused before any agent event. */
export interface AuthEnforcementCheck extends WalkSettings {
  readonly type: 'auth_enforcement';
  readonly probes: readonly AuthProbe[];
}

/** Two identities walk the golden path at once; each must see only its own events. */
export interface UserIsolationCheck extends WalkSettings {
  readonly type: 'user_isolation';
  /** The two `sub` claims the identities' tokens carry. */
  readonly subjects: readonly [string, string];
}

/** Health endpoints, classified; a golden path with no events while they say healthy is a silent failure. */
export interface DependencyHealthCheck extends WalkSettings {
  readonly type: 'dependency_health';
  /** Paths (on the target's host, http/https) or absolute URLs, default `/health` and `/health/ready`. */
  readonly endpoints: readonly string[];
  /** Budget of each health request, milliseconds. */
  readonly healthTimeoutMs: number;
}

/** N user messages back to back on one connection; every one must get its whole event sequence. */
export interface MessageBurstCheck extends WalkSettings {
  readonly type: 'message_burst';
  /** How many messages, N (2 to 20, default 5). */
  readonly messages: number;
}

/** The answers input_hygiene can accept to a bad input. */
export const HYGIENE_ANSWERS = ['error_frame', 'silent_drop', 'close_1009'] as const;
export type HygieneAnswer = (typeof HYGIENE_ANSWERS)[number];

/** Malformed JSON and a message over max_message_size, each answered acceptably; then a golden path. */
export interface InputHygieneCheck extends WalkSettings {
  readonly type: 'input_hygiene';
  /** The answers to a bad input that pass (default all three). */
  readonly accept: readonly HygieneAnswer[];
  /** How long to wait for the answer to each bad input before taking silence as a drop, milliseconds (default 1000). */
  readonly answerWindowMs: number;
}

export type CheckConfig = GoldenPathCheck | HandshakeStormCheck | AuthEnforcementCheck | UserIsolationCheck | DependencyHealthCheck | InputHygieneCheck | MessageBurstCheck;

/**
 * Where the backend's own log entries are (`backend_logs`): read after a failed run, bounded, and
 * attached to it (src/backend-logs/).
 */
export interface BackendLogsConfig {
  /** The Google Cloud project holding the entries. */
  readonly project: string;
  /** The user's Logging query (https://cloud.google.com/logging/docs/view/logging-query-language). */
  readonly filter: string;
  /** Entries kept, 1 to 100. */
  readonly maxEntries: number;
  /** The lookup's hard deadline, at most 5 s. */
  readonly timeoutMs: number;
  /** Margin before the run's start. */
  readonly beforeMs: number;
  /** Margin after the run's end. */
  readonly afterMs: number;
}

export interface TargetConfig {
  /** The file the target came from (for error messages), or `<embedded>`. */
  readonly file: string;
  /** Label value, `[a-z0-9_-]+`. */
  readonly target: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: TlsConfig;
  readonly auth: AuthConfig;
  readonly checks: readonly CheckConfig[];
  /** Absent: the backend's logs are not read. */
  readonly backendLogs?: BackendLogsConfig;
}

/** Settings of `canary serve`, from the `service` section of at most one file. */
export interface ServiceConfig {
  /** Bearer token for `POST /checks/:name/run`; `CANARY_ADMIN_TOKEN` takes precedence. */
  readonly adminToken: string | null;
}

export interface Config {
  readonly targets: readonly TargetConfig[];
  readonly service: ServiceConfig;
}
