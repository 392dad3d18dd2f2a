/**
 * The CustomMessage trigger through the AWS SDK: its event for each source, the text and subject
 * it sets reaching the outbox with the code filled in, Cognito's default text when it sets none,
 * and the refusal of a message without the code placeholder.
 */
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminSetUserMFAPreferenceCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TriggerFunction } from '../../lib/emulator';
import { rejects } from './helpers';
import { requestOf, startTriggerRig, type TriggerRig } from './triggers-support';

const PASSWORD = 'Passw0rd!';

/** A CustomMessage function that brands every message and records nothing else. */
const branded: TriggerFunction = (e: { triggerSource: string; request: { codeParameter: string; usernameParameter: string | null } }) => ({
  ...e,
  response: {
    smsMessage: `[Acme ${e.triggerSource}] code ${e.request.codeParameter}`,
    emailMessage: `<p>Acme: ${e.request.usernameParameter ?? ''} ${e.request.codeParameter}</p>`,
    emailSubject: `Acme ${e.triggerSource}`,
  },
});

describe('emulator: CustomMessage trigger', () => {
  let rig: TriggerRig;
  before(async () => {
    rig = await startTriggerRig({ mfa: 'OPTIONAL', poolOptions: { AutoVerifiedAttributes: ['email'] } });
  });
  after(() => rig.pool.stop());
  afterEach(() => rig.reset());

  const signIn = (username: string) => rig.pool.sdk.send(new InitiateAuthCommand({
    ClientId: rig.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD },
  }));

  it('CustomMessage_SignUp: the event, and the trigger\'s text and subject in the outbox with the code', async () => {
    rig.on('CustomMessage', branded);
    await rig.pool.sdk.send(new SignUpCommand({
      ClientId: rig.pool.clientId, Username: 'mia', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'mia@example.com' }],
      ClientMetadata: { lang: 'en' },
    }));
    const call = rig.last('CustomMessage');
    assert.equal(call.triggerSource, 'CustomMessage_SignUp');
    assert.equal(call.event.userName, 'mia');
    const req = requestOf(call);
    assert.equal(req.codeParameter, '{####}');
    assert.equal(req.linkParameter, '{##Click Here##}');
    assert.equal(req.usernameParameter, null);
    assert.deepEqual(req.clientMetadata, { lang: 'en' });
    assert.equal((req.userAttributes as Record<string, string>).email, 'mia@example.com');
    assert.deepEqual(call.event.response, { smsMessage: null, emailMessage: null, emailSubject: null });
    const [message] = rig.pool.emulator.outbox({ username: 'mia', purpose: 'SIGN_UP' });
    assert.equal(message.message, `<p>Acme:  ${message.code}</p>`);
    assert.equal(message.subject, 'Acme CustomMessage_SignUp');
  });

  it('CustomMessage_ResendCode and CustomMessage_ForgotPassword', async () => {
    rig.on('CustomMessage', branded);
    await rig.pool.sdk.send(new ResendConfirmationCodeCommand({ ClientId: rig.pool.clientId, Username: 'mia' }));
    assert.equal(rig.last('CustomMessage').triggerSource, 'CustomMessage_ResendCode');
    assert.equal(rig.pool.emulator.outbox({ username: 'mia', purpose: 'RESEND_CODE' })[0].subject, 'Acme CustomMessage_ResendCode');
    await rig.pool.createUser('fay', PASSWORD, { attributes: { email: 'fay@example.com', email_verified: 'true' } });
    await rig.pool.sdk.send(new ForgotPasswordCommand({ ClientId: rig.pool.clientId, Username: 'fay' }));
    assert.equal(rig.last('CustomMessage').triggerSource, 'CustomMessage_ForgotPassword');
    const [reset] = rig.pool.emulator.outbox({ username: 'fay', purpose: 'FORGOT_PASSWORD' });
    assert.equal(reset.message, `<p>Acme:  ${reset.code}</p>`);
  });

  it('CustomMessage_AdminCreateUser: usernameParameter, and the invitation by SMS with the temporary password', async () => {
    rig.on('CustomMessage', (e: { request: { usernameParameter: string | null; codeParameter: string } }) => ({
      ...e, response: { smsMessage: `Hi ${e.request.usernameParameter!}, use ${e.request.codeParameter}`, emailMessage: null, emailSubject: null },
    }));
    await rig.pool.sdk.send(new AdminCreateUserCommand({
      UserPoolId: rig.pool.poolId, Username: 'gus', TemporaryPassword: 'Temp0rary!', UserAttributes: [{ Name: 'phone_number', Value: '+15555550100' }],
    }));
    const call = rig.last('CustomMessage');
    assert.equal(call.triggerSource, 'CustomMessage_AdminCreateUser');
    assert.equal(requestOf(call).usernameParameter, '{username}');
    assert.deepEqual(call.event.callerContext, { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'CLIENT_ID_NOT_APPLICABLE' });
    const [invite] = rig.pool.emulator.outbox({ username: 'gus', purpose: 'ADMIN_CREATE_USER' });
    assert.equal(invite.channel, 'SMS');
    assert.equal(invite.message, 'Hi gus, use Temp0rary!');
  });

  it('CustomMessage_UpdateUserAttribute and CustomMessage_VerifyUserAttribute', async () => {
    await rig.pool.createUser('hal', PASSWORD, { attributes: { email: 'hal@example.com', email_verified: 'true' } });
    const token = (await signIn('hal')).AuthenticationResult!.AccessToken!;
    rig.on('CustomMessage', branded);
    await rig.pool.sdk.send(new UpdateUserAttributesCommand({ AccessToken: token, UserAttributes: [{ Name: 'email', Value: 'hal2@example.com' }] }));
    const update = rig.last('CustomMessage');
    assert.equal(update.triggerSource, 'CustomMessage_UpdateUserAttribute');
    assert.deepEqual(update.event.callerContext, { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: rig.pool.clientId });
    await rig.pool.sdk.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: token, AttributeName: 'email' }));
    assert.equal(rig.last('CustomMessage').triggerSource, 'CustomMessage_VerifyUserAttribute');
    assert.equal(rig.pool.emulator.outbox({ username: 'hal', purpose: 'VERIFY_ATTRIBUTE' })[0].subject, 'Acme CustomMessage_VerifyUserAttribute');
  });

  it('CustomMessage_Authentication: the SMS MFA code\'s text', async () => {
    await rig.pool.createUser('ivy', PASSWORD, { attributes: { phone_number: '+15555550101', phone_number_verified: 'true' } });
    await rig.pool.sdk.send(new AdminSetUserMFAPreferenceCommand({
      UserPoolId: rig.pool.poolId, Username: 'ivy', SMSMfaSettings: { Enabled: true, PreferredMfa: true },
    }));
    rig.on('CustomMessage', branded);
    const out = await signIn('ivy');
    assert.equal(out.ChallengeName, 'SMS_MFA');
    assert.equal(rig.last('CustomMessage').triggerSource, 'CustomMessage_Authentication');
    const [sms] = rig.pool.emulator.outbox({ username: 'ivy', purpose: 'MFA' });
    assert.equal(sms.message, `[Acme CustomMessage_Authentication] code ${sms.code}`);
  });

  it('no message set: the pool\'s default text goes out', async () => {
    await rig.pool.sdk.send(new SignUpCommand({
      ClientId: rig.pool.clientId, Username: 'jo', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'jo@example.com' }],
    }));
    const [message] = rig.pool.emulator.outbox({ username: 'jo', purpose: 'SIGN_UP' });
    assert.equal(message.message, `Your verification code is ${message.code}. `);
    assert.equal(message.subject, undefined);
  });

  it('a message without {####}, or one that is not a string: InvalidLambdaResponseException, nothing sent', async () => {
    rig.on('CustomMessage', (e) => ({ ...e, response: { smsMessage: null, emailMessage: 'Welcome!', emailSubject: null } }));
    await rejects(rig.pool.sdk.send(new SignUpCommand({
      ClientId: rig.pool.clientId, Username: 'kim', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'kim@example.com' }],
    })), 'InvalidLambdaResponseException');
    assert.equal(rig.last('CustomMessage').error, 'InvalidLambdaResponseException');
    rig.on('CustomMessage', (e) => ({ ...e, response: { smsMessage: null, emailMessage: 42, emailSubject: null } }));
    await rejects(rig.pool.sdk.send(new ResendConfirmationCodeCommand({ ClientId: rig.pool.clientId, Username: 'kim' })), 'InvalidLambdaResponseException');
    assert.equal(rig.pool.emulator.outbox({ username: 'kim' }).length, 0);
  });
});
