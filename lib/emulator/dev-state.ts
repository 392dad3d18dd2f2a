/**
 * What the developer page shows: a read-only snapshot of the pools, their app clients and users,
 * and the outbox (newest first), for a person finishing a sign-up or reset by hand.
 *
 * Every member is copied one by one from the store (never a spread of a record), so passwords,
 * SRP verifiers and salts, TOTP secrets, client secrets, refresh tokens and signing keys cannot
 * reach the page or its JSON form. Codes in the outbox are meant to: they are the point.
 */
import type { EmulatorContext } from './context';
import { autoVerifiedAttributes } from './delivery';
import type { OutboxChannel, OutboxPurpose } from './outbox';
import type { MfaConfiguration, MfaType, PoolRecord, UserRecord, UserStatus } from './store';

/** Users listed per pool; the rest are counted ("and N more"). */
export const DEV_USERS_SHOWN = 200;
/** Outbox messages listed, the newest. */
export const DEV_OUTBOX_SHOWN = 200;

/** An app client as the page shows it: whether it has a secret, never the secret. */
export interface DevClient {
  clientId: string;
  clientName: string;
  hasSecret: boolean;
  explicitAuthFlows: string[];
}

/** An e-mail address or phone number and whether it is verified. */
export interface DevContact {
  value: string;
  verified: boolean;
}

/** A user as the page shows it. */
export interface DevUser {
  /** Internal username (the `sub` in pools with username attributes). */
  username: string;
  sub: string;
  status: UserStatus;
  enabled: boolean;
  email?: DevContact;
  phoneNumber?: DevContact;
  groups: string[];
  /** Enabled second factors, and the preferred one. */
  mfa: { enabled: MfaType[]; preferred?: MfaType };
  /** Ms since the epoch, emulator clock. */
  createdAt: number;
}

/** A pool as the page shows it. */
export interface DevPool {
  id: string;
  name: string;
  /** `iss` of the pool's tokens; the JWKS is at `${issuer}/.well-known/jwks.json`. */
  issuer: string;
  mfa: MfaConfiguration;
  usernameAttributes: string[];
  aliasAttributes: string[];
  autoVerifiedAttributes: string[];
  caseSensitive: boolean;
  groups: string[];
  clients: DevClient[];
  /** The first {@link DEV_USERS_SHOWN} users, in creation order. */
  users: DevUser[];
  userCount: number;
}

/** An outbox message as the page shows it (all of it: the code is what a person came for). */
export interface DevMessage {
  /** Ms since the epoch, emulator clock. */
  sentAt: number;
  channel: OutboxChannel;
  destination: string;
  poolId: string;
  username: string;
  purpose: OutboxPurpose;
  /** The one-time code; for an invitation, the temporary password it carried. */
  code?: string;
  message: string;
}

/** The whole snapshot (also the JSON form of the page). */
export interface DevState {
  /** Ms since the epoch, emulator clock. */
  now: number;
  /** The `?pool=` filter, when given. */
  poolId?: string;
  pools: DevPool[];
  /** The newest {@link DEV_OUTBOX_SHOWN} matching messages, newest first. */
  outbox: DevMessage[];
  outboxCount: number;
}

function contactOf(user: UserRecord, attribute: 'email' | 'phone_number'): DevContact | undefined {
  const value = user.attributes.get(attribute);
  if (value === undefined || value === '') return undefined;
  return { value, verified: user.attributes.get(`${attribute}_verified`) === 'true' };
}

function userOf(user: UserRecord): DevUser {
  const enabled: MfaType[] = [];
  if (user.mfa.totpEnabled) enabled.push('SOFTWARE_TOKEN_MFA');
  if (user.mfa.smsEnabled) enabled.push('SMS_MFA');
  if (user.mfa.emailEnabled === true) enabled.push('EMAIL_OTP');
  const email = contactOf(user, 'email');
  const phoneNumber = contactOf(user, 'phone_number');
  return {
    username: user.username,
    sub: user.sub,
    status: user.status,
    enabled: user.enabled,
    ...(email ? { email } : {}),
    ...(phoneNumber ? { phoneNumber } : {}),
    groups: [...user.groups],
    mfa: { enabled, ...(user.mfa.preferred ? { preferred: user.mfa.preferred } : {}) },
    createdAt: user.createdAt,
  };
}

function poolOf(ctx: EmulatorContext, pool: PoolRecord): DevPool {
  const users: DevUser[] = [];
  for (const user of pool.users.values()) {
    if (users.length >= DEV_USERS_SHOWN) break;
    users.push(userOf(user));
  }
  return {
    id: pool.id,
    name: pool.name,
    issuer: ctx.issuer(pool.id),
    mfa: pool.mfa,
    usernameAttributes: [...pool.usernameAttributes],
    aliasAttributes: [...pool.aliasAttributes],
    autoVerifiedAttributes: autoVerifiedAttributes(pool),
    caseSensitive: pool.caseSensitive,
    groups: [...pool.groups.keys()],
    clients: [...pool.clients.values()].map((c) => ({
      clientId: c.clientId,
      clientName: c.clientName,
      hasSecret: c.clientSecret !== undefined,
      explicitAuthFlows: [...c.explicitAuthFlows],
    })),
    users,
    userCount: pool.users.size,
  };
}

/**
 * The developer page's snapshot of the emulator: every pool (or the one named by `poolId`), and
 * the newest messages of the outbox, newest first. An unknown `poolId` gives no pools and no
 * messages.
 *
 * @example
 * const state = devState(ctx, { poolId: 'us-east-1_DemoPool1' });
 * state.outbox[0]?.code; // the code sent last
 */
export function devState(ctx: EmulatorContext, options: { poolId?: string } = {}): DevState {
  const { poolId } = options;
  const pools = [...ctx.store.pools.values()].filter((p) => poolId === undefined || p.id === poolId);
  const messages = ctx.store.outbox.filter((m) => poolId === undefined || m.poolId === poolId);
  const outbox = messages.slice(-DEV_OUTBOX_SHOWN).reverse().map((m): DevMessage => ({
    sentAt: m.sentAt,
    channel: m.channel,
    destination: m.destination,
    poolId: m.poolId,
    username: m.username,
    purpose: m.purpose,
    ...(m.code !== undefined ? { code: m.code } : {}),
    message: m.message,
  }));
  return {
    now: ctx.clock.now(),
    ...(poolId !== undefined ? { poolId } : {}),
    pools: pools.map((p) => poolOf(ctx, p)),
    outbox,
    outboxCount: messages.length,
  };
}
