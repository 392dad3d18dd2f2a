/**
 * Writing the web layer's answers with nothing but Node's `ServerResponse` (`statusCode`,
 * `setHeader`, `end`), so that the middleware works on Express 4, Express 5 and a plain Connect app
 * alike, and content negotiation (browser or API client?) without Express's `req.accepts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CognitoErrorCode } from '../lib/error-codes';

/**
 * The JSON body of every refusal: an OAuth-style `error`, a stable `code` and a human `message`.
 *
 * @example
 * const body: ErrorBody = { error: 'invalid_token', code: 'ERR_COGNITO_TOKEN_EXPIRED', message: 'Token refused: the token has expired' };
 */
export interface ErrorBody {
  /** The OAuth 2.0 / RFC 6750 error (`invalid_token`, `invalid_request`, `insufficient_scope`…). */
  error: string;
  /** Stable code: one of {@link CognitoErrorCode}. */
  code: CognitoErrorCode;
  /** A human message (never a token or a secret). */
  message: string;
  /** The form field at fault, for a 400 of the account routes. */
  field?: string;
}

/**
 * True when the client prefers HTML to JSON: an explicit `text/html` (or `application/xhtml+xml`)
 * in `Accept` ranked at least as high as `application/json`. `*\/*` alone is not a browser.
 *
 * @example
 * wantsHtml({ headers: { accept: 'text/html,application/xhtml+xml,*\/*;q=0.8' } }); // true
 * wantsHtml({ headers: { accept: 'application/json' } });                           // false
 */
export function wantsHtml(req: Pick<IncomingMessage, 'headers'>): boolean {
  const accept = req.headers.accept;
  if (typeof accept !== 'string' || accept.length > 4096) return false;
  let html = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [rawType, ...params] = part.trim().toLowerCase().split(';');
    const type = (rawType ?? '').trim();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) q = Math.min(1, Math.max(0, Number(m[1]) || 0));
    }
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    else if (type === 'application/json' || type === 'application/problem+json') json = Math.max(json, q);
  }
  return html > 0 && html >= json;
}

function noStore(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * Sends a JSON refusal (or, for a browser, a minimal HTML page with the same message).
 *
 * @example
 * sendError(req, res, 401, { error: 'invalid_token', code, message }, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
 */
export function sendError(
  req: Pick<IncomingMessage, 'headers' | 'method'>,
  res: ServerResponse,
  status: number,
  body: ErrorBody,
  headers: Record<string, string> = {},
): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  noStore(res);
  appendVary(res, 'Accept');
  let payload: string;
  if (wantsHtml(req)) {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    payload = `<!doctype html><meta charset="utf-8"><title>${status}</title><h1>${escapeHtml(body.message)}</h1>\n`;
  } else {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    payload = JSON.stringify(body);
  }
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(req.method === 'HEAD' ? undefined : payload);
}

/**
 * Sends a JSON answer, never cached.
 *
 * @example
 * sendJson(res, 200, { ok: true, next: 'confirm' });
 */
export function sendJson(res: ServerResponse, status: number, body: object): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  noStore(res);
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}

/**
 * Redirects with `302 Found` to `location` (a URL the application configured, never one from the request).
 *
 * @example
 * sendRedirect(res, '/login?returnTo=%2Fdashboard');
 */
export function sendRedirect(res: ServerResponse, location: string, status = 302): void {
  res.statusCode = status;
  res.setHeader('Location', location);
  noStore(res);
  res.setHeader('Content-Length', '0');
  res.end();
}

/**
 * Adds a token to the `Vary` header without duplicating it.
 *
 * @example
 * appendVary(res, 'Accept');
 */
export function appendVary(res: ServerResponse, field: string): void {
  const current = res.getHeader('Vary');
  const list = (Array.isArray(current) ? current.join(',') : current === undefined ? '' : String(current))
    .split(',').map((s) => s.trim()).filter(Boolean);
  if (list.includes('*') || list.some((v) => v.toLowerCase() === field.toLowerCase())) return;
  list.push(field);
  res.setHeader('Vary', list.join(', '));
}

/**
 * Appends one `Set-Cookie` header, keeping those already set.
 *
 * @example
 * appendSetCookie(res, 'connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
 */
export function appendSetCookie(res: ServerResponse, cookie: string): void {
  const current = res.getHeader('Set-Cookie');
  const list = current === undefined ? [] : Array.isArray(current) ? current.map(String) : [String(current)];
  list.push(cookie);
  res.setHeader('Set-Cookie', list);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
