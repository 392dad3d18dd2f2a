/**
 * A refusal of `requireCognito()`: the internal value its checks throw, the public shape handed to
 * the `onRefusal` option, and handing it over so that whatever the app's handler throws reaches `next`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CognitoErrorCode } from '../lib/error-codes';
import type { ErrorBody } from './respond';

/**
 * What `requireCognito()` refused, as handed to its `onRefusal` option.
 *
 * @example
 * const refusal: CognitoRefusal = {
 *   status: 403, code: 'ERR_COGNITO_GROUP_REQUIRED', message: 'Requires membership of: admin.', headers: {},
 * };
 */
export interface CognitoRefusal {
  /** 401 (no valid token), 403 (a missing group or scope) or 503 (signing keys or Cognito unreachable). */
  status: 401 | 403 | 503;
  /**
   * Stable code, one of {@link CognitoErrorCode} (`ERR_COGNITO_TOKEN_MISSING`, `ERR_COGNITO_TOKEN_EXPIRED`,
   * `ERR_COGNITO_GROUP_REQUIRED`…).
   */
  code: CognitoErrorCode;
  /** The message the built-in answer would show (never a token or a secret). */
  message: string;
  /** Headers the built-in answer would set (`WWW-Authenticate`, `Retry-After`); a copy, yours to change. */
  headers: Record<string, string>;
}

/**
 * The signature of `requireCognito({ onRefusal })`.
 *
 * @example
 * const handler: RefusalHandler = (req, res, next, refusal) => next(Object.assign(new Error(refusal.message), { status: refusal.status }));
 */
export type RefusalHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
  refusal: CognitoRefusal,
) => void | Promise<void>;

/**
 * Thrown inside the guard when a request is refused (anything else thrown is an error for `next`).
 *
 * @example
 * throw new Refusal(403, { error: 'forbidden', code: 'ERR_COGNITO_GROUP_REQUIRED', message: 'Requires membership of: admin.' });
 */
export class Refusal {
  constructor(
    readonly status: 401 | 403 | 503,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
    /** A browser may be sent to `loginUrl` instead (not signed in, or the session ended). */
    readonly mayRedirect = false,
  ) {}

  /**
   * The public view of this refusal, for `onRefusal` (headers copied, so the handler may change them).
   *
   * @example
   * onRefusal(req, res, next, refusal.toPublic());
   */
  toPublic(): CognitoRefusal {
    return { status: this.status, code: this.body.code, message: this.body.message, headers: { ...this.headers } };
  }
}

/**
 * Calls the app's `onRefusal`; what it throws, or a promise it returns rejects with, goes to `next`.
 *
 * @example
 * handOverRefusal(options.onRefusal, req, res, next, refusal.toPublic());
 */
export function handOverRefusal(
  handler: RefusalHandler,
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
  refusal: CognitoRefusal,
): void {
  let result: unknown;
  try {
    result = handler(req, res, next, refusal);
  } catch (err) {
    next(err);
    return;
  }
  // An async handler: its rejection must not become an unhandled rejection.
  if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
    (result as PromiseLike<unknown>).then(undefined, (err: unknown) => next(err));
  }
}
