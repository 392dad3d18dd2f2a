/**
 * The sign-up and sign-in Lambda triggers, with the events Lambda receives and what Cognito reads
 * back: PreSignUp (auto-confirm and auto-verify), PostConfirmation, PreAuthentication (runs before
 * the password is checked) and PostAuthentication (after the sign-in succeeded, before the tokens
 * are made; a failure fails the call, as Cognito's "can still cause authentication to fail").
 */
import type { EmulatorContext } from './context';
import type { ClientRecord, PoolRecord, UserRecord } from './store';
import { invalidLambdaResponse, runTrigger } from './triggers';

/** `callerContext.clientId` of a call made without an app client (AdminCreateUser, AdminConfirmSignUp), as Cognito sends it. */
export const NO_CLIENT_ID = 'CLIENT_ID_NOT_APPLICABLE';

/**
 * `request.userAttributes` of an existing user as Cognito sends it: `sub`, the attributes, and
 * `cognito:user_status` (and `cognito:email_alias` / `cognito:phone_number_alias` for verified aliases).
 */
export function triggerUserAttributes(pool: PoolRecord, user: UserRecord): Record<string, string> {
  const out: Record<string, string> = { sub: user.sub };
  for (const [name, value] of user.attributes) out[name] = value;
  for (const alias of ['email', 'phone_number'] as const) {
    const value = user.attributes.get(alias);
    if (pool.aliasAttributes.includes(alias) && value !== undefined && user.attributes.get(`${alias}_verified`) === 'true') {
      out[`cognito:${alias}_alias`] = value;
    }
  }
  out['cognito:user_status'] = user.status;
  return out;
}

/** `[{ Name, Value }]` (ValidationData, UserAttributes) as a `{ name: value }` map; anything else is dropped. */
export function nameValueMap(list: unknown): Record<string, string> | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Record<string, string> = {};
  for (const item of list as Array<{ Name?: unknown; Value?: unknown }>) {
    if (typeof item?.Name === 'string' && typeof item.Value === 'string') out[item.Name] = item.Value;
  }
  return out;
}

/** A `ClientMetadata` map, when the call has one. */
export function clientMetadataOf(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return out;
}

function withMetadata(clientMetadata: Record<string, string> | undefined): { clientMetadata?: Record<string, string> } {
  return clientMetadata === undefined ? {} : { clientMetadata };
}

/** What PreSignUp answered (all false without a trigger). */
export interface PreSignUpAnswer {
  autoConfirmUser: boolean;
  autoVerifyEmail: boolean;
  autoVerifyPhone: boolean;
}

/**
 * Runs PreSignUp for a user about to be created. Its flags are read as Cognito does: `autoVerify*`
 * only count with `autoConfirmUser` (else they are ignored).
 *
 * @throws WireError from the trigger (the caller must not create the user), InvalidLambdaResponseException
 *   for a flag that is not a boolean.
 */
export async function runPreSignUp(
  ctx: EmulatorContext,
  pool: PoolRecord,
  call: {
    source: 'PreSignUp_SignUp' | 'PreSignUp_AdminCreateUser' | 'PreSignUp_ExternalProvider';
    userName: string;
    clientId: string;
    userAttributes: Record<string, string>;
    validationData?: Record<string, string>;
    clientMetadata?: Record<string, string>;
  },
): Promise<PreSignUpAnswer> {
  const none: PreSignUpAnswer = { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false };
  let answer = none;
  await runTrigger(ctx, pool, 'PreSignUp', {
    triggerSource: call.source,
    userName: call.userName,
    clientId: call.clientId,
    request: { userAttributes: call.userAttributes, validationData: call.validationData ?? null, ...withMetadata(call.clientMetadata) },
    response: { ...none },
    validate: (response) => {
      const flag = (name: keyof PreSignUpAnswer): boolean => {
        const value = response[name];
        if (value === undefined || value === null) return false;
        if (typeof value !== 'boolean') throw invalidLambdaResponse();
        return value;
      };
      const autoConfirmUser = flag('autoConfirmUser');
      const autoVerifyEmail = flag('autoVerifyEmail');
      const autoVerifyPhone = flag('autoVerifyPhone');
      answer = {
        autoConfirmUser, autoVerifyEmail: autoConfirmUser && autoVerifyEmail, autoVerifyPhone: autoConfirmUser && autoVerifyPhone,
      };
    },
  });
  return answer;
}

/**
 * Runs PostConfirmation for a user just confirmed (sign-up, admin confirmation, auto-confirmation)
 * or whose password reset just completed. The caller has already saved the change: as on Cognito,
 * a failing trigger fails the call but the confirmation stands.
 */
export async function runPostConfirmation(
  ctx: EmulatorContext,
  pool: PoolRecord,
  user: UserRecord,
  call: {
    source: 'PostConfirmation_ConfirmSignUp' | 'PostConfirmation_ConfirmForgotPassword';
    clientId: string;
    clientMetadata?: Record<string, string>;
  },
): Promise<void> {
  await runTrigger(ctx, pool, 'PostConfirmation', {
    triggerSource: call.source,
    userName: user.username,
    clientId: call.clientId,
    request: { userAttributes: triggerUserAttributes(pool, user), ...withMetadata(call.clientMetadata) },
    response: {},
  });
}

/**
 * Runs PreAuthentication before the password is checked (a failure is not a wrong password: no
 * lockout count). For an unknown user it runs only when the client prevents user-existence errors,
 * with `userNotFound: true`, as Cognito. `validationData` carries the call's ClientMetadata.
 */
export async function runPreAuthentication(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord | undefined,
  userName: string,
  clientMetadata: Record<string, string> | undefined,
): Promise<void> {
  if (user === undefined && client.preventUserExistenceErrors !== 'ENABLED') return;
  await runTrigger(ctx, pool, 'PreAuthentication', {
    triggerSource: 'PreAuthentication_Authentication',
    userName: user?.username ?? userName,
    clientId: client.clientId,
    request: {
      userAttributes: user === undefined ? {} : triggerUserAttributes(pool, user),
      validationData: clientMetadata ?? null,
      ...(user === undefined ? { userNotFound: true } : {}),
    },
    response: {},
  });
}

/** Runs PostAuthentication once a sign-in has succeeded (`newDeviceUsed`: a device was first seen now). */
export async function runPostAuthentication(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  call: { newDeviceUsed: boolean; clientMetadata?: Record<string, string> },
): Promise<void> {
  await runTrigger(ctx, pool, 'PostAuthentication', {
    triggerSource: 'PostAuthentication_Authentication',
    userName: user.username,
    clientId: client.clientId,
    request: { userAttributes: triggerUserAttributes(pool, user), newDeviceUsed: call.newDeviceUsed, ...withMetadata(call.clientMetadata) },
    response: {},
  });
}
