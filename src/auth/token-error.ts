/** Stable codes for why a token could not be had. Messages are for people; codes are for code. */
export type TokenErrorCode =
  | 'key_unreadable'
  | 'sign_failed'
  | 'env_missing'
  | 'endpoint_unreachable'
  | 'endpoint_status'
  | 'endpoint_body'
  | 'aborted';

export class TokenError extends Error {
  readonly code: TokenErrorCode;
  constructor(code: TokenErrorCode, message: string) {
    super(message);
    this.name = 'TokenError';
    this.code = code;
  }
}
