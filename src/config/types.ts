/** Validated, typed configuration. Produced only by `loadConfig`; everything inside trusts it. */

export type SendAs = 'header' | 'subprotocol';

export type AuthConfig =
  | { readonly type: 'none' }
  | {
      readonly type: 'bearer';
      /** Name of the environment variable read at run time. */
      readonly tokenEnv: string;
      readonly sendAs: readonly SendAs[];
    }
  | {
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
      readonly sendAs: readonly SendAs[];
    }
  | {
      readonly type: 'token_url';
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      /** JSON body of the POST. */
      readonly body: Readonly<Record<string, unknown>>;
      /** Dot path of the token in the JSON answer. */
      readonly tokenField: string;
      /** Dot path of the lifetime in seconds, if the answer has one; else the JWT `exp` is used. */
      readonly expiresInField: string | null;
      readonly sendAs: readonly SendAs[];
    };

export interface TlsConfig {
  readonly caFile: string | null;
  readonly insecureSkipVerify: boolean;
}

export type Schedule = { readonly kind: 'every'; readonly everySeconds: number } | { readonly kind: 'cron'; readonly cron: string };

/** How the welcome frame is recognised: any matcher whose fields all match. */
export interface WelcomeMatcher {
  /** The frame's `type`. */
  readonly type: string;
  /** When set, `event` read from `data`, then `payload`, then the top level, must equal it. */
  readonly event: string | null;
}

export interface GoldenPathCheck {
  readonly name: string;
  readonly type: 'golden_path';
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
}

export type CheckConfig = GoldenPathCheck;

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
