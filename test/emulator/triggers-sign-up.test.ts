/**
 * PreSignUp and PostConfirmation through the AWS SDK: the events as Lambda receives them, the
 * auto-confirm / auto-verify flags, and each failure mode (throw, malformed answer, timeout).
 */
import assert from 'node:assert/strict';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { rejects } from './helpers';
import { neverAnswers, requestOf, startTriggerRig, type TriggerRig } from './triggers-support';

const PASSWORD = 'Passw0rd!';

describe('emulator: PreSignUp and PostConfirmation triggers', () => {
  let rig: TriggerRig;
  let n = 0;
  const name = (): string => `user${++n}`;
  before(async () => {
    rig = await startTriggerRig({ poolOptions: { AutoVerifiedAttributes: ['email'] } });
  });
  after(() => rig.pool.stop());
  afterEach(() => rig.reset());

  const signUp = (username: string, extra: Record<string, unknown> = {}) =>
    rig.pool.sdk.send(new SignUpCommand({
      ClientId: rig.pool.clientId, Username: username, Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }], ...extra,
    }));
  const statusOf = async (username: string) =>
    rig.pool.sdk.send(new AdminGetUserCommand({ UserPoolId: rig.pool.poolId, Username: username }));

  it('PreSignUp_SignUp gets the attributes, validation data and client metadata, and the call its answer', async () => {
    const username = name();
    const out = await signUp(username, { ValidationData: [{ Name: 'captcha', Value: 'ok' }], ClientMetadata: { from: 'test' } });
    assert.equal(out.UserConfirmed, false);
    const call = rig.last('PreSignUp');
    assert.equal(call.triggerSource, 'PreSignUp_SignUp');
    assert.equal(call.poolId, rig.pool.poolId);
    assert.deepEqual(call.event, {
      version: '1',
      triggerSource: 'PreSignUp_SignUp',
      region: rig.pool.region,
      userPoolId: rig.pool.poolId,
      userName: username,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: rig.pool.clientId },
      request: { userAttributes: { email: `${username}@example.com` }, validationData: { captcha: 'ok' }, clientMetadata: { from: 'test' } },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    });
    assert.equal(rig.pool.emulator.outbox({ username, purpose: 'SIGN_UP' }).length, 1);
  });

  it('autoConfirmUser + autoVerifyEmail: confirmed and verified at once, no code sent, PostConfirmation runs', async () => {
    rig.on('PreSignUp', (e) => ({ ...e, response: { autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: false } }));
    const username = name();
    const out = await signUp(username);
    assert.equal(out.UserConfirmed, true);
    assert.equal(out.CodeDeliveryDetails, undefined);
    const user = await statusOf(username);
    assert.equal(user.UserStatus, 'CONFIRMED');
    assert.equal(user.UserAttributes?.find((a) => a.Name === 'email_verified')?.Value, 'true');
    assert.equal(rig.pool.emulator.outbox({ username }).length, 0);
    const confirmation = rig.last('PostConfirmation');
    assert.equal(confirmation.triggerSource, 'PostConfirmation_ConfirmSignUp');
    assert.equal(confirmation.event.userName, username);
    assert.equal((requestOf(confirmation).userAttributes as Record<string, string>)['cognito:user_status'], 'CONFIRMED');
  });

  it('autoVerifyEmail without autoConfirmUser is ignored, as Cognito', async () => {
    rig.on('PreSignUp', (e) => ({ ...e, response: { autoConfirmUser: false, autoVerifyEmail: true, autoVerifyPhone: false } }));
    const username = name();
    assert.equal((await signUp(username)).UserConfirmed, false);
    const user = await statusOf(username);
    assert.equal(user.UserStatus, 'UNCONFIRMED');
    assert.equal(user.UserAttributes?.find((a) => a.Name === 'email_verified'), undefined);
  });

  it('a throwing PreSignUp: UserLambdaValidationException with its message, and no user', async () => {
    rig.on('PreSignUp', () => { throw new Error('domain not allowed'); });
    const username = name();
    await rejects(signUp(username), 'UserLambdaValidationException', 'PreSignUp failed with error domain not allowed.');
    await rejects(statusOf(username), 'UserNotFoundException');
    assert.equal(rig.last('PreSignUp').error, 'UserLambdaValidationException');
  });

  it('a malformed answer (no event, or a flag that is not a boolean): InvalidLambdaResponseException, no user', async () => {
    rig.on('PreSignUp', () => 'yes' as never);
    const first = name();
    await rejects(signUp(first), 'InvalidLambdaResponseException');
    rig.on('PreSignUp', (e) => ({ ...e, response: { autoConfirmUser: 'true' as never, autoVerifyEmail: false, autoVerifyPhone: false } }));
    const second = name();
    await rejects(signUp(second), 'InvalidLambdaResponseException');
    await rejects(statusOf(first), 'UserNotFoundException');
    await rejects(statusOf(second), 'UserNotFoundException');
  });

  it('a PreSignUp that never answers: UnexpectedLambdaException after the timeout', async () => {
    rig.on('PreSignUp', neverAnswers);
    const username = name();
    await rejects(signUp(username), 'UnexpectedLambdaException', /PreSignUp invocation failed/);
    assert.equal(rig.last('PreSignUp').error, 'UnexpectedLambdaException');
    await rejects(statusOf(username), 'UserNotFoundException');
  });

  it('PostConfirmation_ConfirmSignUp after ConfirmSignUp, with the client metadata', async () => {
    const username = name();
    await signUp(username);
    const code = rig.pool.emulator.outbox({ username, purpose: 'SIGN_UP' })[0].code!;
    await rig.pool.sdk.send(new ConfirmSignUpCommand({
      ClientId: rig.pool.clientId, Username: username, ConfirmationCode: code, ClientMetadata: { step: 'confirm' },
    }));
    const call = rig.last('PostConfirmation');
    assert.equal(call.triggerSource, 'PostConfirmation_ConfirmSignUp');
    assert.equal(call.event.userName, username);
    assert.deepEqual(requestOf(call).clientMetadata, { step: 'confirm' });
    const attributes = requestOf(call).userAttributes as Record<string, string>;
    assert.equal(attributes.email, `${username}@example.com`);
    assert.equal(attributes.email_verified, 'true');
    assert.match(attributes.sub, /^[0-9a-f-]{36}$/);
  });

  it('a throwing PostConfirmation fails ConfirmSignUp, but the user stays confirmed (Cognito\'s behaviour)', async () => {
    const username = name();
    await signUp(username);
    const code = rig.pool.emulator.outbox({ username, purpose: 'SIGN_UP' })[0].code!;
    rig.on('PostConfirmation', () => { throw new Error('crm down'); });
    await rejects(
      rig.pool.sdk.send(new ConfirmSignUpCommand({ ClientId: rig.pool.clientId, Username: username, ConfirmationCode: code })),
      'UserLambdaValidationException', 'PostConfirmation failed with error crm down.',
    );
    assert.equal((await statusOf(username)).UserStatus, 'CONFIRMED');
  });

  it('AdminConfirmSignUp runs PostConfirmation_ConfirmSignUp with no client', async () => {
    const username = name();
    await signUp(username);
    await rig.pool.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: rig.pool.poolId, Username: username }));
    const call = rig.last('PostConfirmation');
    assert.equal(call.triggerSource, 'PostConfirmation_ConfirmSignUp');
    assert.deepEqual(call.event.callerContext, { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'CLIENT_ID_NOT_APPLICABLE' });
  });

  it('ConfirmForgotPassword runs PostConfirmation_ConfirmForgotPassword', async () => {
    const username = name();
    await rig.pool.createUser(username, PASSWORD, { attributes: { email: `${username}@example.com`, email_verified: 'true' } });
    await rig.pool.sdk.send(new ForgotPasswordCommand({ ClientId: rig.pool.clientId, Username: username }));
    const code = rig.pool.emulator.outbox({ username, purpose: 'FORGOT_PASSWORD' })[0].code!;
    await rig.pool.sdk.send(new ConfirmForgotPasswordCommand({
      ClientId: rig.pool.clientId, Username: username, ConfirmationCode: code, Password: 'N3wPassw0rd!',
    }));
    const call = rig.last('PostConfirmation');
    assert.equal(call.triggerSource, 'PostConfirmation_ConfirmForgotPassword');
    assert.equal(call.event.userName, username);
  });

  it('PreSignUp_AdminCreateUser: its refusal creates nobody; its auto-confirm flags do not apply', async () => {
    const username = name();
    rig.on('PreSignUp', () => { throw new Error('no admins today'); });
    await rejects(
      rig.pool.sdk.send(new AdminCreateUserCommand({ UserPoolId: rig.pool.poolId, Username: username, MessageAction: 'SUPPRESS' })),
      'UserLambdaValidationException', 'PreSignUp failed with error no admins today.',
    );
    await rejects(statusOf(username), 'UserNotFoundException');
    rig.on('PreSignUp', (e) => ({ ...e, response: { autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: false } }));
    await rig.pool.sdk.send(new AdminCreateUserCommand({
      UserPoolId: rig.pool.poolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'x@example.com' }],
      ClientMetadata: { by: 'admin' },
    }));
    const call = rig.last('PreSignUp');
    assert.equal(call.triggerSource, 'PreSignUp_AdminCreateUser');
    assert.deepEqual(requestOf(call), { userAttributes: { email: 'x@example.com' }, validationData: null, clientMetadata: { by: 'admin' } });
    assert.equal((await statusOf(username)).UserStatus, 'FORCE_CHANGE_PASSWORD');
  });
});
