/**
 * `cognitoCsrf()`: CSRF protection with a per-session synchronizer token (OWASP's "synchronizer
 * token pattern"), for every form route — the login included, which a forged cross-site POST could
 * otherwise sign into the attacker's account (login CSRF).
 *
 * A page with a form calls `req.csrfToken()` (or reads `res.locals.csrfToken`) and puts the token in
 * a hidden `_csrf` field; an API client sends it as `X-CSRF-Token`. A request with an unsafe method
 * whose token does not match the session's is refused before any handler runs: `next(err)` with a
 * {@link CsrfTokenError} (403, `ERR_COGNITO_CSRF`), so the app's error handler renders it like any
 * other error. The comparison takes the same time however much of the token was right. The token is
 * created on first use (so pages without a form store no session) and a new session — the one a
 * login regenerates — gets a new token. `SameSite=Lax` on the session cookie is a second layer.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CognitoError } from '../lib/errors';

/** Where the token is kept in the session. */
export const CSRF_SESSION_KEY = 'cognitoCsrfToken';

/**
 * The form field or header did not carry this session's token: a 403.
 *
 * @example
 * app.use((err, req, res, next) => (err instanceof CsrfTokenError ? res.status(403).render('expired') : next(err)));
 */
export class CsrfTokenError extends CognitoError {
  constructor() {
    super('The form was not sent by this site, or the page was open too long. Please try again.', 'ERR_COGNITO_CSRF', 403);
  }
}

/** Options of {@link cognitoCsrf}. */
export interface CognitoCsrfOptions {
  /** The body field holding the token. Default `'_csrf'`. */
  fieldName?: string;
  /** The header holding the token (for `fetch` and API clients). Default `'x-csrf-token'`. */
  headerName?: string;
  /** Methods never checked. Default GET, HEAD, OPTIONS. */
  ignoreMethods?: readonly string[];
}

interface CsrfRequest extends IncomingMessage {
  session?: Record<string, unknown> & object;
  body?: unknown;
  csrfToken?: () => string;
}

interface LocalsResponse extends ServerResponse {
  locals?: Record<string, unknown>;
}

type Next = (err?: unknown) => void;

declare module 'express-serve-static-core' {
  interface Request {
    /** This session's CSRF token, created on first use (set by `cognitoCsrf()`). */
    csrfToken?: () => string;
  }
}

/**
 * The session's token, created on first use.
 *
 * @throws Error when there is no session (`express-session` must come first).
 * @example
 * res.render('login', { csrfToken: csrfToken(req) });
 */
export function csrfToken(req: { session?: object }): string {
  const session = req.session as Record<string, unknown> | undefined;
  if (session === undefined || session === null) throw new Error('csrfToken() needs express-session in front of it');
  let token = session[CSRF_SESSION_KEY];
  if (typeof token !== 'string') {
    token = randomBytes(32).toString('base64url');
    session[CSRF_SESSION_KEY] = token;
  }
  return token as string;
}

// Hashing both sides first gives equal lengths, so timingSafeEqual never throws and the time taken
// does not depend on how much of the token was right.
function sameToken(expected: string, given: string): boolean {
  return timingSafeEqual(createHash('sha256').update(expected).digest(), createHash('sha256').update(given).digest());
}

/**
 * The CSRF middleware: mount it after `express-session` and the body parsers, before the form routes.
 *
 * @throws TypeError for a bad option.
 * @example
 * app.use(session({ secret, resave: false, saveUninitialized: false }));
 * app.use(express.urlencoded({ extended: false }));
 * app.use(cognitoCsrf());
 * app.get('/login', (req, res) => res.send(loginForm({ csrf: req.csrfToken!() })));
 * app.post('/login', passport.authenticate('cognito', { successRedirect: '/', failureRedirect: '/login' }));
 */
export function cognitoCsrf(options: CognitoCsrfOptions = {}): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const field = options.fieldName ?? '_csrf';
  const header = (options.headerName ?? 'x-csrf-token').toLowerCase();
  if (typeof field !== 'string' || field === '') throw new TypeError('"fieldName" must be a non-empty string');
  if (!/^[a-z0-9-]+$/.test(header)) throw new TypeError('"headerName" must be a header name');
  const ignore = options.ignoreMethods ?? ['GET', 'HEAD', 'OPTIONS'];
  if (!Array.isArray(ignore) || !ignore.every((m) => typeof m === 'string')) throw new TypeError('"ignoreMethods" must be an array of methods');
  const safe = new Set(ignore.map((m) => m.toUpperCase()));
  return (rawReq, rawRes, next) => {
    const req = rawReq as CsrfRequest;
    const res = rawRes as LocalsResponse;
    if (req.session === undefined || req.session === null) return next(new Error('cognitoCsrf() needs express-session in front of it'));
    const session = req.session;
    req.csrfToken = () => csrfToken(req);
    if (res.locals !== undefined) {
      Object.defineProperty(res.locals, 'csrfToken', { get: () => csrfToken(req), configurable: true, enumerable: true });
    }
    if (safe.has((req.method ?? 'GET').toUpperCase())) return next();
    const expected = session[CSRF_SESSION_KEY];
    const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : undefined;
    const fromBody = body !== undefined && typeof body[field] === 'string' ? body[field] : undefined;
    const fromHeader = req.headers[header];
    const given = fromBody ?? (typeof fromHeader === 'string' ? fromHeader : undefined);
    if (typeof expected !== 'string' || typeof given !== 'string' || given.length > 256 || !sameToken(expected, given)) {
      return next(new CsrfTokenError());
    }
    next();
  };
}
