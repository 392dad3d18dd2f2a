/**
 * Same-origin `returnTo` paths: what `requireCognito({ loginUrl })` puts in the login redirect so
 * that the login page can send the browser back. Only a relative path on this origin is ever
 * produced or accepted — never an absolute URL taken from the request (open-redirect defence).
 */

// Longer paths are not worth carrying through a login form.
const MAX_LENGTH = 2048;

/**
 * True when `value` is a path on this origin that is safe to redirect to: it starts with a single
 * `/`, is not protocol-relative (`//host`, `/\host`, or those spelled with percent-encoding or
 * control characters that browsers strip), and resolves to the same origin.
 *
 * @param value the candidate path, e.g. a `returnTo` query parameter.
 * @returns whether it may be used as a redirect target.
 * @example
 * isSafeReturnTo('/account?tab=mfa');     // true
 * isSafeReturnTo('//evil.example/');      // false
 * isSafeReturnTo('/%2F%2Fevil.example/'); // false
 * isSafeReturnTo('https://evil.example'); // false
 */
export function isSafeReturnTo(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return false;
  // Control characters (tab, CR, LF are stripped by browsers: "/\t/evil" becomes "//evil") and
  // any non-ASCII: a path we build ourselves is always ASCII (percent-encoded).
  if (!/^[\x21-\x7e]+$/.test(value)) return false;
  if (!value.startsWith('/')) return false;
  // Decode repeatedly so that "/%2F", "/%252F", "/%5C" cannot hide a second slash or a backslash.
  let decoded = value;
  for (let i = 0; i < 3; i++) {
    const next = safeDecode(decoded);
    if (next === undefined) return false;
    if (next === decoded) break;
    decoded = next;
  }
  if (hasControlOrBackslash(decoded)) return false;
  if (decoded.startsWith('//')) return false;
  // Last word to the WHATWG URL parser: the target must stay on the base origin.
  const base = 'http://same-origin.invalid';
  try {
    return new URL(value, base).origin === base && new URL(decoded, base).origin === base;
  } catch {
    return false;
  }
}

/**
 * The `returnTo` for the current request: its path and query on this origin, or `'/'` when the
 * request target is not a safe relative path (e.g. an absolute-form or `//host` request line).
 *
 * @param req the request; `originalUrl` (Express) is preferred over `url` (Connect, or inside a
 *   mounted Express router where `url` is relative to the mount point).
 * @example
 * returnToFor(req); // '/orders/42?view=full'
 */
export function returnToFor(req: { originalUrl?: string; url?: string }): string {
  const target = typeof req.originalUrl === 'string' ? req.originalUrl : req.url;
  return isSafeReturnTo(target) ? target : '/';
}

/**
 * Appends `returnTo=<path>` to a login URL (which may already carry a query or a fragment).
 *
 * @param loginUrl the application's login page (an option of the application, trusted).
 * @param returnTo a path that passed {@link isSafeReturnTo}; anything else is replaced by `'/'`.
 * @param param the query parameter's name (default `'returnTo'`).
 * @example
 * loginRedirectUrl('/login', '/orders/42'); // '/login?returnTo=%2Forders%2F42'
 */
export function loginRedirectUrl(loginUrl: string, returnTo: string, param = 'returnTo'): string {
  const safe = isSafeReturnTo(returnTo) ? returnTo : '/';
  const hashAt = loginUrl.indexOf('#');
  const head = hashAt === -1 ? loginUrl : loginUrl.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : loginUrl.slice(hashAt);
  const sep = head.includes('?') ? (head.endsWith('?') || head.endsWith('&') ? '' : '&') : '?';
  return `${head}${sep}${encodeURIComponent(param)}=${encodeURIComponent(safe)}${hash}`;
}

function hasControlOrBackslash(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c) return true;
  }
  return false;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
