/**
 * Tokens from the emulator: RS256 under a per-pool key published in the JWKS, Cognito's claims,
 * refresh without a new refresh token, GetUser's checks, expiry by the emulator clock, key rotation.
 */
import assert from 'node:assert/strict';
import {
  GetUserCommand,
  InitiateAuthCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startTestPool, type TestPool } from '../support/pool';
import { claimsOf, rejects } from './helpers';

describe('emulator: tokens', () => {
  let pool: TestPool;
  let issuer: string;

  const login = async (username = 'alice'): Promise<AuthenticationResultType> => {
    const out = await pool.sdk.send(
      new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: 'Passw0rd!' } }),
    );
    return out.AuthenticationResult!;
  };
  const refresh = (token: string) =>
    pool.sdk.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token } }));
  const jwks = () => createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`), { cooldownDuration: 0 });

  before(async () => {
    pool = await startTestPool();
    issuer = pool.emulator.issuer(pool.poolId);
    await pool.createUser('alice', 'Passw0rd!', {
      groups: ['admin', 'staff'],
      attributes: { email: 'alice@example.com', email_verified: 'true', phone_number: '+15555550100', name: 'Alice' },
    });
    await pool.createUser('bob', 'Passw0rd!');
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  it('ID and access tokens verify with jose against the emulator JWKS and issuer', async () => {
    const tokens = await login();
    const keys = jwks();
    const id = await jwtVerify(tokens.IdToken!, keys, { issuer, audience: pool.clientId });
    const access = await jwtVerify(tokens.AccessToken!, keys, { issuer });
    assert.equal(id.protectedHeader.alg, 'RS256');
    assert.equal(typeof id.protectedHeader.kid, 'string');
    assert.equal(issuer, `${pool.endpoint}/${pool.poolId}`);
    assert.equal(access.payload.token_use, 'access');
  });

  it('carries Cognito ID token claims', async () => {
    const tokens = await login();
    const id = claimsOf(tokens.IdToken!);
    assert.equal(id.token_use, 'id');
    assert.equal(id.aud, pool.clientId);
    assert.equal(id['cognito:username'], 'alice');
    assert.equal(id.email, 'alice@example.com');
    assert.equal(id.email_verified, true);
    assert.equal(id.phone_number, '+15555550100');
    assert.equal(id.name, 'Alice');
    assert.deepEqual(id['cognito:groups'], ['admin', 'staff']);
    assert.match(String(id.sub), /^[0-9a-f-]{36}$/);
    for (const claim of ['auth_time', 'iat', 'exp']) assert.equal(typeof id[claim], 'number');
    for (const claim of ['jti', 'origin_jti', 'event_id']) assert.equal(typeof id[claim], 'string');
    assert.equal((id.exp as number) - (id.iat as number), 3600);
  });

  it('carries Cognito access token claims (client_id, no aud, scope, username)', async () => {
    const tokens = await login();
    const access = claimsOf(tokens.AccessToken!);
    const id = claimsOf(tokens.IdToken!);
    assert.equal(access.aud, undefined);
    assert.equal(access.client_id, pool.clientId);
    assert.equal(access.scope, 'aws.cognito.signin.user.admin');
    assert.equal(access.username, 'alice');
    assert.equal(access.sub, id.sub);
    assert.equal(access.origin_jti, id.origin_jti);
    assert.notEqual(access.jti, id.jti);
    assert.deepEqual(access['cognito:groups'], ['admin', 'staff']);
    assert.equal(tokens.ExpiresIn, 3600);
    assert.equal(tokens.TokenType, 'Bearer');
  });

  it('leaves cognito:groups out for a user in no group and the e-mail claims for a user without e-mail', async () => {
    const id = claimsOf((await login('bob')).IdToken!);
    assert.equal('cognito:groups' in id, false);
    assert.equal('email' in id, false);
  });

  it('refresh returns new ID and access tokens of the same sign-in, without a refresh token', async () => {
    const first = await login();
    pool.emulator.clock.advance(10 * 60 * 1000);
    const { AuthenticationResult: renewed } = await refresh(first.RefreshToken!);
    assert.equal(renewed?.RefreshToken, undefined);
    const before = claimsOf(first.AccessToken!);
    const after = claimsOf(renewed!.AccessToken!);
    assert.equal(after.origin_jti, before.origin_jti);
    assert.equal(after.auth_time, before.auth_time);
    assert.ok((after.iat as number) >= (before.iat as number) + 600);
  });

  it('refuses an unknown refresh token and one that expired by the emulator clock', async () => {
    await rejects(refresh('not-a-token'), 'NotAuthorizedException', 'Invalid Refresh Token');
    const tokens = await login();
    pool.emulator.clock.advance(30 * 86400 * 1000 + 1000);
    await rejects(refresh(tokens.RefreshToken!), 'NotAuthorizedException', 'Refresh Token has expired');
  });

  it('GetUser accepts a fresh access token and refuses it once expired by the emulator clock', async () => {
    const tokens = await login();
    const user = await pool.sdk.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    assert.equal(user.Username, 'alice');
    assert.ok(user.UserAttributes!.some((a) => a.Name === 'email' && a.Value === 'alice@example.com'));
    pool.emulator.clock.advance(60 * 60 * 1000);
    await rejects(pool.sdk.send(new GetUserCommand({ AccessToken: tokens.AccessToken })), 'NotAuthorizedException', 'Access Token has expired');
  });

  it('GetUser refuses an ID token, a tampered token and garbage as "Invalid Access Token"', async () => {
    const tokens = await login();
    const [h, , s] = tokens.AccessToken!.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claimsOf(tokens.AccessToken!), username: 'bob' })).toString('base64url');
    for (const token of [tokens.IdToken!, `${h}.${forged}.${s}`, 'garbage']) {
      await rejects(pool.sdk.send(new GetUserCommand({ AccessToken: token })), 'NotAuthorizedException', 'Invalid Access Token');
    }
  });

  it('honours the client token validity (units in minutes)', async () => {
    const short = await startTestPool({ accessTokenValidityMinutes: 5 });
    try {
      await short.createUser('carol', 'Passw0rd!');
      const out = await short.sdk.send(
        new InitiateAuthCommand({ ClientId: short.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'carol', PASSWORD: 'Passw0rd!' } }),
      );
      assert.equal(out.AuthenticationResult!.ExpiresIn, 300);
      const access = claimsOf(out.AuthenticationResult!.AccessToken!);
      assert.equal((access.exp as number) - (access.iat as number), 300);
    } finally {
      await short.stop();
    }
  });

  it('rotateSigningKey: new tokens use the new kid; the old key stays published until retired', async () => {
    const before = await login();
    const oldKid = decodeProtectedHeader(before.AccessToken!).kid;
    const newKid = pool.emulator.rotateSigningKey(pool.poolId);
    assert.notEqual(newKid, oldKid);
    const after = await login();
    assert.equal(decodeProtectedHeader(after.AccessToken!).kid, newKid);
    await jwtVerify(before.AccessToken!, jwks(), { issuer });
    await jwtVerify(after.AccessToken!, jwks(), { issuer });
    await pool.sdk.send(new GetUserCommand({ AccessToken: before.AccessToken }));

    const retiredKid = pool.emulator.rotateSigningKey(pool.poolId, { retireOld: true });
    const doc = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; kty: string; use: string; alg: string; n: string; e: string }> };
    assert.deepEqual(doc.keys.map((k) => k.kid), [retiredKid]);
    assert.deepEqual(Object.keys(doc.keys[0]).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    await assert.rejects(jwtVerify(before.AccessToken!, jwks(), { issuer }));
    await rejects(pool.sdk.send(new GetUserCommand({ AccessToken: before.AccessToken })), 'NotAuthorizedException', 'Invalid Access Token');
  });

  it('rotateSigningKey throws a TypeError for an unknown pool', () => {
    assert.throws(() => pool.emulator.rotateSigningKey('us-east-1_nope'), TypeError);
  });

  it('serves the OpenID configuration with issuer and jwks_uri', async () => {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { issuer: string; jwks_uri: string };
    assert.equal(doc.issuer, issuer);
    assert.equal(doc.jwks_uri, `${issuer}/.well-known/jwks.json`);
  });

  it('answers 404 JSON for the JWKS of an unknown pool', async () => {
    const res = await fetch(`${pool.endpoint}/us-east-1_nope/.well-known/jwks.json`);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { message: string }).message, /does not exist/);
  });
});
