/**
 * The few response headers that matter for a server-rendered app, set by hand (what `helmet` would
 * set, without the dependency).
 *
 * The pages carry no inline script or style, so the Content-Security-Policy allows nothing but the
 * app's own stylesheet and (for the MFA-setup QR code) inline SVG in the page and `data:` images.
 * With passkeys, scripts of the app's own origin (the package's `/passkeys/client.js` and the
 * page's `/passkey-page.js`) and their `fetch` calls back to the app: `script-src 'self'` and
 * `connect-src 'self'`, never inline script.
 */
import type { NextFunction, Request, Response } from 'express';

/**
 * The Content-Security-Policy of every response. Forms post to this app only (`form-action 'self'`),
 * but Chrome and Safari check `form-action` against every redirect that follows a form post too
 * (w3c/webappsec-csp#8): the logout form of a hosted-UI session is answered with a 302 to the pool
 * domain's `/logout`, which sends the browser back here. That origin is therefore listed as well;
 * only a redirect of ours can lead there, since no page of the app has a form that posts to it.
 *
 * `scripts` adds `script-src 'self'` and `connect-src 'self'` (scripts served by the app, and their
 * requests to it); without it the pages run no script at all.
 *
 * @example
 * contentSecurityPolicy(['https://myapp.auth.eu-west-1.amazoncognito.com']);
 */
export function contentSecurityPolicy(formActionOrigins: readonly string[] = [], scripts = false): string {
  const origins = formActionOrigins.map((o) => {
    const url = new URL(o);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`a form-action origin must be http(s), not ${o}`);
    return url.origin;
  });
  return [
    "default-src 'none'",
    "style-src 'self'",
    ...(scripts ? ["script-src 'self'", "connect-src 'self'"] : []),
    "img-src 'self' data:",
    ["form-action 'self'", ...new Set(origins)].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * Middleware that sets the security headers on every response; `formActionOrigins` are the origins
 * (besides the app's) a form post may be redirected to, and `scripts` allows the app's own scripts,
 * see {@link contentSecurityPolicy}.
 *
 * @example
 * app.use(securityHeaders({ formActionOrigins: ['https://myapp.auth.eu-west-1.amazoncognito.com'] }));
 */
export function securityHeaders(
  options: { formActionOrigins?: readonly string[]; scripts?: boolean } = {},
): (req: Request, res: Response, next: NextFunction) => void {
  const csp = contentSecurityPolicy(options.formActionOrigins, options.scripts ?? false);
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    // Pages show tokens' claims and personal data: keep them out of shared and back/forward caches.
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
