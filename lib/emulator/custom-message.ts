/**
 * The CustomMessage trigger in front of the outbox: before a code (or an invitation) goes out, the
 * pool's CustomMessage function gets the event Lambda would (`codeParameter` `{####}`,
 * `usernameParameter` `{username}` for invitations) and its `smsMessage` / `emailMessage` /
 * `emailSubject` become what is sent. A message without the code placeholder is refused with
 * InvalidLambdaResponseException, as Cognito does.
 */
import type { EmulatorContext } from './context';
import { sendMessage, type CodeDeliveryDetails, type Delivery, type OutboxPurpose } from './outbox';
import type { PoolRecord, UserRecord } from './store';
import { invalidLambdaResponse, runTrigger } from './triggers';
import { NO_CLIENT_ID, triggerUserAttributes } from './user-triggers';

/** The CustomMessage trigger source for each outbox purpose. */
export const CUSTOM_MESSAGE_SOURCES: Readonly<Record<OutboxPurpose, string>> = Object.freeze({
  SIGN_UP: 'CustomMessage_SignUp',
  RESEND_CODE: 'CustomMessage_ResendCode',
  FORGOT_PASSWORD: 'CustomMessage_ForgotPassword',
  // AdminResetUserPassword sends the same reset code as ForgotPassword.
  ADMIN_RESET_PASSWORD: 'CustomMessage_ForgotPassword',
  UPDATE_ATTRIBUTE: 'CustomMessage_UpdateUserAttribute',
  VERIFY_ATTRIBUTE: 'CustomMessage_VerifyUserAttribute',
  ADMIN_CREATE_USER: 'CustomMessage_AdminCreateUser',
  MFA: 'CustomMessage_Authentication',
  // USER_AUTH's EMAIL_OTP / SMS_OTP sign-in codes: Cognito sends them as authentication messages too.
  SIGN_IN: 'CustomMessage_Authentication',
});

const CODE = '{####}';

function optionalText(response: Record<string, unknown>, name: string): string | undefined {
  const value = response[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidLambdaResponse();
  return value;
}

/**
 * Sends a message to a user through the pool's CustomMessage trigger (when it has one) and returns
 * the CodeDeliveryDetails.
 *
 * @throws WireError from the trigger; InvalidLambdaResponseException for a message without `{####}`.
 * @example
 * await deliverMessage(ctx, pool, user, { channel: 'EMAIL', destination, purpose: 'SIGN_UP', code }, { clientId });
 */
export async function deliverMessage(
  ctx: EmulatorContext,
  pool: PoolRecord,
  user: UserRecord,
  delivery: Delivery,
  call: { clientId?: string; clientMetadata?: Record<string, string> } = {},
): Promise<CodeDeliveryDetails> {
  const invitation = delivery.purpose === 'ADMIN_CREATE_USER';
  let template: string | undefined;
  let subject: string | undefined;
  const ran = await runTrigger(ctx, pool, 'CustomMessage', {
    triggerSource: CUSTOM_MESSAGE_SOURCES[delivery.purpose],
    userName: user.username,
    clientId: call.clientId ?? NO_CLIENT_ID,
    request: {
      userAttributes: triggerUserAttributes(pool, user),
      codeParameter: CODE,
      linkParameter: '{##Click Here##}',
      usernameParameter: invitation ? '{username}' : null,
      ...(call.clientMetadata !== undefined ? { clientMetadata: call.clientMetadata } : {}),
    },
    response: { smsMessage: null, emailMessage: null, emailSubject: null },
    validate: (response) => {
      template = optionalText(response, delivery.channel === 'SMS' ? 'smsMessage' : 'emailMessage');
      subject = delivery.channel === 'EMAIL' ? optionalText(response, 'emailSubject') : undefined;
      if (template !== undefined && delivery.code !== undefined && !template.includes(CODE)) throw invalidLambdaResponse();
    },
  });
  if (ran === undefined) return sendMessage(ctx, pool, user.username, delivery);
  return sendMessage(ctx, pool, user.username, {
    ...delivery,
    ...(template !== undefined ? { template } : {}),
    ...(subject !== undefined ? { subject } : {}),
  });
}
