/**
 * The `Cognito` class, part 3: checkToken / renewAccessToken (plain, rotating told and detected,
 * with a secret, single-flight), refused refresh tokens, logout and revokeToken.
 */
import assert from 'node:assert/strict';
import { GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { RefreshTokenRejectedError } from '../../lib/errors';
import { startTestPool, type TestPool } from '../support/pool';
import { cognitoFor, extraPool, newUser, PASSWORD, rejectsWithCode } from '../support/cognito-user';

const HOUR = 60 * 60 * 1000;

describe('Cognito: renewal, logout, revocation', () => {
  let pool: TestPool;
  let rotating: TestPool;
  let rotatingWithSecret: TestPool;

  before(async () => {
    pool = await startTestPool();
    const rotation = { RefreshTokenRotation: { Feature: 'ENABLED' as const, RetryGracePeriodSeconds: 0 } };
    rotating = await extraPool(pool, { clientOptions: rotation });
    rotatingWithSecret = await extraPool(pool, { generateSecret: true, clientOptions: rotation });
  });
  after(() => pool.stop());
  afterEach(() => {
    pool.emulator.clock.reset();
    pool.emulator.clearFaults();
  });

  it('checkToken: false while valid (no call), true once expired, and renews', async () => {
    const { cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const { accessToken, idToken, refreshToken } = cognito;
    pool.emulator.resetCalls();
    assert.equal(await cognito.checkToken(), false);
    assert.equal(pool.emulator.calls(), 0);
    pool.emulator.clock.advance(HOUR);
    assert.equal(await cognito.checkToken(false), true);
    assert.equal(cognito.accessToken, accessToken, 'renew = false leaves the tokens');
    assert.equal(await cognito.checkToken(), true);
    assert.notEqual(cognito.accessToken, accessToken);
    assert.notEqual(cognito.idToken, idToken);
    assert.equal(cognito.refreshToken, refreshToken, 'a plain client keeps its refresh token');
    assert.equal(cognito.expiresAt, cognito.accessClaims!.exp * 1000);
    assert.ok(cognito.expiresAt > pool.emulator.clock.now());
    assert.equal(pool.emulator.calls('InitiateAuth'), 1);
    assert.equal(await cognito.checkToken(), false);
  });

  it('renewAccessToken: concurrent calls share one request', async () => {
    const { cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    pool.emulator.resetCalls();
    pool.emulator.clock.advance(HOUR);
    await Promise.all([...Array.from({ length: 5 }, () => cognito.renewAccessToken()), cognito.checkToken()]);
    assert.equal(pool.emulator.calls('InitiateAuth'), 1);
    assert.equal(await cognito.checkToken(), false);
  });

  it('renews a restored session (refresh token and ID token only)', async () => {
    const { username, cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const restored = cognitoFor(pool, { refreshToken: cognito.refreshToken!, idToken: cognito.idToken! });
    await restored.renewAccessToken();
    assert.equal(restored.accessClaims?.username, username);
  });

  it('a rotating client (refreshTokenRotation: true): GetTokensFromRefreshToken, the new refresh token is kept', async () => {
    const { cognito } = await newUser(rotating, { refreshTokenRotation: true });
    await cognito.authenticate(PASSWORD);
    const first = cognito.refreshToken;
    pool.emulator.resetCalls();
    await cognito.renewAccessToken();
    assert.equal(pool.emulator.calls('InitiateAuth'), 0);
    assert.equal(pool.emulator.calls('GetTokensFromRefreshToken'), 1);
    assert.notEqual(cognito.refreshToken, first);
    await cognito.renewAccessToken(); // the new one works; the old one (no grace period) would not
    const stale = cognitoFor(rotating, { refreshToken: first!, refreshTokenRotation: true });
    await rejectsWithCode(stale.renewAccessToken(), 'ERR_COGNITO_REFRESH_REJECTED');
  });

  it('a rotating client is detected from Cognito refusing REFRESH_TOKEN_AUTH, then used directly', async () => {
    const { cognito } = await newUser(rotating);
    await cognito.authenticate(PASSWORD);
    const first = cognito.refreshToken;
    pool.emulator.resetCalls();
    await cognito.renewAccessToken();
    assert.equal(pool.emulator.calls('InitiateAuth'), 1);
    assert.equal(pool.emulator.calls('GetTokensFromRefreshToken'), 1);
    assert.notEqual(cognito.refreshToken, first);
    pool.emulator.resetCalls();
    await cognito.renewAccessToken();
    assert.equal(pool.emulator.calls('InitiateAuth'), 0);
    assert.equal(pool.emulator.calls('GetTokensFromRefreshToken'), 1);
  });

  it('a rotating client with a secret: ClientSecret sent as is', async () => {
    const { cognito } = await newUser(rotatingWithSecret, { refreshTokenRotation: true });
    await cognito.authenticate(PASSWORD);
    const first = cognito.refreshToken;
    await cognito.renewAccessToken();
    assert.notEqual(cognito.refreshToken, first);
  });

  it('a refused refresh token clears the tokens and raises ERR_COGNITO_REFRESH_REJECTED', async () => {
    const { cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const bad = cognitoFor(pool, { refreshToken: 'not-a-refresh-token', accessToken: cognito.accessToken!, idToken: cognito.idToken! });
    const error = await rejectsWithCode(bad.renewAccessToken(), 'ERR_COGNITO_REFRESH_REJECTED');
    assert.ok(error instanceof RefreshTokenRejectedError);
    assert.equal(error.status, 401);
    assert.deepEqual(
      [bad.idToken, bad.accessToken, bad.refreshToken, bad.idClaims, bad.expiresAt],
      [undefined, undefined, undefined, undefined, undefined],
    );
    await assert.rejects(bad.checkToken(), TypeError);
  });

  it('logout: GlobalSignOut ends every refresh token of the user, then clears the tokens', async () => {
    const { cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const { accessToken, refreshToken } = cognito;
    const otherDevice = cognitoFor(pool, { refreshToken: refreshToken! });
    await cognito.logout();
    assert.deepEqual([cognito.accessToken, cognito.refreshToken, cognito.tokenType], [undefined, undefined, undefined]);
    await assert.rejects(pool.sdk.send(new GetUserCommand({ AccessToken: accessToken! })), /revoked/);
    await rejectsWithCode(otherDevice.renewAccessToken(), 'ERR_COGNITO_REFRESH_REJECTED');
    // Signing out again with the revoked token fails and keeps what it has.
    const again = cognitoFor(pool, { accessToken: accessToken! });
    await rejectsWithCode(again.logout(), 'ERR_COGNITO_NOT_AUTHORIZED');
    assert.equal(again.accessToken, accessToken);
  });

  it('revokeToken: RevokeToken of the refresh token ends this sign-in only', async () => {
    const { username, cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const second = cognitoFor(pool, { username });
    await second.authenticate(PASSWORD);
    const { refreshToken } = cognito;
    await cognito.revokeToken();
    assert.equal(cognito.refreshToken, undefined);
    await rejectsWithCode(cognitoFor(pool, { refreshToken: refreshToken! }).renewAccessToken(), 'ERR_COGNITO_REFRESH_REJECTED');
    await second.renewAccessToken();
  });
});
