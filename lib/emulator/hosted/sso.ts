/**
 * The hosted UI's managed-login session: a cookie on the domain's path, one hour, that lets a
 * second `/oauth2/authorize` skip the form (only `/logout` ends it, as in Cognito).
 */
import type { IncomingMessage } from 'node:http';
import type { EmulatorContext } from '../context';
import { randomToken } from '../ids';
import type { PoolRecord, UserRecord } from '../store';
import { findUser } from '../user-directory';
import { cookies, setCookie } from './http';

/** How long the managed-login session lasts (Cognito: one hour). */
export const SSO_TTL_MS = 3600 * 1000;
/** The managed-login cookie's name. */
export const SSO_COOKIE = 'cognito';

/** Where a hosted request arrived: the pool that owns the domain, and the domain's base path and URL. */
export interface HostedSite {
  pool: PoolRecord;
  /** The emulator's URL (`http://127.0.0.1:9229`). */
  origin: string;
  /** `/domain/<domain>` */
  basePath: string;
  /** Whether the emulator is served over HTTPS (cookies get `Secure`). */
  secure: boolean;
}

/** The user of a live managed-login session of this pool, from the request's cookie. */
export function ssoUser(ctx: EmulatorContext, site: HostedSite, req: IncomingMessage): { user: UserRecord; authTime: number } | undefined {
  const id = cookies(req).get(SSO_COOKIE);
  const session = id === undefined ? undefined : ctx.store.ssoSessions.get(id);
  if (session === undefined || session.poolId !== site.pool.id || ctx.clock.now() >= session.expiresAt) return undefined;
  const user = findUser(site.pool, session.username);
  if (user === undefined || !user.enabled || (user.status !== 'CONFIRMED' && user.status !== 'EXTERNAL_PROVIDER')) return undefined;
  return { user, authTime: session.authTime };
}

/** Starts the managed-login session of a user who just signed in: the `Set-Cookie` value. */
export function startSso(ctx: EmulatorContext, site: HostedSite, user: UserRecord, authTime: number): string {
  const now = ctx.clock.now();
  const sso = { id: randomToken(32), poolId: site.pool.id, username: user.username, authTime, expiresAt: now + SSO_TTL_MS };
  ctx.store.ssoSessions.set(sso.id, sso);
  ctx.store.noteWrite(now);
  return setCookie(SSO_COOKIE, sso.id, `${site.basePath}/`, SSO_TTL_MS / 1000, site.secure);
}

