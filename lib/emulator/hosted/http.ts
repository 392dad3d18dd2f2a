/**
 * Small HTTP helpers of the hosted UI's endpoints: form bodies, cookies, HTML escaping and the
 * answers (pages, redirects, OAuth JSON errors) with the headers every one of them carries.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest form body the hosted endpoints read. */
const MAX_FORM_BYTES = 64 * 1024;

/** The body was larger than {@link MAX_FORM_BYTES}. */
export class FormTooLarge extends Error {}

/**
 * Reads an `application/x-www-form-urlencoded` body (anything else reads as empty).
 *
 * @throws FormTooLarge over 64 KiB.
 */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new FormTooLarge('form too large');
    chunks.push(chunk);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : new URLSearchParams();
}

/** The request's cookies by name (the first of each name). */
export function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Lax, on `path`; `maxAgeSeconds` 0 deletes it. */
export function setCookie(name: string, value: string, path: string, maxAgeSeconds: number, secure: boolean): string {
  return `${name}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** HTML-escapes text for element content and quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// No `form-action`: Chrome and Safari apply it to the redirects that follow a form post too, and every
// sign-in form here ends in a 302 to the app's callback on another origin (w3c/webappsec-csp#8).
// With no script and every value escaped, no injected form can exist to be restricted.
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** Sends an HTML page with strict headers (no script, no framing, not cached). */
export function sendPage(res: ServerResponse, status: number, html: string, headers: Record<string, string | string[]> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(html)), ...headers });
  res.end(html);
}

/** A 302 to `location`. */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': '0', ...headers });
  res.end();
}

/** JSON with the token endpoint's headers (RFC 6749 §5.1: no-store; Cognito adds CORS). */
export function sendJson(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'access-control-allow-origin': '*',
    ...headers,
  });
  res.end(text);
}

/** An OAuth error body (RFC 6749 §5.2). */
export function oauthError(
  res: ServerResponse,
  status: number,
  error: string,
  description?: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error, ...(description !== undefined ? { error_description: description } : {}) }, headers);
}

/** `url` with `params` added to its query (or to its fragment, for the implicit flow). */
export function withParams(url: string, params: Record<string, string | undefined>, inFragment = false): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  const encoded = new URLSearchParams(entries).toString();
  if (inFragment) return `${url}#${encoded}`;
  return `${url}${url.includes('?') ? '&' : '?'}${encoded}`;
}
