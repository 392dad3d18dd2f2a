/**
 * GetTokensFromRefreshToken and refresh-token rotation in the emulator: plain clients get ID and
 * access tokens only; rotating clients get a new refresh token of the same sign-in, the old one
 * works for RetryGracePeriodSeconds, and REFRESH_TOKEN_AUTH is refused for them.
 */
import assert from 'node:assert/strict';
import {
  CreateUserPoolClientCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { claimsOf, rejects, srpLogin } from './helpers';

const PASSWORD = 'Passw0rd!';

describe('emulator: GetTokensFromRefreshToken and rotation', () => {
  let pool: TestPool;
  let rotating: { clientId: string; clientSecret: string };

  const signIn = async (clientId: string, clientSecret?: string): Promise<string> => {
    const out = await srpLogin({ sdk: pool.sdk, poolId: pool.poolId, clientId, ...(clientSecret ? { clientSecret } : {}) }, 'rita', PASSWORD);
    return out.AuthenticationResult!.RefreshToken!;
  };
  const getTokens = (clientId: string, token: string, extra: { ClientSecret?: string; DeviceKey?: string } = {}) =>
    pool.sdk.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: token, ...extra }));

  before(async () => {
    pool = await startTestPool();
    await pool.createUser('rita', PASSWORD);
    const { UserPoolClient } = await pool.sdk.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.poolId, ClientName: 'rotating', GenerateSecret: true, ExplicitAuthFlows: TEST_AUTH_FLOWS as never,
      RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 },
    }));
    rotating = { clientId: UserPoolClient!.ClientId!, clientSecret: UserPoolClient!.ClientSecret! };
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  it('a plain client: new ID and access tokens, no refresh token, same sign-in', async () => {
    const token = await signIn(pool.clientId);
    const out = await getTokens(pool.clientId, token);
    assert.equal(out.AuthenticationResult!.RefreshToken, undefined);
    assert.equal(claimsOf(out.AuthenticationResult!.AccessToken!).username, 'rita');
    await getTokens(pool.clientId, token); // still valid
  });

  it('a rotating client: a new refresh token; the old one works during the grace period only', async () => {
    const first = await signIn(rotating.clientId, rotating.clientSecret);
    const secret = { ClientSecret: rotating.clientSecret };
    const out = await getTokens(rotating.clientId, first, secret);
    const second = out.AuthenticationResult!.RefreshToken!;
    assert.ok(second && second !== first);
    const origin = claimsOf(out.AuthenticationResult!.IdToken!).origin_jti;
    pool.emulator.clock.advance(9_000);
    await getTokens(rotating.clientId, first, secret); // a retry within the grace period
    pool.emulator.clock.advance(2_000);
    await rejects(getTokens(rotating.clientId, first, secret), 'NotAuthorizedException', 'Invalid Refresh Token');
    const third = await getTokens(rotating.clientId, second, secret);
    assert.equal(claimsOf(third.AuthenticationResult!.IdToken!).origin_jti, origin);
    // RevokeToken of the newest ends the whole sign-in.
    const newest = third.AuthenticationResult!.RefreshToken!;
    await pool.sdk.send(new RevokeTokenCommand({ ClientId: rotating.clientId, ClientSecret: rotating.clientSecret, Token: newest }));
    await rejects(getTokens(rotating.clientId, newest, secret), 'NotAuthorizedException', 'Refresh Token has been revoked');
  });

  it('a rotating client refuses REFRESH_TOKEN_AUTH, naming GetTokensFromRefreshToken', async () => {
    const token = await signIn(rotating.clientId, rotating.clientSecret);
    const error = await rejects(pool.sdk.send(new InitiateAuthCommand({
      ClientId: rotating.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token },
    })), 'InvalidParameterException');
    assert.match(error.message, /GetTokensFromRefreshToken/);
  });

  it('checks the client secret, the client and the token', async () => {
    const token = await signIn(rotating.clientId, rotating.clientSecret);
    await rejects(getTokens(rotating.clientId, token), 'NotAuthorizedException', /ClientSecret was not received/);
    await rejects(getTokens(rotating.clientId, token, { ClientSecret: 'wrong' }), 'NotAuthorizedException');
    await rejects(getTokens(pool.clientId, token), 'NotAuthorizedException', 'Invalid Refresh Token');
    await rejects(getTokens(pool.clientId, 'garbage'), 'NotAuthorizedException', 'Invalid Refresh Token');
    await rejects(getTokens(pool.clientId, await signIn(pool.clientId), { ClientSecret: 'x' }), 'InvalidParameterException');
    pool.emulator.clock.advance(31 * 86400 * 1000);
    await rejects(getTokens(rotating.clientId, token, { ClientSecret: rotating.clientSecret }), 'NotAuthorizedException', 'Refresh Token has expired');
  });
});
