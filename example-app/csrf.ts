/**
 * CSRF protection with a per-session synchronizer token.
 *
 * Every page that shows a form calls `csrfToken(req)` and puts the token in a hidden `_csrf` field;
 * `verifyCsrf` refuses any POST (or other unsafe method) whose `_csrf` field (or `X-CSRF-Token`
 * header) does not match the token of the session. The comparison is constant-time, and a request
 * without a session, without a token or with a wrong one is refused with 403 before any handler
 * (login, logout) runs. `SameSite=Lax` on the session cookie is a second layer, not the only one.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
// Brings express-session's `req.session` typing into this file (and lets it be augmented below).
import type {} from 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** The synchronizer token of this session (base64url, 32 random bytes). */
    csrfToken?: string;
  }
}

/** The error `verifyCsrf` passes on; the app's error handler renders it as a 403 page. */
export class CsrfError extends Error {
  readonly status = 403;
  readonly code = 'EBADCSRFTOKEN';
  constructor() {
    super('The form was not sent by this site, or the page was open too long. Please try again.');
    this.name = 'CsrfError';
  }
}

/** The session's token, created on first use. Needs `express-session` in front. */
export function csrfToken(req: Request): string {
  if (!req.session) throw new Error('csrfToken() needs express-session in front of it');
  if (!req.session.csrfToken) req.session.csrfToken = randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

// Hashing both sides first gives equal lengths, so timingSafeEqual never throws and the time taken
// does not depend on how much of the token was right.
function sameToken(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Middleware: for unsafe methods, checks the `_csrf` body field (or the `X-CSRF-Token` header)
 * against the session's token; on a mismatch calls `next(new CsrfError())`.
 */
export function verifyCsrf(req: Request, _res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  const expected = req.session?.csrfToken;
  const body = req.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
  const fromHeader = req.get('x-csrf-token');
  const given = fromBody ?? fromHeader;
  if (typeof expected !== 'string' || typeof given !== 'string' || !sameToken(expected, given)) {
    return next(new CsrfError());
  }
  next();
}
