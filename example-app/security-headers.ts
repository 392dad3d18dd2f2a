/**
 * The few response headers that matter for a server-rendered app, set by hand (what `helmet` would
 * set, without the dependency).
 *
 * The pages carry no inline script or style, so the Content-Security-Policy allows nothing but the
 * app's own stylesheet and (for the MFA-setup QR code) inline SVG in the page and `data:` images.
 */
import type { NextFunction, Request, Response } from 'express';

/** The Content-Security-Policy of every response. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Middleware: sets the security headers on every response. */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  // Pages show tokens' claims and personal data: keep them out of shared and back/forward caches.
  res.setHeader('Cache-Control', 'no-store');
  next();
}
