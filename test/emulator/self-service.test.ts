/**
 * Sign-up against the emulator with the real SDK: SignUp (UNCONFIRMED, the code to the auto-verified
 * attribute, password policy, duplicates, username attributes), ConfirmSignUp (verifies the attribute,
 * aliases, already confirmed), ResendConfirmationCode (replaces the code, rate limit), expiry and
 * attempt limits by the emulator clock, AdminConfirmSignUp, unconfirmed sign-in, and SECRET_HASH.
 */
import assert from 'node:assert/strict';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { secretHash } from '../../lib/secret-hash';
import { startTestPool, type TestPool } from '../support/pool';
import { rejects, srpLogin } from './helpers';

const PASSWORD = 'Passw0rd!';
const HOUR = 3600 * 1000;
const attrs = (values: Record<string, string>): AttributeType[] => Object.entries(values).map(([Name, Value]) => ({ Name, Value }));

/** The code of the last message to `username`. */
function lastCode(pool: TestPool, username: string): string {
  const code = pool.emulator.outbox({ username }).at(-1)?.code;
  assert.ok(code !== undefined, `a code was sent to ${username}`);
  return code;
}

function attributesOf(list: AttributeType[] | undefined): Record<string, string | undefined> {
  return Object.fromEntries((list ?? []).map((a) => [a.Name, a.Value]));
}

describe('emulator: sign-up and confirmation', () => {
  let pool: TestPool;
  const signUp = (Username: string, extra: Record<string, string> = {}, Password = PASSWORD, target: TestPool = pool) =>
    target.sdk.send(new SignUpCommand({ ClientId: target.clientId, Username, Password, UserAttributes: attrs(extra) }));
  const confirm = (Username: string, ConfirmationCode: string, target: TestPool = pool, ForceAliasCreation?: boolean) =>
    target.sdk.send(new ConfirmSignUpCommand({ ClientId: target.clientId, Username, ConfirmationCode, ForceAliasCreation }));
  const resend = (Username: string, target: TestPool = pool) =>
    target.sdk.send(new ResendConfirmationCodeCommand({ ClientId: target.clientId, Username }));
  const getUser = (Username: string, target: TestPool = pool) =>
    target.sdk.send(new AdminGetUserCommand({ UserPoolId: target.poolId, Username }));
  const passwordLogin = (USERNAME: string, PASSWORD_: string, target: TestPool = pool) =>
    target.sdk.send(new InitiateAuthCommand({ ClientId: target.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: PASSWORD_ } }));

  before(async () => {
    pool = await startTestPool({ poolOptions: { AutoVerifiedAttributes: ['email'], UsernameConfiguration: { CaseSensitive: false } } });
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  it('SignUp creates an UNCONFIRMED user and e-mails a code to the auto-verified address', async () => {
    const out = await signUp('ann', { email: 'ann@example.com', given_name: 'Ann', 'custom:team': 'blue' });
    assert.equal(out.UserConfirmed, false);
    assert.match(out.UserSub ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(out.CodeDeliveryDetails, { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const user = await getUser('ann');
    assert.equal(user.UserStatus, 'UNCONFIRMED');
    const attributes = attributesOf(user.UserAttributes);
    assert.equal(attributes.sub, out.UserSub);
    assert.equal(attributes.given_name, 'Ann');
    assert.equal(attributes['custom:team'], 'blue');
    assert.equal(attributes.email_verified, undefined);
    const [message, ...more] = pool.emulator.outbox({ username: 'ann' });
    assert.equal(more.length, 0);
    assert.equal(message.channel, 'EMAIL');
    assert.equal(message.destination, 'ann@example.com');
    assert.equal(message.purpose, 'SIGN_UP');
    assert.equal(message.poolId, pool.poolId);
    assert.equal(message.username, 'ann');
    assert.match(message.code ?? '', /^[0-9]{6}$/);
    assert.equal(message.message, `Your verification code is ${message.code}. `);
    assert.ok(Math.abs(message.sentAt - Date.now()) < 60_000);
  });

  it('an unconfirmed user with the right password gets UserNotConfirmedException, with a wrong one NotAuthorized', async () => {
    await signUp('ben', { email: 'ben@example.com' });
    await rejects(passwordLogin('ben', PASSWORD), 'UserNotConfirmedException', 'User is not confirmed.');
    await rejects(passwordLogin('ben', 'Wr0ng-pass!'), 'NotAuthorizedException', 'Incorrect username or password.');
    await rejects(srpLogin(pool, 'ben', PASSWORD), 'UserNotConfirmedException', 'User is not confirmed.');
    await rejects(
      pool.sdk.send(new AdminInitiateAuthCommand({
        UserPoolId: pool.poolId, ClientId: pool.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ben', PASSWORD },
      })),
      'UserNotConfirmedException',
    );
  });

  it('ConfirmSignUp: a wrong code is CodeMismatch; the right one confirms and verifies the e-mail; again is NotAuthorized', async () => {
    await signUp('cai', { email: 'cai@example.com' });
    await rejects(confirm('cai', '000000'), 'CodeMismatchException', 'Invalid verification code provided, please try again.');
    assert.deepEqual(await confirm('cai', lastCode(pool, 'cai')).then(({ $metadata: _m, ...rest }) => rest), {});
    const user = await getUser('cai');
    assert.equal(user.UserStatus, 'CONFIRMED');
    assert.equal(attributesOf(user.UserAttributes).email_verified, 'true');
    assert.ok((await passwordLogin('cai', PASSWORD)).AuthenticationResult?.AccessToken);
    await rejects(confirm('cai', lastCode(pool, 'cai')), 'NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
    await rejects(resend('cai'), 'InvalidParameterException', 'User is already confirmed.');
  });

  it('refuses a taken username (case-insensitively here), a weak password and an unknown attribute', async () => {
    await signUp('dee', { email: 'dee@example.com' });
    await rejects(signUp('dee'), 'UsernameExistsException', 'User already exists');
    await rejects(signUp('DEE'), 'UsernameExistsException', 'User already exists');
    await rejects(signUp('eli', {}, 'short'), 'InvalidPasswordException', 'Password did not conform with policy: Password not long enough');
    await rejects(signUp('eli', {}, 'nosymbols1A'), 'InvalidPasswordException', 'Password did not conform with policy: Password must have symbol characters');
    await rejects(signUp('eli', { team: 'blue' }), 'InvalidParameterException', 'Attributes did not conform to the schema: team: Attribute does not exist in the schema.');
    await rejects(signUp('eli', { email: 'not-an-address' }), 'InvalidParameterException', 'Invalid email address format.');
    await rejects(getUser('eli'), 'UserNotFoundException', 'User does not exist.');
  });

  it('a code expires after 24 hours; ResendConfirmationCode replaces it', async () => {
    const out = await signUp('fay', { email: 'fay@example.com' });
    const first = lastCode(pool, 'fay');
    pool.emulator.clock.advance(24 * HOUR + 1000);
    await rejects(confirm('fay', first), 'ExpiredCodeException', 'Invalid code provided, please request a code again.');
    const again = await resend('fay');
    assert.deepEqual(again.CodeDeliveryDetails, out.CodeDeliveryDetails);
    const messages = pool.emulator.outbox({ username: 'fay', purpose: 'RESEND_CODE' });
    assert.equal(messages.length, 1);
    const second = lastCode(pool, 'fay');
    if (second !== first) await rejects(confirm('fay', first), 'CodeMismatchException');
    await confirm('fay', second);
    assert.equal((await getUser('fay')).UserStatus, 'CONFIRMED');
  });

  it('five wrong codes spend the code: then even the right one is ExpiredCode, until a new one is sent', async () => {
    await signUp('gus', { email: 'gus@example.com' });
    const code = lastCode(pool, 'gus');
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 5; i++) await rejects(confirm('gus', wrong), 'CodeMismatchException');
    await rejects(confirm('gus', code), 'ExpiredCodeException', 'Invalid code provided, please request a code again.');
    await resend('gus');
    await confirm('gus', lastCode(pool, 'gus'));
  });

  it('more than 5 ResendConfirmationCode per user per hour: LimitExceededException, then allowed again', async () => {
    await signUp('hal', { email: 'hal@example.com' });
    for (let i = 0; i < 5; i++) await resend('hal');
    await rejects(resend('hal'), 'LimitExceededException', 'Attempt limit exceeded, please try after some time.');
    assert.equal(pool.emulator.outbox({ username: 'hal', purpose: 'RESEND_CODE' }).length, 5);
    pool.emulator.clock.advance(HOUR);
    await resend('hal');
    await confirm('hal', lastCode(pool, 'hal'));
  });

  it('unknown users on a LEGACY client: UserNotFoundException "Username/client id combination not found."', async () => {
    await rejects(confirm('nobody', '123456'), 'UserNotFoundException', 'Username/client id combination not found.');
    await rejects(resend('nobody'), 'UserNotFoundException', 'Username/client id combination not found.');
  });

  it('AdminConfirmSignUp confirms without verifying the e-mail; a confirmed user cannot be confirmed again', async () => {
    await signUp('ida', { email: 'ida@example.com' });
    await pool.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.poolId, Username: 'ida' }));
    const user = await getUser('ida');
    assert.equal(user.UserStatus, 'CONFIRMED');
    assert.equal(attributesOf(user.UserAttributes).email_verified, undefined);
    await rejects(
      pool.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.poolId, Username: 'ida' })),
      'NotAuthorizedException',
      'User cannot be confirmed. Current status is CONFIRMED',
    );
    await rejects(pool.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.poolId, Username: 'ghost' })), 'UserNotFoundException', 'User does not exist.');
    await rejects(confirm('ida', lastCode(pool, 'ida')), 'NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
  });

  it('without AutoVerifiedAttributes no code is sent and CodeDeliveryDetails is absent; resend is refused', async () => {
    const plain = await startTestPool();
    try {
      const out = await signUp('jo', { email: 'jo@example.com' }, PASSWORD, plain);
      assert.equal(out.CodeDeliveryDetails, undefined);
      assert.equal(plain.emulator.outbox().length, 0);
      await rejects(resend('jo', plain), 'InvalidParameterException', 'Cannot resend codes. Auto verification not turned on.');
      await rejects(confirm('jo', '123456', plain), 'ExpiredCodeException');
    } finally {
      await plain.stop();
    }
  });

  it('phone and e-mail auto-verified: the code goes by SMS when the user has a phone, else by e-mail', async () => {
    const both = await startTestPool({ poolOptions: { AutoVerifiedAttributes: ['email', 'phone_number'] } });
    try {
      const bySms = await signUp('kim', { email: 'kim@example.com', phone_number: '+15555550123' }, PASSWORD, both);
      assert.deepEqual(bySms.CodeDeliveryDetails, { Destination: '+*******0123', DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
      const sms = both.emulator.outbox({ username: 'kim' }).at(-1);
      assert.equal(sms?.channel, 'SMS');
      assert.equal(sms?.destination, '+15555550123');
      assert.equal(both.emulator.smsOutbox('kim').length, 1, 'an SMS with a code also shows in smsOutbox');
      const byEmail = await signUp('lee', { email: 'lee@example.com' }, PASSWORD, both);
      assert.equal(byEmail.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
      await confirm('kim', lastCode(both, 'kim'), both);
      const kim = attributesOf((await getUser('kim', both)).UserAttributes);
      assert.equal(kim.phone_number_verified, 'true');
      assert.equal(kim.email_verified, undefined);
    } finally {
      await both.stop();
    }
  });

  it('e-mail as username: the internal username is the sub; the e-mail finds the user and its messages', async () => {
    const byEmail = await startTestPool({ usernameAttributes: ['email'], poolOptions: { AutoVerifiedAttributes: ['email'] } });
    try {
      const out = await signUp('mia@example.com', {}, PASSWORD, byEmail);
      const user = await getUser('mia@example.com', byEmail);
      assert.equal(user.Username, out.UserSub);
      assert.equal(byEmail.emulator.outbox({ username: 'mia@example.com' })[0]?.username, out.UserSub);
      await rejects(signUp('mia@example.com', {}, PASSWORD, byEmail), 'UsernameExistsException', 'An account with the given email already exists.');
      await rejects(signUp('mia', {}, PASSWORD, byEmail), 'InvalidParameterException', 'Username should be an email.');
      await confirm('mia@example.com', lastCode(byEmail, 'mia@example.com'), byEmail);
      assert.ok((await passwordLogin('mia@example.com', PASSWORD, byEmail)).AuthenticationResult);
    } finally {
      await byEmail.stop();
    }
  });

  it('an e-mail alias already held by a confirmed account: AliasExistsException, unless ForceAliasCreation moves it', async () => {
    const aliases = await startTestPool({ aliasAttributes: ['email'], poolOptions: { AutoVerifiedAttributes: ['email'] } });
    try {
      await aliases.createUser('holder', PASSWORD, { attributes: { email: 'shared@example.com', email_verified: 'true' } });
      await signUp('newbie', { email: 'shared@example.com' }, PASSWORD, aliases);
      const code = lastCode(aliases, 'newbie');
      await rejects(confirm('newbie', code, aliases), 'AliasExistsException', 'An account with the email already exists.');
      assert.equal((await getUser('newbie', aliases)).UserStatus, 'UNCONFIRMED');
      await confirm('newbie', code, aliases, true);
      assert.equal(attributesOf((await getUser('holder', aliases)).UserAttributes).email_verified, 'false');
      assert.equal(attributesOf((await getUser('newbie', aliases)).UserAttributes).email_verified, 'true');
      const tokens = (await passwordLogin('shared@example.com', PASSWORD, aliases)).AuthenticationResult;
      assert.ok(tokens?.AccessToken);
      assert.equal((await getUser('shared@example.com', aliases)).Username, 'newbie');
    } finally {
      await aliases.stop();
    }
  });

  it('AllowAdminCreateUserOnly: SignUp is refused', async () => {
    const closed = await startTestPool({ poolOptions: { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } } });
    try {
      await rejects(signUp('nia', {}, PASSWORD, closed), 'NotAuthorizedException', 'SignUp is not permitted for this user pool');
    } finally {
      await closed.stop();
    }
  });

  describe('SECRET_HASH', () => {
    let secret: TestPool;
    const hash = (username: string): string => secretHash(username, secret.clientId, secret.clientSecret!);

    before(async () => {
      secret = await startTestPool({ generateSecret: true, usernameAttributes: ['email'], poolOptions: { AutoVerifiedAttributes: ['email'] } });
    });
    after(() => secret.stop());

    it('is required, checked, and computed from the username as sent', async () => {
      const Username = 'oli@example.com';
      const send = (SecretHash?: string) =>
        secret.sdk.send(new SignUpCommand({ ClientId: secret.clientId, Username, Password: PASSWORD, SecretHash }));
      await rejects(send(), 'NotAuthorizedException', `Client ${secret.clientId} is configured with secret but SECRET_HASH was not received`);
      await rejects(send(hash('someone-else')), 'NotAuthorizedException', `Unable to verify secret hash for client ${secret.clientId}`);
      const out = await send(hash(Username));
      await rejects(
        secret.sdk.send(new ResendConfirmationCodeCommand({ ClientId: secret.clientId, Username })),
        'NotAuthorizedException',
        /SECRET_HASH was not received/,
      );
      await secret.sdk.send(new ResendConfirmationCodeCommand({ ClientId: secret.clientId, Username, SecretHash: hash(Username) }));
      const confirmWith = (SecretHash: string) => secret.sdk.send(
        new ConfirmSignUpCommand({ ClientId: secret.clientId, Username, ConfirmationCode: lastCode(secret, Username), SecretHash }),
      );
      // The name as sent, not the internal username (the sub).
      await rejects(confirmWith(hash(out.UserSub!)), 'NotAuthorizedException', `Unable to verify secret hash for client ${secret.clientId}`);
      await confirmWith(hash(Username));
      assert.equal((await getUser(Username, secret)).UserStatus, 'CONFIRMED');
    });

    it('a hash sent to a client without a secret is refused', async () => {
      await rejects(
        pool.sdk.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'pat', Password: PASSWORD, SecretHash: 'abc' })),
        'InvalidParameterException',
        `App client ${pool.clientId} is not configured for secret but secret hash was received`,
      );
    });
  });
});
