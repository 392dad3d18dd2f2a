/**
 * The emulator's outbox: every e-mail and text message a pool "sent" (verification and reset codes,
 * invitations, MFA codes, USER_AUTH sign-in codes), with the text Cognito would send, built from the pool's message
 * templates or Cognito's defaults, and the masked `CodeDeliveryDetails` Cognito answers with.
 */
import type { EmulatorContext } from './context';
import type { EmulatorStore, PoolRecord, SmsMessage } from './store';
import { findUser, maskPhone } from './user-directory';

/** How a message went out. */
export type OutboxChannel = 'EMAIL' | 'SMS';

/** Why a message was sent. */
export type OutboxPurpose =
  | 'SIGN_UP'
  | 'RESEND_CODE'
  | 'FORGOT_PASSWORD'
  | 'VERIFY_ATTRIBUTE'
  | 'UPDATE_ATTRIBUTE'
  | 'ADMIN_CREATE_USER'
  | 'MFA'
  | 'SIGN_IN'
  | 'ADMIN_RESET_PASSWORD';

/** One message the emulator "sent". */
export interface OutboxMessage {
  channel: OutboxChannel;
  /** The e-mail address or phone number, unmasked. */
  destination: string;
  poolId: string;
  /** Internal username of the recipient. */
  username: string;
  purpose: OutboxPurpose;
  /** The one-time code; for an invitation (`ADMIN_CREATE_USER`), the temporary password. */
  code?: string;
  /** The text as sent (templates applied, or the CustomMessage trigger's). */
  message: string;
  /** The e-mail subject, when the CustomMessage trigger set one. */
  subject?: string;
  /** When it was sent, ms since the epoch (emulator clock). */
  sentAt: number;
}

/** Which messages `emulator.outbox(filter)` returns; every given member must match. */
export interface OutboxFilter {
  /** Internal username, a sign-in alias / username attribute, or the destination itself. */
  username?: string;
  channel?: OutboxChannel;
  purpose?: OutboxPurpose;
  poolId?: string;
}

/** `CodeDeliveryDetails` as Cognito returns it. */
export interface CodeDeliveryDetails {
  Destination: string;
  DeliveryMedium: OutboxChannel;
  AttributeName: 'email' | 'phone_number';
}

/**
 * `a***@e***`: an e-mail address as Cognito shows it in CodeDeliveryDetails.
 *
 * @example
 * maskEmail('ann@example.com'); // 'a***@e***'
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = at > 0 ? email.slice(0, at) : email;
  const domain = at >= 0 ? email.slice(at + 1) : '';
  return `${local.charAt(0)}***@${domain.charAt(0)}***`;
}

/** CodeDeliveryDetails for a message to `destination`, masked like Cognito's. */
export function codeDeliveryDetails(channel: OutboxChannel, destination: string): CodeDeliveryDetails {
  return channel === 'EMAIL'
    ? { Destination: maskEmail(destination), DeliveryMedium: 'EMAIL', AttributeName: 'email' }
    : { Destination: maskPhone(destination), DeliveryMedium: 'SMS', AttributeName: 'phone_number' };
}

const DEFAULT_VERIFICATION = 'Your verification code is {####}. ';
const DEFAULT_RESET = 'Your password reset code is {####}. ';
const DEFAULT_INVITATION = 'Your username is {username} and temporary password is {####}. ';
const DEFAULT_MFA = 'Your authentication code is {####}. ';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function member(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** The pool's verification template for a channel (VerificationMessageTemplate, then the legacy members). */
function verificationTemplate(pool: PoolRecord, channel: OutboxChannel): string | undefined {
  const template = pool.extra.VerificationMessageTemplate;
  if (channel === 'SMS') return text(member(template, 'SmsMessage')) ?? text(pool.extra.SmsVerificationMessage);
  return text(member(template, 'EmailMessage')) ?? text(pool.extra.EmailVerificationMessage);
}

/**
 * The text of a message: the pool's template for it when CreateUserPool set one, else Cognito's
 * default; `{####}` becomes the code (the temporary password in an invitation), `{username}` the
 * username.
 *
 * Password-reset codes use the pool's verification template when it has one, as Cognito does.
 */
export function messageText(
  pool: PoolRecord,
  purpose: OutboxPurpose,
  channel: OutboxChannel,
  values: { code?: string; username: string },
): string {
  let template: string;
  switch (purpose) {
    case 'ADMIN_CREATE_USER': {
      const invite = member(pool.extra.AdminCreateUserConfig, 'InviteMessageTemplate');
      template = text(member(invite, channel === 'SMS' ? 'SMSMessage' : 'EmailMessage')) ?? DEFAULT_INVITATION;
      break;
    }
    case 'MFA':
    case 'SIGN_IN':
      // E-mailed codes (email MFA, EMAIL_OTP sign-in) use EmailMfaConfiguration; texted ones SmsAuthenticationMessage.
      template = (channel === 'EMAIL' ? text(pool.emailMfaConfiguration?.Message) : text(pool.extra.SmsAuthenticationMessage)) ?? DEFAULT_MFA;
      break;
    case 'FORGOT_PASSWORD':
    case 'ADMIN_RESET_PASSWORD':
      template = verificationTemplate(pool, channel) ?? DEFAULT_RESET;
      break;
    default:
      template = verificationTemplate(pool, channel) ?? DEFAULT_VERIFICATION;
  }
  return fillTemplate(template, values.code, values.username);
}

function fillTemplate(template: string, code: string | undefined, username: string): string {
  return template.split('{####}').join(code ?? '').split('{username}').join(username);
}

/** What {@link sendMessage} sends. */
export interface Delivery {
  channel: OutboxChannel;
  destination: string;
  purpose: OutboxPurpose;
  code?: string;
  /** The name shown for `{username}`; default the internal username. */
  shownUsername?: string;
  /** A template that replaces the pool's (the CustomMessage trigger's), `{####}` and `{username}` filled in. */
  template?: string;
  /** The e-mail subject the CustomMessage trigger set. */
  subject?: string;
}

/**
 * Puts a message to a user into the outbox (text from the pool's template, time from the emulator
 * clock) and returns its CodeDeliveryDetails.
 *
 * @example
 * sendMessage(ctx, pool, user.username, { channel: 'EMAIL', destination: 'ann@example.com', purpose: 'SIGN_UP', code });
 */
export function sendMessage(ctx: EmulatorContext, pool: PoolRecord, username: string, delivery: Delivery): CodeDeliveryDetails {
  const message: OutboxMessage = {
    channel: delivery.channel,
    destination: delivery.destination,
    poolId: pool.id,
    username,
    purpose: delivery.purpose,
    ...(delivery.code !== undefined ? { code: delivery.code } : {}),
    message: delivery.template !== undefined
      ? fillTemplate(delivery.template, delivery.code, delivery.shownUsername ?? username)
      : messageText(pool, delivery.purpose, delivery.channel, {
        ...(delivery.code !== undefined ? { code: delivery.code } : {}),
        username: delivery.shownUsername ?? username,
      }),
    ...(delivery.subject !== undefined ? { subject: delivery.subject } : {}),
    sentAt: ctx.clock.now(),
  };
  ctx.store.outbox.push(message);
  const listener = ctx.store.onMessage;
  if (listener !== undefined) {
    try {
      listener(message);
    } catch {
      // A listener's failure is its own: the message is sent all the same.
    }
  }
  return codeDeliveryDetails(delivery.channel, delivery.destination);
}

function sameDestination(message: OutboxMessage, name: string): boolean {
  return message.channel === 'EMAIL' ? message.destination.toLowerCase() === name.toLowerCase() : message.destination === name;
}

function forUser(store: EmulatorStore, message: OutboxMessage, name: string): boolean {
  if (message.username === name || sameDestination(message, name)) return true;
  const pool = store.pools.get(message.poolId);
  return pool !== undefined && findUser(pool, name)?.username === message.username;
}

/**
 * Copies of the messages matching `filter`, oldest first.
 *
 * @example
 * selectMessages(store, { username: 'ann', purpose: 'FORGOT_PASSWORD' }).at(-1)?.code;
 */
export function selectMessages(store: EmulatorStore, filter: OutboxFilter = {}): OutboxMessage[] {
  return store.outbox
    .filter((m) =>
      (filter.channel === undefined || m.channel === filter.channel) &&
      (filter.purpose === undefined || m.purpose === filter.purpose) &&
      (filter.poolId === undefined || m.poolId === filter.poolId) &&
      (filter.username === undefined || forUser(store, m, filter.username)))
    .map((m) => ({ ...m }));
}

/**
 * The text messages that carried a one-time code (SMS MFA, verification and reset codes; not
 * invitations) in the `smsOutbox()` shape.
 */
export function smsMessages(store: EmulatorStore, username?: string): SmsMessage[] {
  return selectMessages(store, { channel: 'SMS', ...(username !== undefined ? { username } : {}) })
    .filter((m): m is OutboxMessage & { code: string } => m.code !== undefined && m.purpose !== 'ADMIN_CREATE_USER')
    .map((m) => ({ poolId: m.poolId, username: m.username, phoneNumber: m.destination, code: m.code, at: m.sentAt }));
}
