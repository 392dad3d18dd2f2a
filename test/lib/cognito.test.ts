/**
 * The `Cognito` class, part 1: construction, SRP and admin sign-in, token verification, keys,
 * session switching, and service errors — through the real AWS SDK against the emulator.
 */
import assert from 'node:assert/strict';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeProtectedHeader } from 'jose';
import { Cognito } from '../../lib/cognito';
import { AuthenticationFailedError } from '../../lib/errors';
import { secretHash } from '../../lib/secret-hash';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { cognitoFor, newUser, PASSWORD, rejectsWithCode, rejectsWithTypeError, uniqueName } from '../support/cognito-user';

const POOL = 'eu-west-1_AbC123';

function tamper(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(claims);
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
}

describe('Cognito: construction', () => {
  it('does no I/O and resolves region, issuer and options', () => {
    const u = new Cognito(POOL, 'client1', { username: 'bob', endpoint: 'http://127.0.0.1:1', env: {} });
    assert.equal(u.userPoolId, POOL);
    assert.equal(u.clientId, 'client1');
    assert.equal(u.username, 'bob');
    assert.equal(u.config.region, 'eu-west-1');
    assert.equal(u.config.issuer, `http://127.0.0.1:1/${POOL}`);
    assert.equal(u.accessToken, undefined);
    assert.equal(u.tokenType, undefined);
    assert.equal(new Cognito(POOL, 'c', { env: { AWS_REGION: 'us-west-2' } }).config.region, 'us-west-2');
    assert.equal(new Cognito(POOL, 'c', { region: 'ap-south-1', env: { AWS_REGION: 'us-west-2' } }).config.region, 'ap-south-1');
    assert.equal(new Cognito(POOL, 'c', { env: {} }).config.issuer, `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`);
  });

  it('takes pool and client from the environment, and restores saved tokens', () => {
    const u = new Cognito(undefined, undefined, {
      env: { COGNITO_USER_POOL_ID: POOL, COGNITO_CLIENT_ID: 'envclient' }, idToken: 'i', accessToken: 'a', refreshToken: 'r',
    });
    assert.equal(u.clientId, 'envclient');
    assert.deepEqual([u.idToken, u.accessToken, u.refreshToken, u.tokenType], ['i', 'a', 'r', 'Bearer']);
  });

  it('refuses bad options with a TypeError naming the option', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => new Cognito('nope', 'c', { env: {} }), /"userPoolId"/],
      [() => new Cognito(undefined, 'c', { env: {} }), /"userPoolId"/],
      [() => new Cognito(POOL, '', { env: {} }), /"clientId"/],
      [() => new Cognito(POOL, 'c', { username: '', env: {} }), /"username"/],
      [() => new Cognito(POOL, 'c', { accessToken: 42 as never, env: {} }), /"accessToken"/],
      [() => new Cognito(POOL, 'c', { deviceKey: 'k', env: {} }), /"deviceKey", "deviceGroupKey" and "devicePassword"/],
      [() => new Cognito(POOL, 'c', { maxAttempts: 0, env: {} }), /"maxAttempts"/],
      [() => new Cognito(POOL, 'c', { leewaySeconds: -1, env: {} }), /"leewaySeconds"/],
      [() => new Cognito(POOL, 'c', { refreshTokenRotation: 'yes' as never, env: {} }), /"refreshTokenRotation"/],
      [() => new Cognito(POOL, 'c', { endpoint: 'ftp://x', env: {} }), /"endpoint"/],
      [() => new Cognito(POOL, 'c', { client: {} as never, env: {} }), /"client"/],
      [() => new Cognito(POOL, 'c', { clock: 5 as never, env: {} }), /"clock"/],
    ];
    for (const [make, pattern] of cases) {
      assert.throws(make, (e: unknown) => e instanceof TypeError && pattern.test(e.message), String(pattern));
    }
  });

  it('refuses caller mistakes in method arguments with TypeErrors, before any call', async () => {
    const u = new Cognito(POOL, 'c', { endpoint: 'http://127.0.0.1:1', env: {} });
    await rejectsWithTypeError(u.authenticate('pw'), /"username"/);
    u.username = 'bob';
    await rejectsWithTypeError(u.authenticate(''), /"password"/);
    await rejectsWithTypeError(u.authenticate('pw', { clientMetadata: { a: 1 as never } }), /"clientMetadata"/);
    await rejectsWithTypeError(u.checkToken(), /"accessToken"/);
    await rejectsWithTypeError(u.renewAccessToken(), /"refreshToken"/);
    await rejectsWithTypeError(u.logout(), /"accessToken"/);
    await rejectsWithTypeError(u.revokeToken(), /"refreshToken"/);
    await rejectsWithTypeError(u.verifyTokens(), /"idToken" or "accessToken"/);
    await rejectsWithTypeError(u.verifyToken('x', 'id_token', 'access'), /"idName" and "tokenUse"/);
    await rejectsWithTypeError(u.respondToSoftwareTokenMfaChallenge('123456'), /"mfaTokens"/);
    assert.throws(() => u.switchSession({} as never), TypeError);
  });
});

describe('Cognito: sign-in and tokens', () => {
  let pool: TestPool;

  before(async () => {
    pool = await startTestPool();
  });
  after(() => pool.stop());
  afterEach(() => {
    pool.emulator.clock.reset();
    pool.emulator.clearFaults();
  });

  it('authenticate: USER_SRP_AUTH sets verified tokens, claims and expiry', async () => {
    const { username, cognito } = await newUser(pool);
    pool.emulator.resetCalls();
    await cognito.authenticate(PASSWORD, { clientMetadata: { source: 'test' } });
    assert.equal(pool.emulator.calls('InitiateAuth'), 1);
    assert.equal(pool.emulator.calls('RespondToAuthChallenge'), 1);
    assert.equal(cognito.tokenType, 'Bearer');
    assert.equal(typeof cognito.refreshToken, 'string');
    assert.equal(cognito.idClaims?.['cognito:username'], username);
    assert.equal(cognito.accessClaims?.client_id, pool.clientId);
    assert.equal(cognito.expiresAt, cognito.accessClaims.exp * 1000);
    assert.equal(cognito.mfaTokens, undefined);
  });

  it('a wrong password and an unknown user are the same error', async () => {
    const { cognito } = await newUser(pool);
    const wrong = await rejectsWithCode(cognito.authenticate('Wrong-passw0rd'), 'ERR_COGNITO_BAD_CREDENTIALS');
    const unknown = await rejectsWithCode(cognitoFor(pool, { username: uniqueName('ghost') }).authenticate(PASSWORD), 'ERR_COGNITO_BAD_CREDENTIALS');
    assert.ok(wrong instanceof AuthenticationFailedError && unknown instanceof AuthenticationFailedError);
    assert.equal(wrong.message, unknown.message);
    assert.equal(wrong.status, 401);
    assert.equal(cognito.accessToken, undefined);
  });

  it('adminAuthenticate: ADMIN_USER_PASSWORD_AUTH with the caller\'s credentials', async () => {
    const { cognito } = await newUser(pool, { client: pool.sdk });
    await cognito.adminAuthenticate(PASSWORD);
    assert.equal(cognito.idClaims?.aud, pool.clientId);
    await rejectsWithCode(cognito.adminAuthenticate('Wrong-passw0rd'), 'ERR_COGNITO_BAD_CREDENTIALS');
  });

  it('verifyTokens / verifyToken: restored tokens verify; forged and mismatched ones are refused by code', async () => {
    const { cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const { idToken, accessToken } = cognito;
    const restored = cognitoFor(pool, { idToken: idToken!, accessToken: accessToken! });
    await restored.verifyTokens();
    assert.equal(restored.idClaims?.sub, cognito.idClaims?.sub);
    assert.equal(restored.accessClaims?.jti, cognito.accessClaims?.jti);

    const forged = tamper(accessToken!, (c) => { c.username = 'admin'; });
    await rejectsWithCode(restored.verifyToken(forged, 'access_token', 'access'), 'ERR_COGNITO_TOKEN_SIGNATURE');
    assert.equal(restored.accessToken, accessToken, 'a refused token is not kept');
    await rejectsWithCode(restored.verifyToken(idToken!, 'access_token', 'access'), 'ERR_COGNITO_TOKEN_USE');
    await rejectsWithCode(restored.verifyToken(accessToken!, 'id_token', 'id'), 'ERR_COGNITO_TOKEN_USE');
    await rejectsWithCode(restored.verifyToken('not.a.jwt', 'id_token', 'id'), 'ERR_COGNITO_TOKEN_MALFORMED');
    const claims = await restored.verifyToken(accessToken!, 'access_token', 'access');
    assert.equal(claims.token_use, 'access');

    // An ID token of one user with the access token of another.
    const other = await newUser(pool);
    await other.cognito.authenticate(PASSWORD);
    const mixed = cognitoFor(pool, { idToken: idToken!, accessToken: other.cognito.accessToken! });
    const error = await rejectsWithCode(mixed.verifyTokens(), 'ERR_COGNITO_TOKEN_CLAIM');
    assert.equal((error as { claim?: string }).claim, 'sub');
  });

  it('tokens of another app client of the same pool are refused (aud and client_id)', async () => {
    const { UserPoolClient } = await pool.sdk.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.poolId, ClientName: 'other', ExplicitAuthFlows: TEST_AUTH_FLOWS as never,
    }));
    const otherClient = UserPoolClient!.ClientId!;
    const { username } = await newUser(pool);
    const elsewhere = cognitoFor(pool, { username }, otherClient);
    await elsewhere.authenticate(PASSWORD);
    const here = cognitoFor(pool);
    const id = await rejectsWithCode(here.verifyToken(elsewhere.idToken!, 'id_token', 'id'), 'ERR_COGNITO_TOKEN_AUDIENCE');
    assert.equal((id as { claim?: string }).claim, 'aud');
    const access = await rejectsWithCode(here.verifyToken(elsewhere.accessToken!, 'access_token', 'access'), 'ERR_COGNITO_TOKEN_AUDIENCE');
    assert.equal((access as { claim?: string }).claim, 'client_id');
    // Allowing both clients accepts them.
    const both = cognitoFor(pool, {}, [pool.clientId, otherClient] as never);
    await both.verifyToken(elsewhere.accessToken!, 'access_token', 'access');
  });

  it('expiry follows the injected clock: verification refuses, checkToken says expired', async () => {
    const { cognito } = await newUser(pool, { leewaySeconds: 5 });
    await cognito.authenticate(PASSWORD);
    const exp = cognito.accessClaims!.exp * 1000;
    assert.equal(await cognito.checkToken(false), false);
    pool.emulator.clock.set(exp - 4_000); // within the leeway: renew early
    assert.equal(await cognito.checkToken(false), true);
    await cognito.verifyTokens(); // still valid for a verifier
    pool.emulator.clock.set(exp + 6_000);
    await rejectsWithCode(cognito.verifyTokens(), 'ERR_COGNITO_TOKEN_EXPIRED');
  });

  it('getKeys / getKey, and a signing-key rotation costs exactly one JWKS refetch', async () => {
    const { cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const kid = decodeProtectedHeader(cognito.accessToken!).kid!;
    const { keys } = await cognito.getKeys();
    assert.ok(keys.some((k) => k.kid === kid));
    assert.equal((await cognito.getKey(kid))?.kid, kid);

    const before = pool.emulator.calls('jwks');
    const newKid = pool.emulator.rotateSigningKey(pool.poolId);
    pool.emulator.clock.advance(31_000); // past the refetch cooldown
    await cognito.authenticate(PASSWORD);
    assert.equal(decodeProtectedHeader(cognito.accessToken!).kid, newKid);
    await cognito.authenticate(PASSWORD);
    await cognitoFor(pool, { idToken: cognito.idToken!, accessToken: cognito.accessToken! }).verifyTokens();
    assert.equal(pool.emulator.calls('jwks') - before, 1);
    // An unknown kid within the cooldown costs nothing.
    assert.equal(await cognito.getKey('no-such-kid'), undefined);
    assert.equal(pool.emulator.calls('jwks') - before, 1);
  });

  it('static keys (the jwks option) are used without fetching', async () => {
    const { cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const jwks = await cognito.getKeys();
    const before = pool.emulator.calls('jwks');
    const offline = cognitoFor(pool, { jwks, idToken: cognito.idToken!, accessToken: cognito.accessToken! });
    await offline.verifyTokens();
    assert.equal(pool.emulator.calls('jwks'), before);
  });

  it('switchSession: later calls go through the new client', async () => {
    const { cognito } = await newUser(pool);
    const sent: string[] = [];
    const spy = new CognitoIdentityProviderClient({ region: pool.region, endpoint: pool.endpoint, maxAttempts: 1 });
    const realSend = spy.send.bind(spy) as (c: unknown) => Promise<unknown>;
    cognito.switchSession({ send: (command: unknown) => { sent.push((command as object).constructor.name); return realSend(command); } });
    await cognito.authenticate(PASSWORD);
    assert.deepEqual(sent, ['InitiateAuthCommand', 'RespondToAuthChallengeCommand']);
    spy.destroy();
  });

  it('throttling and 5xx map to ERR_COGNITO_THROTTLED (429) and ERR_COGNITO_UNAVAILABLE (503)', async () => {
    const { cognito } = await newUser(pool);
    pool.emulator.setFaults({ throttle: true, operations: ['InitiateAuth'] });
    const throttled = await rejectsWithCode(cognito.authenticate(PASSWORD), 'ERR_COGNITO_THROTTLED');
    assert.equal(throttled.status, 429);
    pool.emulator.setFaults({ serverError: true, operations: ['RespondToAuthChallenge'] });
    const down = await rejectsWithCode(cognito.authenticate(PASSWORD), 'ERR_COGNITO_UNAVAILABLE');
    assert.equal(down.status, 503);
    pool.emulator.clearFaults();
    await cognito.authenticate(PASSWORD);
    pool.emulator.setFaults({ throttle: true, operations: ['InitiateAuth'] });
    await rejectsWithCode(cognito.renewAccessToken(), 'ERR_COGNITO_THROTTLED');
    assert.notEqual(cognito.refreshToken, undefined, 'throttling does not clear the tokens');
  });

  it('a Cognito that does not answer fails after requestTimeoutMs as ERR_COGNITO_UNAVAILABLE, not a hang', async () => {
    const u = new Cognito(pool.poolId, pool.clientId, {
      username: 'x', endpoint: pool.endpoint, maxAttempts: 1, requestTimeoutMs: 200, env: {},
    });
    pool.emulator.setFaults({ latencyMs: 5_000, operations: ['InitiateAuth'] });
    try {
      // Without the timeout the call would succeed after the 5 s latency: the error is the proof.
      await rejectsWithCode(u.authenticate(PASSWORD), 'ERR_COGNITO_UNAVAILABLE');
    } finally {
      pool.emulator.clearFaults();
    }
  });

  it('an unreachable endpoint is ERR_COGNITO_UNAVAILABLE', async () => {
    const u = new Cognito(pool.poolId, pool.clientId, { username: 'x', endpoint: 'http://127.0.0.1:9', maxAttempts: 1, env: {} });
    await rejectsWithCode(u.authenticate(PASSWORD), 'ERR_COGNITO_UNAVAILABLE');
  });

  it('service errors keep their own codes (UserNotConfirmed, PasswordResetRequired)', async () => {
    const failing = (name: string) => ({
      send: () => Promise.reject(Object.assign(new Error('boom'), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } })),
    });
    const u = new Cognito(POOL, 'c', { username: 'bob', client: failing('UserNotConfirmedException'), env: {} });
    await rejectsWithCode(u.authenticate(PASSWORD), 'ERR_COGNITO_USER_NOT_CONFIRMED');
    u.switchSession(failing('PasswordResetRequiredException'));
    await rejectsWithCode(u.adminAuthenticate(PASSWORD), 'ERR_COGNITO_PASSWORD_RESET_REQUIRED');
    u.switchSession(failing('UserNotFoundException'));
    await rejectsWithCode(u.authenticate(PASSWORD), 'ERR_COGNITO_BAD_CREDENTIALS');
  });

  it('a client with a secret: login by e-mail alias, then renew (SECRET_HASH from the internal username)', async () => {
    const secretPool = await startTestPool({ generateSecret: true, aliasAttributes: ['email'] });
    try {
      const username = uniqueName();
      const email = `${username}@example.com`;
      await secretPool.createUser(username, PASSWORD, { attributes: { email, email_verified: 'true' } });
      const u = cognitoFor(secretPool, { username: email });
      await u.authenticate(PASSWORD);
      assert.equal(u.idClaims?.['cognito:username'], username);
      const oldAccess = u.accessToken;
      secretPool.emulator.clock.advance(61 * 60 * 1000);
      secretPool.emulator.resetCalls();
      assert.equal(await u.checkToken(), true);
      assert.notEqual(u.accessToken, oldAccess);
      assert.equal(secretPool.emulator.calls('InitiateAuth'), 1, 'REFRESH_TOKEN_AUTH accepted at once');
      assert.equal(secretPool.emulator.calls('GetTokensFromRefreshToken'), 0);
      // The same refresh with the hash built from the alias is what Cognito refuses.
      await assert.rejects(secretPool.sdk.send(new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: secretPool.clientId,
        AuthParameters: { REFRESH_TOKEN: u.refreshToken!, SECRET_HASH: secretHash(email, secretPool.clientId, secretPool.clientSecret!) },
      })), /secret hash/i);
    } finally {
      await secretPool.stop();
    }
  });
});
