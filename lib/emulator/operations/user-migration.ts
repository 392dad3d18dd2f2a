/**
 * The UserMigration trigger: a user the pool does not know, signing in with a password
 * (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, the hosted UI: `UserMigration_Authentication`,
 * with the password in `request.password`) or asking for a reset code (`UserMigration_ForgotPassword`),
 * is looked up by the pool's function and created from its answer. As Cognito, USER_SRP_AUTH never
 * migrates (the password never reaches the pool).
 */
import type { EmulatorContext } from '../context';
import { deliverMessage } from '../custom-message';
import { invitationContacts } from '../delivery';
import { WireError } from '../errors';
import type { OutboxChannel } from '../outbox';
import type { ClientRecord, PoolRecord, UserRecord } from '../store';
import { invalidLambdaResponse, runTrigger } from '../triggers';
import { findUser } from '../user-directory';
import { createUser } from './admin-users';

// The user holding `value` as a verified alias (self-service.ts's aliasHolder, which imports this file).
function verifiedAliasHolder(pool: PoolRecord, attribute: string, value: string): UserRecord | undefined {
  const same = (v: string | undefined): boolean => v !== undefined && (attribute === 'email' ? v.toLowerCase() === value.toLowerCase() : v === value);
  for (const other of pool.users.values()) {
    if (!same(other.attributes.get(attribute))) continue;
    if (attribute === 'preferred_username' || other.attributes.get(`${attribute}_verified`) === 'true') return other;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readAnswer(response: Record<string, unknown>): {
  attributes: Record<string, string>;
  status: 'CONFIRMED' | 'RESET_REQUIRED' | undefined;
  suppress: boolean;
  mediums: OutboxChannel[] | undefined;
  forceAlias: boolean;
  smsMfa: boolean;
} {
  const { userAttributes, finalUserStatus, messageAction, desiredDeliveryMediums, forceAliasCreation, enableSMSMFA } = response;
  if (!isRecord(userAttributes) || !Object.values(userAttributes).every((v) => typeof v === 'string')) throw invalidLambdaResponse();
  if (finalUserStatus != null && finalUserStatus !== 'CONFIRMED' && finalUserStatus !== 'RESET_REQUIRED') throw invalidLambdaResponse();
  if (messageAction != null && messageAction !== 'SUPPRESS' && messageAction !== 'RESEND') throw invalidLambdaResponse();
  if (desiredDeliveryMediums != null &&
    (!Array.isArray(desiredDeliveryMediums) || !desiredDeliveryMediums.every((m) => m === 'EMAIL' || m === 'SMS'))) {
    throw invalidLambdaResponse();
  }
  if (forceAliasCreation != null && typeof forceAliasCreation !== 'boolean') throw invalidLambdaResponse();
  if (enableSMSMFA != null && typeof enableSMSMFA !== 'boolean') throw invalidLambdaResponse();
  return {
    attributes: userAttributes as Record<string, string>,
    status: finalUserStatus ?? undefined,
    suppress: messageAction === 'SUPPRESS',
    mediums: (desiredDeliveryMediums ?? undefined) as OutboxChannel[] | undefined,
    forceAlias: forceAliasCreation === true,
    smsMfa: enableSMSMFA === true,
  };
}

/**
 * Asks the pool's UserMigration function about an unknown user and creates the user from its answer
 * (`finalUserStatus` CONFIRMED by default on sign-in, always RESET_REQUIRED for a reset; the welcome
 * message goes out unless `messageAction: 'SUPPRESS'`).
 *
 * @returns the new user, or `undefined` when the pool has no UserMigration trigger.
 * @throws WireError from the trigger; InvalidLambdaResponseException for a malformed answer;
 *   AliasExistsException when an alias is taken and `forceAliasCreation` is not set.
 */
export async function migrateUser(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  username: string,
  call: { source: 'UserMigration_Authentication' | 'UserMigration_ForgotPassword'; password?: string; clientMetadata?: Record<string, string> },
): Promise<UserRecord | undefined> {
  let answer: ReturnType<typeof readAnswer> | undefined;
  await runTrigger(ctx, pool, 'UserMigration', {
    triggerSource: call.source,
    userName: username,
    clientId: client.clientId,
    request: {
      ...(call.password !== undefined ? { password: call.password } : {}),
      validationData: call.clientMetadata ?? null,
      ...(call.clientMetadata !== undefined ? { clientMetadata: call.clientMetadata } : {}),
    },
    response: {
      userAttributes: null, finalUserStatus: null, messageAction: null, desiredDeliveryMediums: null, forceAliasCreation: null,
      enableSMSMFA: null,
    },
    validate: (response) => {
      answer = readAnswer(response);
    },
  });
  if (answer === undefined) return undefined;
  // Another request may have created the user while the function ran.
  const existing = findUser(pool, username);
  if (existing !== undefined) return existing;
  for (const alias of pool.aliasAttributes) {
    const value = answer.attributes[alias];
    const holder = value === undefined ? undefined : verifiedAliasHolder(pool, alias, value);
    if (holder === undefined) continue;
    if (!answer.forceAlias) throw new WireError('AliasExistsException', `An account with the ${alias} already exists.`);
    holder.attributes.set(`${alias}_verified`, 'false');
  }
  const status = call.source === 'UserMigration_ForgotPassword' ? 'RESET_REQUIRED' : answer.status ?? 'CONFIRMED';
  const user = createUser(
    ctx,
    pool,
    { Username: username, UserAttributes: Object.entries(answer.attributes).map(([Name, Value]) => ({ Name, Value })) },
    { status, ...(call.password !== undefined ? { permanentPassword: call.password } : {}) },
  );
  if (answer.smsMfa) user.mfa.smsEnabled = true;
  if (!answer.suppress) {
    for (const to of invitationContacts(user, answer.mediums)) {
      await deliverMessage(ctx, pool, user, { channel: to.channel, destination: to.destination, purpose: 'ADMIN_CREATE_USER', shownUsername: username }, {
        clientId: client.clientId,
        ...(call.clientMetadata !== undefined ? { clientMetadata: call.clientMetadata } : {}),
      });
    }
  }
  return user;
}
