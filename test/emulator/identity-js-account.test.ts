/**
 * The account lifecycle through amazon-cognito-identity-js's public API, pointed at the emulator by
 * `endpoint`: sign-up, confirmation, resent codes, SRP sign-in, attributes (an e-mail change and its
 * verification), password change, password reset and account deletion; and each failure as the
 * client surfaces it (`code` and `name`).
 */
import assert from 'node:assert/strict';
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  type ICognitoStorage,
  type ISignUpResult,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import type { OutboxPurpose } from '../../lib/emulator';
import { startTestPool, type TestPool } from '../support/pool';

const PASSWORD = 'Passw0rd!';
const CHANGED = 'Chang3d-Passw0rd!';
const RESET = 'R3set-Passw0rd!';
const HOUR = 3600 * 1000;

/** The error shape amazon-cognito-identity-js hands to its callbacks. */
interface ClientError extends Error {
  code?: string;
}

/** Per-file token storage, so that no other file's sessions share the library's module-level one. */
function memoryStorage(): ICognitoStorage {
  const items = new Map<string, string>();
  return {
    setItem: (key, value) => void items.set(key, value),
    getItem: (key) => items.get(key) ?? null,
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
  };
}

/** Adapts a Node-style callback to a promise. */
function callback<T>(run: (done: (err: Error | null | undefined, result?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    run((err, result) => (err ? reject(err) : resolve(result as T)));
  });
}

/** Awaits `promise`, expecting the client to report `code` (as both `code` and `name`). */
async function fails(promise: Promise<unknown>, code: string, message?: string): Promise<ClientError> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as ClientError | undefined;
  assert.ok(error, `expected ${code}, but the call succeeded`);
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  assert.equal(error.name, code);
  if (message !== undefined) assert.equal(error.message, message);
  return error;
}

describe('emulator: the account lifecycle with amazon-cognito-identity-js', () => {
  let pool: TestPool;
  let userPool: CognitoUserPool;
  const storage = memoryStorage();

  const emailAttribute = (email: string) => [new CognitoUserAttribute({ Name: 'email', Value: email })];
  const signUp = (username: string, password = PASSWORD, email = `${username}@example.com`) =>
    callback<ISignUpResult>((done) => userPool.signUp(username, password, emailAttribute(email), [], done));
  const userOf = (username: string) => new CognitoUser({ Username: username, Pool: userPool, Storage: storage });
  const confirm = (user: CognitoUser, code: string) => callback<string>((done) => user.confirmRegistration(code, false, done));
  const signIn = (user: CognitoUser, password: string) =>
    new Promise<CognitoUserSession>((resolve, reject) => {
      user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: password }), {
        onSuccess: resolve,
        onFailure: reject,
        newPasswordRequired: () => reject(new Error('unexpected newPasswordRequired')),
        mfaRequired: () => reject(new Error('unexpected mfaRequired')),
        totpRequired: () => reject(new Error('unexpected totpRequired')),
      });
    });
  const attributesOf = async (user: CognitoUser): Promise<Record<string, string>> => {
    const list = await callback<CognitoUserAttribute[]>((done) => user.getUserAttributes(done));
    return Object.fromEntries(list.map((a) => [a.getName(), a.getValue()]));
  };
  /** The code of the last message of `purpose` to `username`. */
  const codeFor = (username: string, purpose: OutboxPurpose): string => {
    const code = pool.emulator.outbox({ username, purpose }).at(-1)?.code;
    assert.ok(code !== undefined, `a ${purpose} code was sent to ${username}`);
    return code;
  };

  before(async () => {
    pool = await startTestPool({ poolOptions: { AutoVerifiedAttributes: ['email'] } });
    userPool = new CognitoUserPool({ UserPoolId: pool.poolId, ClientId: pool.clientId, endpoint: pool.endpoint, Storage: storage });
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  it('signUp, confirmRegistration with the e-mailed code; resendConfirmationCode for another unconfirmed user', async () => {
    const out = await signUp('ann');
    assert.equal(out.userConfirmed, false);
    assert.match(out.userSub, /^[0-9a-f-]{36}$/);
    assert.deepEqual(out.codeDeliveryDetails, { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    assert.equal(out.user.getUsername(), 'ann');
    assert.equal(await confirm(out.user, codeFor('ann', 'SIGN_UP')), 'SUCCESS');

    await signUp('ben');
    const ben = userOf('ben');
    const resent = await callback<{ CodeDeliveryDetails?: unknown }>((done) => ben.resendConfirmationCode(done));
    assert.deepEqual(resent.CodeDeliveryDetails, { Destination: 'b***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    assert.equal(pool.emulator.outbox({ username: 'ben', purpose: 'RESEND_CODE' }).length, 1);
    await confirm(ben, codeFor('ben', 'RESEND_CODE'));
    assert.equal((await signIn(ben, PASSWORD)).getIdToken().payload.email_verified, true);
  });

  it('sign in by SRP, change the e-mail and verify it, change and reset the password, delete the account', async () => {
    const username = 'cai';
    const { user } = await signUp(username);
    await confirm(user, codeFor(username, 'SIGN_UP'));

    // authenticateUser: USER_SRP_AUTH + PASSWORD_VERIFIER by default.
    const session = await signIn(user, PASSWORD);
    assert.equal(session.getIdToken().payload['cognito:username'], username);
    let attributes = await attributesOf(user);
    assert.equal(attributes.email, 'cai@example.com');
    assert.equal(attributes.email_verified, 'true');
    assert.match(attributes.sub, /^[0-9a-f-]{36}$/);

    // updateAttributes: the new e-mail is unverified until its code comes back.
    const updated = await new Promise<{ result: string; details: unknown }>((resolve, reject) => {
      user.updateAttributes(emailAttribute('cai@new.example'), (err, result, details) =>
        err ? reject(err) : resolve({ result: result as string, details }),
      );
    });
    assert.equal(updated.result, 'SUCCESS');
    assert.deepEqual(updated.details, {
      CodeDeliveryDetailsList: [{ Destination: 'c***@n***', DeliveryMedium: 'EMAIL', AttributeName: 'email' }],
    });
    assert.equal(pool.emulator.outbox({ username, purpose: 'UPDATE_ATTRIBUTE' }).at(-1)?.destination, 'cai@new.example');
    attributes = await attributesOf(user);
    assert.equal(attributes.email, 'cai@new.example');
    assert.equal(attributes.email_verified, 'false');
    const delivery = await new Promise<unknown>((resolve, reject) => {
      user.getAttributeVerificationCode('email', {
        onSuccess: () => reject(new Error('expected inputVerificationCode')),
        onFailure: reject,
        inputVerificationCode: resolve,
      });
    });
    assert.deepEqual(delivery, { CodeDeliveryDetails: { Destination: 'c***@n***', DeliveryMedium: 'EMAIL', AttributeName: 'email' } });
    const verifyEmail = (code: string) => new Promise<string>((resolve, reject) => {
      user.verifyAttribute('email', code, { onSuccess: resolve, onFailure: reject });
    });
    const code = codeFor(username, 'VERIFY_ATTRIBUTE');
    await fails(verifyEmail(code === '000000' ? '111111' : '000000'), 'CodeMismatchException', 'Invalid verification code provided, please try again.');
    assert.equal(await verifyEmail(code), 'SUCCESS');
    assert.equal((await attributesOf(user)).email_verified, 'true');

    // changePassword, then only the new password signs in.
    await fails(callback((done) => user.changePassword('Wr0ng-pass!', CHANGED, done)), 'NotAuthorizedException', 'Incorrect username or password.');
    assert.equal(await callback((done) => user.changePassword(PASSWORD, CHANGED, done)), 'SUCCESS');
    await fails(signIn(userOf(username), PASSWORD), 'NotAuthorizedException', 'Incorrect username or password.');
    await signIn(userOf(username), CHANGED);

    // forgotPassword sends the reset code to the newly verified address; confirmPassword sets it.
    const forgot = userOf(username);
    const reset = await new Promise<unknown>((resolve, reject) => {
      forgot.forgotPassword({ onSuccess: resolve, onFailure: reject });
    });
    assert.deepEqual(reset, { CodeDeliveryDetails: { Destination: 'c***@n***', DeliveryMedium: 'EMAIL', AttributeName: 'email' } });
    assert.equal(pool.emulator.outbox({ username, purpose: 'FORGOT_PASSWORD' }).at(-1)?.destination, 'cai@new.example');
    const confirmReset = (resetCode: string, password: string) => new Promise<string>((resolve, reject) => {
      forgot.confirmPassword(resetCode, password, { onSuccess: resolve, onFailure: reject });
    });
    await fails(confirmReset(codeFor(username, 'FORGOT_PASSWORD'), 'weakpassword'), 'InvalidPasswordException',
      'Password did not conform with policy: Password must have uppercase characters');
    assert.equal(await confirmReset(codeFor(username, 'FORGOT_PASSWORD'), RESET), 'SUCCESS');
    await fails(signIn(userOf(username), CHANGED), 'NotAuthorizedException');
    const last = userOf(username);
    await signIn(last, RESET);

    // deleteUser: the client is LEGACY (CreateUserPoolClient's default), so Cognito names the missing user.
    assert.equal(await callback<string>((done) => last.deleteUser(done)), 'SUCCESS');
    await fails(signIn(userOf(username), RESET), 'UserNotFoundException', 'User does not exist.');
  });

  it('after deleteUser, a PreventUserExistenceErrors: ENABLED client answers NotAuthorizedException instead', async () => {
    const prevent = await startTestPool({ clientOptions: { PreventUserExistenceErrors: 'ENABLED' } });
    try {
      await prevent.createUser('dee', PASSWORD);
      const hidden = new CognitoUserPool({
        UserPoolId: prevent.poolId, ClientId: prevent.clientId, endpoint: prevent.endpoint, Storage: storage,
      });
      const dee = (): CognitoUser => new CognitoUser({ Username: 'dee', Pool: hidden, Storage: storage });
      const user = dee();
      await signIn(user, PASSWORD);
      await callback<string>((done) => user.deleteUser(done));
      await fails(signIn(dee(), PASSWORD), 'NotAuthorizedException', 'Incorrect username or password.');
    } finally {
      await prevent.stop();
    }
  });

  it('confirmRegistration with a wrong code: CodeMismatchException', async () => {
    const { user } = await signUp('eli');
    const code = codeFor('eli', 'SIGN_UP');
    await fails(confirm(user, code === '000000' ? '111111' : '000000'), 'CodeMismatchException', 'Invalid verification code provided, please try again.');
    await fails(signIn(userOf('eli'), PASSWORD), 'UserNotConfirmedException', 'User is not confirmed.');
  });

  it('signUp of a taken username: UsernameExistsException', async () => {
    await signUp('fay');
    await fails(signUp('fay'), 'UsernameExistsException', 'User already exists');
  });

  it('signUp with a weak password: InvalidPasswordException with the policy it breaks', async () => {
    await fails(signUp('gus', 'Sh0rt!'), 'InvalidPasswordException', 'Password did not conform with policy: Password not long enough');
    await fails(signUp('gus', 'n0-uppercase!'), 'InvalidPasswordException', 'Password did not conform with policy: Password must have uppercase characters');
    await fails(signUp('gus', 'No-Numbers!'), 'InvalidPasswordException', 'Password did not conform with policy: Password must have numeric characters');
    await fails(signUp('gus', 'N0Symbols'), 'InvalidPasswordException', 'Password did not conform with policy: Password must have symbol characters');
  });

  it('a sign-up code older than 24 hours: ExpiredCodeException; resendConfirmationCode gives a working one', async () => {
    const { user } = await signUp('hal');
    const stale = codeFor('hal', 'SIGN_UP');
    pool.emulator.clock.advance(24 * HOUR + 1000);
    await fails(confirm(user, stale), 'ExpiredCodeException', 'Invalid code provided, please request a code again.');
    await callback((done) => user.resendConfirmationCode(done));
    assert.equal(await confirm(user, codeFor('hal', 'RESEND_CODE')), 'SUCCESS');
  });
});
