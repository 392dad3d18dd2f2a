/**
 * Where a pool sends a user's codes: the auto-verified attribute for sign-up confirmation
 * (`AutoVerifiedAttributes`), the verified contact for password reset (`AccountRecoverySetting`, or
 * Cognito's legacy order: phone before e-mail), the invitation's mediums, and the simulated delivery
 * Cognito answers with for an unknown user when the client prevents user-existence errors.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { OutboxChannel } from './outbox';
import type { PoolRecord, UserRecord } from './store';

/** An attribute a code can go to, with its channel and value. */
export interface Contact {
  attribute: 'email' | 'phone_number';
  channel: OutboxChannel;
  destination: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+[0-9]{4,20}$/;

function contact(user: UserRecord, attribute: 'email' | 'phone_number', verifiedOnly: boolean): Contact | undefined {
  const destination = user.attributes.get(attribute);
  if (destination === undefined || destination === '') return undefined;
  if (verifiedOnly && user.attributes.get(`${attribute}_verified`) !== 'true') return undefined;
  return { attribute, channel: attribute === 'email' ? 'EMAIL' : 'SMS', destination };
}

/** The pool's `AutoVerifiedAttributes`. */
export function autoVerifiedAttributes(pool: PoolRecord): Array<'email' | 'phone_number'> {
  const value = pool.extra.AutoVerifiedAttributes;
  if (!Array.isArray(value)) return [];
  return value.filter((a): a is 'email' | 'phone_number' => a === 'email' || a === 'phone_number');
}

/**
 * Where a sign-up confirmation code goes: an auto-verified attribute the user has (the phone first
 * when both are auto-verified, as Cognito), or nowhere.
 *
 * @example
 * signUpContact(pool, user); // { attribute: 'email', channel: 'EMAIL', destination: 'ann@example.com' }
 */
export function signUpContact(pool: PoolRecord, user: UserRecord): Contact | undefined {
  const auto = autoVerifiedAttributes(pool);
  for (const attribute of ['phone_number', 'email'] as const) {
    if (!auto.includes(attribute)) continue;
    const found = contact(user, attribute, false);
    if (found) return found;
  }
  return undefined;
}

function recoveryOrder(pool: PoolRecord): Array<'email' | 'phone_number'> {
  const setting = pool.extra.AccountRecoverySetting as { RecoveryMechanisms?: Array<{ Name?: unknown; Priority?: unknown }> } | undefined;
  const mechanisms = Array.isArray(setting?.RecoveryMechanisms) ? [...setting.RecoveryMechanisms] : [];
  if (mechanisms.length === 0) return ['phone_number', 'email'];
  mechanisms.sort((a, b) => (typeof a.Priority === 'number' ? a.Priority : 99) - (typeof b.Priority === 'number' ? b.Priority : 99));
  const order: Array<'email' | 'phone_number'> = [];
  for (const { Name } of mechanisms) {
    if (Name === 'verified_email') order.push('email');
    if (Name === 'verified_phone_number') order.push('phone_number');
  }
  return order;
}

/**
 * Where a password-reset code goes: the first verified contact in the pool's recovery order. With
 * an `AccountRecoverySetting`, a phone used for SMS MFA does not count (as Cognito); `admin_only`
 * leaves nothing.
 */
export function recoveryContact(pool: PoolRecord, user: UserRecord): Contact | undefined {
  const configured = pool.extra.AccountRecoverySetting !== undefined;
  for (const attribute of recoveryOrder(pool)) {
    if (attribute === 'phone_number' && configured && user.mfa.smsEnabled) continue;
    const found = contact(user, attribute, true);
    if (found) return found;
  }
  return undefined;
}

/**
 * Where an invitation goes: each of `desired` (default `['SMS']`, as Cognito) the user has an
 * address for; when none has one, the other medium if the user has that.
 */
export function invitationContacts(user: UserRecord, desired: OutboxChannel[] | undefined): Contact[] {
  const mediums = desired && desired.length > 0 ? desired : (['SMS'] as OutboxChannel[]);
  const of = (channel: OutboxChannel): Contact | undefined => contact(user, channel === 'EMAIL' ? 'email' : 'phone_number', false);
  const found = [...new Set(mediums)].map(of).filter((c): c is Contact => c !== undefined);
  if (found.length > 0) return found;
  const other = of(mediums.includes('SMS') ? 'EMAIL' : 'SMS');
  return other ? [other] : [];
}

// Per-process key: the decoy answers for a name are stable within a run, unpredictable across runs.
const DECOY_KEY = randomBytes(32);

function decoy(pool: PoolRecord, username: string, purpose: string): Buffer {
  return createHmac('sha256', DECOY_KEY).update(`${pool.id}/${purpose}/${username}`).digest();
}

/**
 * For an unknown user under `PreventUserExistenceErrors: ENABLED`: whether this name gets the error a
 * real user without a deliverable contact gets (rather than a simulated delivery). Cognito alternates
 * between the two; here the choice is stable per pool, operation and name, so that asking again does
 * not tell a ghost from a real account.
 */
export function decoyAnswersWithError(pool: PoolRecord, username: string, purpose: string): boolean {
  return (decoy(pool, username, purpose)[0] & 1) === 1;
}

/**
 * A plausible simulated delivery for an unknown user: to the name itself when it is an e-mail
 * address or phone number, else to a made-up contact on the pool's auto-verified channel.
 */
export function simulatedContact(pool: PoolRecord, username: string): Contact {
  if (EMAIL.test(username)) return { attribute: 'email', channel: 'EMAIL', destination: username };
  if (PHONE.test(username)) return { attribute: 'phone_number', channel: 'SMS', destination: username };
  const bytes = decoy(pool, username, 'contact');
  const auto = autoVerifiedAttributes(pool);
  if (auto.includes('phone_number') && !auto.includes('email')) {
    const digits = [...bytes.subarray(0, 10)].map((b) => String(b % 10)).join('');
    return { attribute: 'phone_number', channel: 'SMS', destination: `+1${digits}` };
  }
  const letter = String.fromCharCode(97 + (bytes[0] % 26));
  return { attribute: 'email', channel: 'EMAIL', destination: `${username.charAt(0) || 'a'}@${letter}.example` };
}
