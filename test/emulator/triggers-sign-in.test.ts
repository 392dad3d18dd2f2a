/**
 * PreAuthentication, PostAuthentication and UserMigration through the AWS SDK, on every sign-in
 * path (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH, MFA completion): events,
 * ordering against the password check and the tokens, and failure modes.
 */
import assert from 'node:assert/strict';
import {
  AdminInitiateAuthCommand,
  AdminGetUserCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { rejects, srpLogin } from './helpers';
import { neverAnswers, requestOf, startTriggerRig, type TriggerRig } from './triggers-support';

const PASSWORD = 'Passw0rd!';

describe('emulator: PreAuthentication and PostAuthentication triggers', () => {
  let rig: TriggerRig;
  let n = 0;
  const name = (): string => `signin${++n}`;
  before(async () => {
    rig = await startTriggerRig();
  });
  after(() => rig.pool.stop());
  afterEach(() => rig.reset());

  const passwordAuth = (username: string, password = PASSWORD, extra: Record<string, unknown> = {}) =>
    rig.pool.sdk.send(new InitiateAuthCommand({
      ClientId: rig.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password }, ...extra,
    }));

  it('USER_PASSWORD_AUTH: PreAuthentication (ClientMetadata as validationData), then PostAuthentication, then tokens', async () => {
    const username = name();
    await rig.pool.createUser(username, PASSWORD, { attributes: { email: `${username}@example.com` } });
    const before = rig.calls().length;
    const out = await passwordAuth(username, PASSWORD, { ClientMetadata: { app: 'web' } });
    assert.ok(out.AuthenticationResult?.AccessToken);
    const order = rig.calls().slice(before).map((c) => c.trigger);
    assert.deepEqual(order, ['PreAuthentication', 'PostAuthentication']);
    const pre = rig.last('PreAuthentication');
    assert.equal(pre.triggerSource, 'PreAuthentication_Authentication');
    assert.equal(pre.event.userName, username);
    assert.deepEqual(pre.event.callerContext, { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: rig.pool.clientId });
    const attributes = requestOf(pre).userAttributes as Record<string, string>;
    assert.equal(attributes.email, `${username}@example.com`);
    assert.equal(attributes['cognito:user_status'], 'CONFIRMED');
    assert.deepEqual(requestOf(pre).validationData, { app: 'web' });
    assert.deepEqual(pre.event.response, {});
    const post = rig.last('PostAuthentication');
    assert.equal(post.triggerSource, 'PostAuthentication_Authentication');
    assert.equal(requestOf(post).newDeviceUsed, false);
    assert.deepEqual(requestOf(post).clientMetadata, { app: 'web' });
  });

  it('a throwing PreAuthentication refuses before the password is checked: no lockout count', async () => {
    const username = name();
    await rig.pool.createUser(username, PASSWORD);
    rig.on('PreAuthentication', () => { throw new Error('outside business hours'); });
    for (let i = 0; i < 6; i++) {
      await rejects(passwordAuth(username, 'Wr0ngPassw0rd!'), 'UserLambdaValidationException', 'PreAuthentication failed with error outside business hours.');
    }
    rig.reset();
    assert.ok((await passwordAuth(username)).AuthenticationResult?.AccessToken, 'six refusals did not lock the user out');
  });

  it('PreAuthentication runs for an unknown user only when the client prevents user-existence errors (userNotFound)', async () => {
    const before = rig.calls('PreAuthentication').length;
    await rejects(passwordAuth('nobody-legacy'), 'UserNotFoundException');
    assert.equal(rig.calls('PreAuthentication').length, before);
  });

  it('ADMIN_USER_PASSWORD_AUTH runs both triggers too', async () => {
    const username = name();
    await rig.pool.createUser(username, PASSWORD);
    const out = await rig.pool.sdk.send(new AdminInitiateAuthCommand({
      UserPoolId: rig.pool.poolId, ClientId: rig.pool.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD },
    }));
    assert.ok(out.AuthenticationResult);
    assert.equal(rig.last('PreAuthentication').event.userName, username);
    assert.equal(rig.last('PostAuthentication').event.userName, username);
  });

  it('USER_SRP_AUTH: PreAuthentication at InitiateAuth, PostAuthentication after the proof', async () => {
    const username = name();
    await rig.pool.createUser(username, PASSWORD);
    const out = await srpLogin(rig.pool, username, PASSWORD);
    assert.ok(out.AuthenticationResult?.IdToken);
    assert.equal(rig.last('PreAuthentication').event.userName, username);
    assert.equal(rig.last('PostAuthentication').event.userName, username);
    rig.on('PreAuthentication', () => { throw new Error('srp refused'); });
    await rejects(srpLogin(rig.pool, username, PASSWORD), 'UserLambdaValidationException', 'PreAuthentication failed with error srp refused.');
  });

  it('a failing PostAuthentication fails the sign-in: no tokens (malformed answer, throw, timeout)', async () => {
    const username = name();
    await rig.pool.createUser(username, PASSWORD);
    rig.on('PostAuthentication', () => undefined as never);
    await rejects(passwordAuth(username), 'InvalidLambdaResponseException');
    rig.on('PostAuthentication', () => { throw new Error('audit log full'); });
    await rejects(passwordAuth(username), 'UserLambdaValidationException', 'PostAuthentication failed with error audit log full.');
    rig.on('PostAuthentication', neverAnswers);
    await rejects(passwordAuth(username), 'UnexpectedLambdaException');
    assert.equal(rig.last('PostAuthentication').error, 'UnexpectedLambdaException');
  });

  it('a wrong password never reaches PostAuthentication', async () => {
    const username = name();
    await rig.pool.createUser(username, PASSWORD);
    const before = rig.calls('PostAuthentication').length;
    await rejects(passwordAuth(username, 'Wr0ngPassw0rd!'), 'NotAuthorizedException');
    assert.equal(rig.calls('PostAuthentication').length, before);
  });
});

describe('emulator: PreAuthentication for unknown users and PostAuthentication after MFA', () => {
  let rig: TriggerRig;
  before(async () => {
    rig = await startTriggerRig({ mfa: 'OPTIONAL', clientOptions: { PreventUserExistenceErrors: 'ENABLED' } });
  });
  after(() => rig.pool.stop());

  it('an unknown user under PreventUserExistenceErrors: PreAuthentication with userNotFound, then NotAuthorizedException', async () => {
    await rejects(rig.pool.sdk.send(new InitiateAuthCommand({
      ClientId: rig.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ghost', PASSWORD },
    })), 'NotAuthorizedException');
    const call = rig.last('PreAuthentication');
    assert.equal(call.event.userName, 'ghost');
    assert.deepEqual(requestOf(call), { userAttributes: {}, validationData: null, userNotFound: true });
  });

  it('NEW_PASSWORD_REQUIRED: PostAuthentication runs once, when the tokens come', async () => {
    await rig.pool.createUser('temp', 'Temp0rary!', { temporary: true });
    const before = rig.calls('PostAuthentication').length;
    const first = await rig.pool.sdk.send(new InitiateAuthCommand({
      ClientId: rig.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'temp', PASSWORD: 'Temp0rary!' },
    }));
    assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    assert.equal(rig.calls('PostAuthentication').length, before);
    const done = await rig.pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: rig.pool.clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.Session,
      ChallengeResponses: { USERNAME: 'temp', NEW_PASSWORD: 'N3wPassw0rd!' }, ClientMetadata: { step: 'new-password' },
    }));
    assert.ok(done.AuthenticationResult);
    assert.equal(rig.calls('PostAuthentication').length, before + 1);
    assert.deepEqual(requestOf(rig.last('PostAuthentication')).clientMetadata, { step: 'new-password' });
  });
});

describe('emulator: UserMigration trigger', () => {
  let rig: TriggerRig;
  before(async () => {
    rig = await startTriggerRig({}, ['UserMigration', 'PreAuthentication']);
  });
  after(() => rig.pool.stop());
  afterEach(() => rig.reset());

  const legacy: Record<string, string> = { 'old-ann': 'OldPassw0rd!', 'old-bob': 'OldPassw0rd!', 'old-cat': 'OldPassw0rd!' };
  const migrateKnown = (status: 'CONFIRMED' | 'RESET_REQUIRED' = 'CONFIRMED') =>
    rig.on('UserMigration', (e) => {
      const event = e as { userName: string; triggerSource: string; request: { password?: string }; response: Record<string, unknown> };
      if (event.triggerSource === 'UserMigration_Authentication' && legacy[event.userName] !== event.request.password) {
        throw new Error('Bad password');
      }
      return {
        ...event,
        response: {
          userAttributes: { email: `${event.userName}@example.com`, email_verified: 'true' },
          finalUserStatus: status, messageAction: 'SUPPRESS',
        },
      } as never;
    });

  it('UserMigration_Authentication: the password reaches the function, the user is created and signed in', async () => {
    migrateKnown();
    const out = await rig.pool.sdk.send(new InitiateAuthCommand({
      ClientId: rig.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'old-ann', PASSWORD: 'OldPassw0rd!' },
      ClientMetadata: { source: 'legacy' },
    }));
    assert.ok(out.AuthenticationResult?.AccessToken);
    const call = rig.last('UserMigration');
    assert.equal(call.triggerSource, 'UserMigration_Authentication');
    assert.equal(call.event.userName, 'old-ann');
    assert.deepEqual(requestOf(call), { password: 'OldPassw0rd!', validationData: { source: 'legacy' }, clientMetadata: { source: 'legacy' } });
    const user = await rig.pool.sdk.send(new AdminGetUserCommand({ UserPoolId: rig.pool.poolId, Username: 'old-ann' }));
    assert.equal(user.UserStatus, 'CONFIRMED');
    assert.equal(user.UserAttributes?.find((a) => a.Name === 'email')?.Value, 'old-ann@example.com');
    assert.equal(rig.pool.emulator.outbox({ username: 'old-ann' }).length, 0, 'messageAction SUPPRESS');
    // Signed in again with the same password: the pool knows the user now.
    const again = rig.calls('UserMigration').length;
    await rig.pool.sdk.send(new InitiateAuthCommand({
      ClientId: rig.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'old-ann', PASSWORD: 'OldPassw0rd!' },
    }));
    assert.equal(rig.calls('UserMigration').length, again);
  });

  it('a refusal from the function: UserLambdaValidationException and no user', async () => {
    migrateKnown();
    await rejects(rig.pool.sdk.send(new InitiateAuthCommand({
      ClientId: rig.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'old-bob', PASSWORD: 'Wr0ngPassw0rd!' },
    })), 'UserLambdaValidationException', 'UserMigration failed with error Bad password.');
    await rejects(rig.pool.sdk.send(new AdminGetUserCommand({ UserPoolId: rig.pool.poolId, Username: 'old-bob' })), 'UserNotFoundException');
  });

  it('finalUserStatus RESET_REQUIRED: created, and the sign-in answers PasswordResetRequiredException', async () => {
    migrateKnown('RESET_REQUIRED');
    await rejects(rig.pool.sdk.send(new InitiateAuthCommand({
      ClientId: rig.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'old-bob', PASSWORD: 'OldPassw0rd!' },
    })), 'PasswordResetRequiredException');
    const user = await rig.pool.sdk.send(new AdminGetUserCommand({ UserPoolId: rig.pool.poolId, Username: 'old-bob' }));
    assert.equal(user.UserStatus, 'RESET_REQUIRED');
  });

  it('a malformed answer (no userAttributes, or an unknown finalUserStatus): InvalidLambdaResponseException', async () => {
    rig.on('UserMigration', (e) => ({ ...e, response: { finalUserStatus: 'CONFIRMED' } }) as never);
    await rejects(rig.pool.sdk.send(new InitiateAuthCommand({
      ClientId: rig.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'old-zed', PASSWORD: 'OldPassw0rd!' },
    })), 'InvalidLambdaResponseException');
    rig.on('UserMigration', (e) => ({ ...e, response: { userAttributes: {}, finalUserStatus: 'ARCHIVED' } }) as never);
    await rejects(rig.pool.sdk.send(new InitiateAuthCommand({
      ClientId: rig.pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'old-zed', PASSWORD: 'OldPassw0rd!' },
    })), 'InvalidLambdaResponseException');
  });

  it('USER_SRP_AUTH never migrates (the password never reaches the pool)', async () => {
    migrateKnown();
    const before = rig.calls('UserMigration').length;
    await rejects(srpLogin(rig.pool, 'old-cat', 'OldPassw0rd!'), 'UserNotFoundException');
    assert.equal(rig.calls('UserMigration').length, before);
  });

  it('UserMigration_ForgotPassword: the user is created RESET_REQUIRED and the code goes out', async () => {
    migrateKnown();
    const out = await rig.pool.sdk.send(new ForgotPasswordCommand({ ClientId: rig.pool.clientId, Username: 'old-cat' }));
    assert.equal(out.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
    const call = rig.last('UserMigration');
    assert.equal(call.triggerSource, 'UserMigration_ForgotPassword');
    assert.equal(requestOf(call).password, undefined);
    const user = await rig.pool.sdk.send(new AdminGetUserCommand({ UserPoolId: rig.pool.poolId, Username: 'old-cat' }));
    assert.equal(user.UserStatus, 'RESET_REQUIRED');
    assert.equal(rig.pool.emulator.outbox({ username: 'old-cat', purpose: 'FORGOT_PASSWORD' }).length, 1);
  });
});
