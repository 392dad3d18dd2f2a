/**
 * SRP (USER_SRP_AUTH + PASSWORD_VERIFIER) against the emulator: amazon-cognito-identity-js and the
 * package's own lib/srp.ts succeed; wrong passwords, tampered SECRET_BLOCKs, stale timestamps,
 * degenerate SRP_A values and expired challenges fail as Cognito fails them.
 */
import assert from 'node:assert/strict';
import { InitiateAuthCommand, RespondToAuthChallengeCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { N } from '../../lib/srp-group';
import { createSrpEphemeral, passwordVerifierResponse } from '../../lib/srp';
import { startTestPool, type TestPool } from '../support/pool';
import { claimsOf, rejects, srpLogin } from './helpers';

function identityJsLogin(pool: TestPool, username: string, password: string): Promise<CognitoUserSession> {
  const userPool = new CognitoUserPool({ UserPoolId: pool.poolId, ClientId: pool.clientId, endpoint: pool.endpoint });
  const user = new CognitoUser({ Username: username, Pool: userPool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected newPasswordRequired')),
      totpRequired: () => reject(new Error('unexpected totpRequired')),
    });
  });
}

describe('emulator: SRP sign-in', () => {
  let pool: TestPool;

  before(async () => {
    pool = await startTestPool();
    await pool.createUser('alice', 'Passw0rd!', { attributes: { email: 'alice@example.com', email_verified: 'true' } });
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  it('amazon-cognito-identity-js logs in by SRP', async () => {
    const session = await identityJsLogin(pool, 'alice', 'Passw0rd!');
    assert.equal(session.getIdToken().payload['cognito:username'], 'alice');
    assert.equal(session.getAccessToken().payload.client_id, pool.clientId);
    assert.ok(session.getRefreshToken().getToken().length > 100);
  });

  it('amazon-cognito-identity-js is refused with a wrong password', async () => {
    const error = (await identityJsLogin(pool, 'alice', 'Wr0ngPass!').catch((e: unknown) => e)) as Error & { code?: string };
    assert.equal(error.name, 'NotAuthorizedException');
    assert.equal(error.message, 'Incorrect username or password.');
  });

  it('amazon-cognito-identity-js gets UserNotFoundException for an unknown user (LEGACY client)', async () => {
    const error = (await identityJsLogin(pool, 'nobody', 'Passw0rd!').catch((e: unknown) => e)) as Error;
    assert.equal(error.name, 'UserNotFoundException');
  });

  it('amazon-cognito-identity-js: newPasswordRequired, then completeNewPasswordChallenge', async () => {
    await pool.createUser('newbie', 'Temp0rary!', { temporary: true, attributes: { email: 'newbie@example.com', email_verified: 'true' } });
    const userPool = new CognitoUserPool({ UserPoolId: pool.poolId, ClientId: pool.clientId, endpoint: pool.endpoint });
    const user = new CognitoUser({ Username: 'newbie', Pool: userPool });
    const session = await new Promise<CognitoUserSession>((resolve, reject) => {
      user.authenticateUser(new AuthenticationDetails({ Username: 'newbie', Password: 'Temp0rary!' }), {
        onSuccess: () => reject(new Error('expected newPasswordRequired')),
        onFailure: reject,
        newPasswordRequired: (userAttributes: Record<string, string>, requiredAttributes: string[]) => {
          assert.equal(userAttributes.email, 'newbie@example.com');
          assert.deepEqual(requiredAttributes, []);
          user.completeNewPasswordChallenge('N3wPassword!', { name: 'Newbie' }, { onSuccess: resolve, onFailure: reject });
        },
      });
    });
    assert.equal(session.getIdToken().payload.name, 'Newbie');
    const again = await identityJsLogin(pool, 'newbie', 'N3wPassword!');
    assert.equal(again.getIdToken().payload['cognito:username'], 'newbie');
  });

  it('lib/srp.ts logs in; the challenge carries SALT, SRP_B, SECRET_BLOCK and USER_ID_FOR_SRP', async () => {
    const ephemeral = createSrpEphemeral();
    const init = await pool.sdk.send(
      new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'alice', SRP_A: ephemeral.srpA } }),
    );
    const params = init.ChallengeParameters!;
    assert.equal(init.ChallengeName, 'PASSWORD_VERIFIER');
    assert.equal(init.Session, undefined);
    assert.match(params.SALT, /^[0-9a-f]+$/);
    assert.match(params.SRP_B, /^[0-9a-f]+$/);
    assert.match(params.SECRET_BLOCK, /^[A-Za-z0-9+/]+=*$/);
    assert.equal(params.USER_ID_FOR_SRP, 'alice');
    const answers = passwordVerifierResponse({ userPoolId: pool.poolId, password: 'Passw0rd!', ephemeral, challengeParameters: params, now: new Date() });
    const out = await pool.sdk.send(new RespondToAuthChallengeCommand({ ClientId: pool.clientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: { ...answers } }));
    assert.equal(out.AuthenticationResult?.TokenType, 'Bearer');
    assert.equal(claimsOf(out.AuthenticationResult.AccessToken!).username, 'alice');
  });

  it('a SECRET_BLOCK answers once', async () => {
    const ephemeral = createSrpEphemeral();
    const init = await pool.sdk.send(
      new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'alice', SRP_A: ephemeral.srpA } }),
    );
    const answers = passwordVerifierResponse({ userPoolId: pool.poolId, password: 'Passw0rd!', ephemeral, challengeParameters: init.ChallengeParameters as never, now: new Date() });
    const send = () => pool.sdk.send(new RespondToAuthChallengeCommand({ ClientId: pool.clientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: { ...answers } }));
    await send();
    await rejects(send(), 'NotAuthorizedException', 'Incorrect username or password.');
  });

  it('refuses a tampered SECRET_BLOCK', async () => {
    await rejects(
      srpLogin(pool, 'alice', 'Passw0rd!', {
        tamper: (a) => {
          const bytes = Buffer.from(a.PASSWORD_CLAIM_SECRET_BLOCK, 'base64');
          bytes[0] = bytes[0] ^ 1;
          a.PASSWORD_CLAIM_SECRET_BLOCK = bytes.toString('base64');
        },
      }),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
  });

  it('refuses a wrong signature and a TIMESTAMP other than the signed one', async () => {
    await rejects(
      srpLogin(pool, 'alice', 'Passw0rd!', { tamper: (a) => { a.PASSWORD_CLAIM_SIGNATURE = Buffer.alloc(32, 7).toString('base64'); } }),
      'NotAuthorizedException',
    );
    await rejects(
      srpLogin(pool, 'alice', 'Passw0rd!', { tamper: (a) => { a.TIMESTAMP = a.TIMESTAMP.replace(/:(\d\d) UTC/, (_m, s: string) => `:${s === '00' ? '01' : '00'} UTC`); } }),
      'NotAuthorizedException',
    );
  });

  it('refuses a TIMESTAMP more than 5 minutes from the emulator clock, accepts 4 minutes', async () => {
    pool.emulator.clock.advance(6 * 60 * 1000);
    await rejects(srpLogin(pool, 'alice', 'Passw0rd!'), 'NotAuthorizedException', 'Incorrect username or password.');
    pool.emulator.clock.reset();
    pool.emulator.clock.advance(4 * 60 * 1000);
    const out = await srpLogin(pool, 'alice', 'Passw0rd!');
    assert.ok(out.AuthenticationResult?.IdToken);
  });

  it('a PASSWORD_VERIFIER challenge expires after 3 minutes', async () => {
    const ephemeral = createSrpEphemeral();
    const init = await pool.sdk.send(
      new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'alice', SRP_A: ephemeral.srpA } }),
    );
    pool.emulator.clock.advance(3 * 60 * 1000 + 1000);
    const answers = passwordVerifierResponse({
      userPoolId: pool.poolId, password: 'Passw0rd!', ephemeral, challengeParameters: init.ChallengeParameters as never, now: new Date(pool.emulator.clock.now()),
    });
    await rejects(
      pool.sdk.send(new RespondToAuthChallengeCommand({ ClientId: pool.clientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: { ...answers } })),
      'NotAuthorizedException',
    );
  });

  it('refuses SRP_A = 0, SRP_A = N and non-hex SRP_A', async () => {
    for (const srpA of ['0', N.toString(16), 'xyz']) {
      await rejects(
        pool.sdk.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'alice', SRP_A: srpA } })),
        'InvalidParameterException',
      );
    }
  });

  it('names a missing SRP_A', async () => {
    await rejects(
      pool.sdk.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'alice' } })),
      'InvalidParameterException',
      'Missing required parameter SRP_A',
    );
  });

  it('with PreventUserExistenceErrors, an unknown user gets a plausible challenge and then NotAuthorized', async () => {
    const other = await startTestPool({ clientOptions: { PreventUserExistenceErrors: 'ENABLED' } });
    try {
      const ephemeral = createSrpEphemeral();
      const first = await other.sdk.send(
        new InitiateAuthCommand({ ClientId: other.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ghost', SRP_A: ephemeral.srpA } }),
      );
      const again = await other.sdk.send(
        new InitiateAuthCommand({ ClientId: other.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ghost', SRP_A: ephemeral.srpA } }),
      );
      assert.equal(first.ChallengeName, 'PASSWORD_VERIFIER');
      assert.equal(first.ChallengeParameters!.SALT, again.ChallengeParameters!.SALT, 'a decoy salt is stable per username');
      await rejects(srpLogin(other, 'ghost', 'Passw0rd!'), 'NotAuthorizedException', 'Incorrect username or password.');
    } finally {
      await other.stop();
    }
  });

  it('checks SECRET_HASH on both steps for a client with a secret, with the alias on the first and USER_ID_FOR_SRP on the second', async () => {
    const other = await startTestPool({ generateSecret: true, aliasAttributes: ['email'] });
    try {
      await other.createUser('dave', 'Passw0rd!', { attributes: { email: 'dave@example.com', email_verified: 'true' } });
      const out = await srpLogin(other, 'dave@example.com', 'Passw0rd!');
      assert.equal(claimsOf(out.AuthenticationResult!.IdToken!)['cognito:username'], 'dave');
      await rejects(
        srpLogin(other, 'dave@example.com', 'Passw0rd!', { tamper: (a) => { a.SECRET_HASH = 'AAAA'; } }),
        'NotAuthorizedException',
        `Unable to verify secret hash for client ${other.clientId}`,
      );
    } finally {
      await other.stop();
    }
  });
});
