/**
 * Ending sign-ins: GlobalSignOut and AdminUserGlobalSignOut end every sign-in of the user;
 * RevokeToken ends one. Afterwards GetUser and refresh are refused as by Cognito.
 */
import assert from 'node:assert/strict';
import {
  AdminUserGlobalSignOutCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { secretHash } from '../../lib/secret-hash';
import { startTestPool, type TestPool } from '../support/pool';
import { rejects } from './helpers';

describe('emulator: sign-out and revocation', () => {
  let pool: TestPool;

  const login = async (username: string, target: TestPool = pool): Promise<AuthenticationResultType> => {
    const hash: Record<string, string> = target.clientSecret
      ? { SECRET_HASH: secretHash(username, target.clientId, target.clientSecret) }
      : {};
    const out = await target.sdk.send(
      new InitiateAuthCommand({ ClientId: target.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: 'Passw0rd!', ...hash } }),
    );
    return out.AuthenticationResult!;
  };
  const getUser = (tokens: AuthenticationResultType, target: TestPool = pool) =>
    target.sdk.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
  const refresh = (tokens: AuthenticationResultType) =>
    pool.sdk.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! } }));

  before(async () => {
    pool = await startTestPool();
    for (const name of ['alice', 'bob', 'carol', 'dan']) await pool.createUser(name, 'Passw0rd!');
  });
  after(() => pool.stop());

  it('GlobalSignOut revokes every sign-in of the user: GetUser and refresh are refused', async () => {
    const one = await login('alice');
    const two = await login('alice');
    const other = await login('bob');
    await pool.sdk.send(new GlobalSignOutCommand({ AccessToken: one.AccessToken }));
    for (const tokens of [one, two]) {
      await rejects(getUser(tokens), 'NotAuthorizedException', 'Access Token has been revoked');
      await rejects(refresh(tokens), 'NotAuthorizedException', 'Refresh Token has been revoked');
    }
    assert.equal((await getUser(other)).Username, 'bob');
    const fresh = await login('alice');
    assert.equal((await getUser(fresh)).Username, 'alice');
  });

  it('GlobalSignOut with a revoked or invalid token is refused', async () => {
    const tokens = await login('carol');
    await pool.sdk.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken }));
    await rejects(pool.sdk.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken })), 'NotAuthorizedException', 'Access Token has been revoked');
    await rejects(pool.sdk.send(new GlobalSignOutCommand({ AccessToken: 'x.y.z' })), 'NotAuthorizedException', 'Invalid Access Token');
  });

  it('AdminUserGlobalSignOut revokes every sign-in; unknown users are UserNotFoundException', async () => {
    const tokens = await login('bob');
    await pool.sdk.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool.poolId, Username: 'bob' }));
    await rejects(getUser(tokens), 'NotAuthorizedException', 'Access Token has been revoked');
    await rejects(pool.sdk.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool.poolId, Username: 'ghost' })), 'UserNotFoundException');
  });

  it('RevokeToken ends one sign-in (its refresh token and access tokens), not the others', async () => {
    const one = await login('dan');
    const two = await login('dan');
    const renewed = (await refresh(one)).AuthenticationResult!;
    await pool.sdk.send(new RevokeTokenCommand({ ClientId: pool.clientId, Token: one.RefreshToken }));
    await rejects(getUser(one), 'NotAuthorizedException', 'Access Token has been revoked');
    await rejects(getUser(renewed), 'NotAuthorizedException', 'Access Token has been revoked');
    await rejects(refresh(one), 'NotAuthorizedException', 'Refresh Token has been revoked');
    assert.equal((await getUser(two)).Username, 'dan');
    assert.ok((await refresh(two)).AuthenticationResult);
  });

  it('RevokeToken refuses an access token (UnsupportedTokenTypeException)', async () => {
    const tokens = await login('dan');
    await rejects(pool.sdk.send(new RevokeTokenCommand({ ClientId: pool.clientId, Token: tokens.AccessToken })), 'UnsupportedTokenTypeException');
  });

  it('RevokeToken needs the client secret of a client that has one', async () => {
    const secretPool = await startTestPool({ generateSecret: true });
    try {
      await secretPool.createUser('erin', 'Passw0rd!');
      const tokens = await login('erin', secretPool);
      await rejects(
        secretPool.sdk.send(new RevokeTokenCommand({ ClientId: secretPool.clientId, Token: tokens.RefreshToken })),
        'UnauthorizedException',
      );
      await rejects(
        secretPool.sdk.send(new RevokeTokenCommand({ ClientId: secretPool.clientId, ClientSecret: 'x'.repeat(51), Token: tokens.RefreshToken })),
        'UnauthorizedException',
      );
      await secretPool.sdk.send(
        new RevokeTokenCommand({ ClientId: secretPool.clientId, ClientSecret: secretPool.clientSecret, Token: tokens.RefreshToken }),
      );
      await rejects(getUser(tokens, secretPool), 'NotAuthorizedException', 'Access Token has been revoked');
    } finally {
      await secretPool.stop();
    }
  });

  it('RevokeToken is UnsupportedOperationException when the client disabled token revocation', async () => {
    const noRevoke = await startTestPool({ clientOptions: { EnableTokenRevocation: false } });
    try {
      await noRevoke.createUser('fay', 'Passw0rd!');
      const tokens = await login('fay', noRevoke);
      await rejects(
        noRevoke.sdk.send(new RevokeTokenCommand({ ClientId: noRevoke.clientId, Token: tokens.RefreshToken })),
        'UnsupportedOperationException',
      );
    } finally {
      await noRevoke.stop();
    }
  });
});
