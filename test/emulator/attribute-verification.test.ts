/**
 * A signed-in user's own account against the emulator with the real SDK: GetUser (every attribute),
 * UpdateUserAttributes (unverified e-mail and a code, deletion, custom attributes, immutable sub,
 * WriteAttributes, keep-until-verified), GetUserAttributeVerificationCode, VerifyUserAttribute
 * (aliases, expiry, limits), ChangePassword's policy, and DeleteUser (refresh tokens revoked).
 */
import assert from 'node:assert/strict';
import {
  ChangePasswordCommand,
  DeleteUserCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  InitiateAuthCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestPool, type TestPool } from '../support/pool';
import { rejects } from './helpers';

const PASSWORD = 'Passw0rd!';
const HOUR = 3600 * 1000;

function lastCode(pool: TestPool, username: string): string {
  const code = pool.emulator.outbox({ username }).at(-1)?.code;
  assert.ok(code !== undefined, `a code was sent to ${username}`);
  return code;
}

describe('emulator: user attributes and account deletion', () => {
  let pool: TestPool;

  const signIn = async (username: string, target: TestPool = pool) => {
    const out = await target.sdk.send(new InitiateAuthCommand({
      ClientId: target.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD },
    }));
    return out.AuthenticationResult!;
  };
  const attributes = async (AccessToken: string, target: TestPool = pool): Promise<Record<string, string | undefined>> => {
    const out = await target.sdk.send(new GetUserCommand({ AccessToken }));
    return Object.fromEntries((out.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
  };
  const update = (AccessToken: string, values: Record<string, string>, target: TestPool = pool) =>
    target.sdk.send(new UpdateUserAttributesCommand({
      AccessToken, UserAttributes: Object.entries(values).map(([Name, Value]): AttributeType => ({ Name, Value })),
    }));
  const verify = (AccessToken: string, Code: string, AttributeName = 'email', target: TestPool = pool) =>
    target.sdk.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName, Code }));
  const requestCode = (AccessToken: string, AttributeName = 'email', target: TestPool = pool) =>
    target.sdk.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName }));
  const verified = (name: string, extra: Record<string, string> = {}) => ({
    attributes: { email: `${name}@example.com`, email_verified: 'true', ...extra },
  });

  before(async () => {
    pool = await startTestPool({ aliasAttributes: ['email'], poolOptions: { AutoVerifiedAttributes: ['email'] } });
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  it('GetUser returns every attribute, sub first', async () => {
    await pool.createUser('ann', PASSWORD, verified('ann', { given_name: 'Ann', 'custom:team': 'blue', phone_number: '+15555550100' }));
    const out = await pool.sdk.send(new GetUserCommand({ AccessToken: (await signIn('ann')).AccessToken }));
    assert.equal(out.Username, 'ann');
    assert.equal(out.UserAttributes?.[0]?.Name, 'sub');
    assert.deepEqual(
      Object.fromEntries((out.UserAttributes ?? []).slice(1).map((a) => [a.Name, a.Value])),
      { email: 'ann@example.com', email_verified: 'true', given_name: 'Ann', 'custom:team': 'blue', phone_number: '+15555550100' },
    );
  });

  it('a new e-mail becomes unverified and is sent a code; VerifyUserAttribute verifies it', async () => {
    await pool.createUser('ben', PASSWORD, verified('ben'));
    const { AccessToken } = await signIn('ben');
    const out = await update(AccessToken!, { email: 'ben@new.example', given_name: 'Ben' });
    assert.deepEqual(out.CodeDeliveryDetailsList, [{ Destination: 'b***@n***', DeliveryMedium: 'EMAIL', AttributeName: 'email' }]);
    const message = pool.emulator.outbox({ username: 'ben' }).at(-1);
    assert.equal(message?.purpose, 'UPDATE_ATTRIBUTE');
    assert.equal(message?.destination, 'ben@new.example');
    let now = await attributes(AccessToken!);
    assert.equal(now.email, 'ben@new.example');
    assert.equal(now.email_verified, 'false');
    assert.equal(now.given_name, 'Ben');
    await rejects(verify(AccessToken!, '000000'), 'CodeMismatchException', 'Invalid verification code provided, please try again.');
    assert.deepEqual(await verify(AccessToken!, lastCode(pool, 'ben')).then(({ $metadata: _m, ...rest }) => rest), {});
    now = await attributes(AccessToken!);
    assert.equal(now.email_verified, 'true');
    await rejects(verify(AccessToken!, lastCode(pool, 'ben')), 'ExpiredCodeException', 'Invalid code provided, please request a code again.');
  });

  it('an empty value deletes an attribute; custom attributes need custom:; sub cannot change', async () => {
    await pool.createUser('cai', PASSWORD, verified('cai', { given_name: 'Cai', 'custom:team': 'red' }));
    const { AccessToken } = await signIn('cai');
    const out = await update(AccessToken!, { given_name: '', 'custom:team': '' });
    assert.equal(out.CodeDeliveryDetailsList, undefined);
    const now = await attributes(AccessToken!);
    assert.equal(now.given_name, undefined);
    assert.equal(now['custom:team'], undefined);
    assert.equal(now.email_verified, 'true', 'untouched');
    await rejects(update(AccessToken!, { team: 'blue' }), 'InvalidParameterException', 'Attributes did not conform to the schema: team: Attribute does not exist in the schema.');
    await rejects(update(AccessToken!, { sub: 'mine' }), 'InvalidParameterException', 'Cannot modify an already provided sub attribute');
    await rejects(update(AccessToken!, { email: 'nope' }), 'InvalidParameterException', 'Invalid email address format.');
    await update(AccessToken!, { 'custom:team': 'blue' });
    assert.equal((await attributes(AccessToken!))['custom:team'], 'blue');
  });

  it('GetUserAttributeVerificationCode sends a new code (24 h, replaces the old, at most 5 an hour)', async () => {
    await pool.createUser('dee', PASSWORD, { attributes: { email: 'dee@example.com' } });
    const { AccessToken } = await signIn('dee');
    const out = await requestCode(AccessToken!);
    assert.deepEqual(out.CodeDeliveryDetails, { Destination: 'd***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const message = pool.emulator.outbox({ username: 'dee' }).at(-1);
    assert.equal(message?.purpose, 'VERIFY_ATTRIBUTE');
    assert.equal(message?.message, `Your verification code is ${message?.code}. `);
    pool.emulator.clock.advance(24 * HOUR + 1000);
    const fresh = (await signIn('dee')).AccessToken!;
    await rejects(verify(fresh, lastCode(pool, 'dee')), 'ExpiredCodeException');
    // The first request is a day old: five more fit in the hour, the sixth does not.
    for (let i = 0; i < 5; i++) await requestCode(fresh);
    await rejects(requestCode(fresh), 'LimitExceededException', 'Attempt limit exceeded, please try after some time.');
    await verify(fresh, lastCode(pool, 'dee'));
    assert.equal((await attributes(fresh)).email_verified, 'true');
    await rejects(requestCode(fresh, 'phone_number'), 'InvalidParameterException', 'User does not have the attribute phone_number.');
    await rejects(requestCode(fresh, 'given_name'), 'InvalidParameterException');
  });

  it('a verified e-mail already held by another account: AliasExistsException on verification', async () => {
    await pool.createUser('eli', PASSWORD, verified('eli'));
    await pool.createUser('fay', PASSWORD, verified('fay'));
    const { AccessToken } = await signIn('fay');
    await update(AccessToken!, { email: 'eli@example.com' });
    await rejects(verify(AccessToken!, lastCode(pool, 'fay')), 'AliasExistsException', 'An account with the email already exists.');
    assert.equal((await attributes(AccessToken!)).email_verified, 'false');
  });

  it('AttributesRequireVerificationBeforeUpdate: the verified old e-mail stays until the new one is verified', async () => {
    const keep = await startTestPool({
      poolOptions: {
        AutoVerifiedAttributes: ['email'],
        UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      },
    });
    try {
      await keep.createUser('gus', PASSWORD, verified('gus'));
      const { AccessToken } = await signIn('gus', keep);
      const out = await update(AccessToken!, { email: 'gus@new.example' }, keep);
      assert.equal(out.CodeDeliveryDetailsList?.[0]?.Destination, 'g***@n***');
      assert.equal(keep.emulator.outbox({ username: 'gus' }).at(-1)?.destination, 'gus@new.example');
      let now = await attributes(AccessToken!, keep);
      assert.equal(now.email, 'gus@example.com');
      assert.equal(now.email_verified, 'true');
      await requestCode(AccessToken!, 'email', keep);
      assert.equal(keep.emulator.outbox({ username: 'gus' }).at(-1)?.destination, 'gus@new.example', 'a new code goes to the pending value');
      await verify(AccessToken!, lastCode(keep, 'gus'), 'email', keep);
      now = await attributes(AccessToken!, keep);
      assert.equal(now.email, 'gus@new.example');
      assert.equal(now.email_verified, 'true');
    } finally {
      await keep.stop();
    }
  });

  it('an e-mail that is not auto-verified becomes unverified without a code; WriteAttributes is enforced', async () => {
    const plain = await startTestPool({ clientOptions: { WriteAttributes: ['email', 'given_name'] } });
    try {
      await plain.createUser('hal', PASSWORD, verified('hal'));
      const { AccessToken } = await signIn('hal', plain);
      const out = await update(AccessToken!, { email: 'hal@new.example' }, plain);
      assert.equal(out.CodeDeliveryDetailsList, undefined);
      assert.equal(plain.emulator.outbox().length, 0);
      assert.equal((await attributes(AccessToken!, plain)).email_verified, 'false');
      await rejects(update(AccessToken!, { email_verified: 'true' }, plain), 'NotAuthorizedException', 'A client attempted to write unauthorized attribute');
      await rejects(update(AccessToken!, { family_name: 'X' }, plain), 'NotAuthorizedException', 'A client attempted to write unauthorized attribute');
    } finally {
      await plain.stop();
    }
  });

  it('with e-mail as username, a new e-mail another user signs in with: AliasExistsException', async () => {
    const byEmail = await startTestPool({ usernameAttributes: ['email'], poolOptions: { AutoVerifiedAttributes: ['email'] } });
    try {
      await byEmail.createUser('ivy@example.com', PASSWORD);
      await byEmail.createUser('jo@example.com', PASSWORD);
      const { AccessToken } = await signIn('jo@example.com', byEmail);
      await rejects(update(AccessToken!, { email: 'IVY@example.com' }, byEmail), 'AliasExistsException', 'An account with the given email already exists.');
    } finally {
      await byEmail.stop();
    }
  });

  it('ChangePassword checks the policy with the user-facing wording', async () => {
    await pool.createUser('kim', PASSWORD);
    const { AccessToken } = await signIn('kim');
    await rejects(
      pool.sdk.send(new ChangePasswordCommand({ AccessToken, PreviousPassword: PASSWORD, ProposedPassword: 'alllowercase1!' })),
      'InvalidPasswordException',
      'Password did not conform with policy: Password must have uppercase characters',
    );
  });

  it('DeleteUser removes the account and revokes its refresh tokens', async () => {
    await pool.createUser('lee', PASSWORD, verified('lee'));
    const first = await signIn('lee');
    const second = await signIn('lee');
    await pool.sdk.send(new DeleteUserCommand({ AccessToken: second.AccessToken }));
    for (const tokens of [first, second]) {
      await rejects(
        pool.sdk.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! } })),
        'NotAuthorizedException',
        'Refresh Token has been revoked',
      );
    }
    await rejects(pool.sdk.send(new GetUserCommand({ AccessToken: first.AccessToken })), 'NotAuthorizedException', 'Access Token has been revoked');
    await rejects(
      pool.sdk.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'lee', PASSWORD } })),
      'UserNotFoundException',
    );
    await rejects(pool.sdk.send(new DeleteUserCommand({ AccessToken: 'nope' })), 'NotAuthorizedException', 'Invalid Access Token');
    await pool.createUser('lee', PASSWORD);
    assert.ok((await signIn('lee')).AccessToken, 'the name can be used again');
  });
});
