/**
 * Password sign-in flows against the emulator: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH (and
 * ADMIN_NO_SRP_AUTH), flow gating, SECRET_HASH (alias hash refused on refresh), unknown and
 * disabled users, NEW_PASSWORD_REQUIRED.
 */
import assert from 'node:assert/strict';
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  ChangePasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type AuthFlowType,
} from '@aws-sdk/client-cognito-identity-provider';
import { secretHash } from '../../lib/secret-hash';
import { startTestPool, type TestPool } from '../support/pool';
import { claimsOf, rejects } from './helpers';

describe('emulator: password sign-in', () => {
  let pool: TestPool;

  const initiate = (AuthFlow: AuthFlowType, AuthParameters: Record<string, string>, target: TestPool = pool) =>
    target.sdk.send(new InitiateAuthCommand({ ClientId: target.clientId, AuthFlow, AuthParameters }));

  before(async () => {
    pool = await startTestPool();
    await pool.createUser('alice', 'Passw0rd!');
    await pool.createUser('carol', 'Temp0rary!', { temporary: true, attributes: { email: 'carol@example.com' } });
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  describe('InitiateAuth USER_PASSWORD_AUTH', () => {
    it('returns tokens', async () => {
      const out = await initiate('USER_PASSWORD_AUTH', { USERNAME: 'alice', PASSWORD: 'Passw0rd!' });
      assert.equal(out.ChallengeName, undefined);
      assert.ok(out.AuthenticationResult?.RefreshToken);
    });

    it('refuses a wrong password', async () => {
      await rejects(initiate('USER_PASSWORD_AUTH', { USERNAME: 'alice', PASSWORD: 'Passw0rd?' }), 'NotAuthorizedException', 'Incorrect username or password.');
    });

    it('reports an unknown user as UserNotFoundException (LEGACY) or NotAuthorized (ENABLED)', async () => {
      await rejects(initiate('USER_PASSWORD_AUTH', { USERNAME: 'ghost', PASSWORD: 'Passw0rd!' }), 'UserNotFoundException', 'User does not exist.');
      const strict = await startTestPool({ clientOptions: { PreventUserExistenceErrors: 'ENABLED' } });
      try {
        await rejects(initiate('USER_PASSWORD_AUTH', { USERNAME: 'ghost', PASSWORD: 'Passw0rd!' }, strict), 'NotAuthorizedException', 'Incorrect username or password.');
      } finally {
        await strict.stop();
      }
    });

    it('refuses a disabled user', async () => {
      await pool.sdk.send(new AdminDisableUserCommand({ UserPoolId: pool.poolId, Username: 'alice' }));
      try {
        await rejects(initiate('USER_PASSWORD_AUTH', { USERNAME: 'alice', PASSWORD: 'Passw0rd!' }), 'NotAuthorizedException', 'User is disabled.');
      } finally {
        await pool.sdk.send(new AdminEnableUserCommand({ UserPoolId: pool.poolId, Username: 'alice' }));
      }
    });

    it('names missing members the way Cognito does', async () => {
      await rejects(initiate('USER_PASSWORD_AUTH', { USERNAME: 'alice' }), 'InvalidParameterException', 'Missing required parameter PASSWORD');
      await rejects(
        pool.sdk.send(new InitiateAuthCommand({ ClientId: undefined, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: {} })),
        'InvalidParameterException',
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null",
      );
      await rejects(
        pool.sdk.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'MAGIC' as never, AuthParameters: {} })),
        'InvalidParameterException',
        /Value 'MAGIC' at 'authFlow' failed to satisfy constraint/,
      );
    });

    it('refuses an unknown client', async () => {
      await rejects(
        pool.sdk.send(new InitiateAuthCommand({ ClientId: 'nosuchclient', AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'x' } })),
        'ResourceNotFoundException',
      );
    });

    it('refuses a flow the client does not allow', async () => {
      const srpOnly = await startTestPool({ explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
      try {
        await srpOnly.createUser('alice', 'Passw0rd!');
        await rejects(
          initiate('USER_PASSWORD_AUTH', { USERNAME: 'alice', PASSWORD: 'Passw0rd!' }, srpOnly),
          'InvalidParameterException',
          'USER_PASSWORD_AUTH flow not enabled for this client',
        );
        await rejects(
          srpOnly.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: srpOnly.poolId, ClientId: srpOnly.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' } })),
          'InvalidParameterException',
          'Auth flow not enabled for this client',
        );
      } finally {
        await srpOnly.stop();
      }
    });

    it('refuses admin flows on InitiateAuth', async () => {
      await rejects(initiate('ADMIN_USER_PASSWORD_AUTH', { USERNAME: 'alice', PASSWORD: 'Passw0rd!' }), 'InvalidParameterException');
    });
  });

  describe('ChangePassword', () => {
    it('changes the password with the access token; the old one stops working', async () => {
      await pool.createUser('ivy', 'Passw0rd!');
      const tokens = (await initiate('USER_PASSWORD_AUTH', { USERNAME: 'ivy', PASSWORD: 'Passw0rd!' })).AuthenticationResult!;
      await rejects(
        pool.sdk.send(new ChangePasswordCommand({ AccessToken: tokens.AccessToken, PreviousPassword: 'Wr0ng!pass', ProposedPassword: 'N3wPassword!' })),
        'NotAuthorizedException',
        'Incorrect username or password.',
      );
      await rejects(
        pool.sdk.send(new ChangePasswordCommand({ AccessToken: tokens.AccessToken, PreviousPassword: 'Passw0rd!', ProposedPassword: 'weak' })),
        'InvalidPasswordException',
      );
      await pool.sdk.send(new ChangePasswordCommand({ AccessToken: tokens.AccessToken, PreviousPassword: 'Passw0rd!', ProposedPassword: 'N3wPassword!' }));
      await rejects(initiate('USER_PASSWORD_AUTH', { USERNAME: 'ivy', PASSWORD: 'Passw0rd!' }), 'NotAuthorizedException');
      assert.ok((await initiate('USER_PASSWORD_AUTH', { USERNAME: 'ivy', PASSWORD: 'N3wPassword!' })).AuthenticationResult);
    });
  });

  describe('AdminInitiateAuth', () => {
    it('ADMIN_USER_PASSWORD_AUTH and the legacy ADMIN_NO_SRP_AUTH return tokens', async () => {
      for (const AuthFlow of ['ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'] as const) {
        const out = await pool.sdk.send(
          new AdminInitiateAuthCommand({ UserPoolId: pool.poolId, ClientId: pool.clientId, AuthFlow, AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' } }),
        );
        assert.equal(claimsOf(out.AuthenticationResult!.IdToken!)['cognito:username'], 'alice');
      }
    });

    it('accepts the legacy ADMIN_NO_SRP_AUTH client flag', async () => {
      const legacy = await startTestPool({ explicitAuthFlows: ['ADMIN_NO_SRP_AUTH'] });
      try {
        await legacy.createUser('alice', 'Passw0rd!');
        const out = await legacy.sdk.send(
          new AdminInitiateAuthCommand({ UserPoolId: legacy.poolId, ClientId: legacy.clientId, AuthFlow: 'ADMIN_NO_SRP_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' } }),
        );
        assert.ok(out.AuthenticationResult);
      } finally {
        await legacy.stop();
      }
    });

    it('refuses a wrong password and a client of another pool', async () => {
      await rejects(
        pool.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: pool.poolId, ClientId: pool.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'nope' } })),
        'NotAuthorizedException',
      );
      await rejects(
        pool.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: 'us-east-1_other', ClientId: pool.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' } })),
        'ResourceNotFoundException',
      );
    });

    it('requires AWS credentials (an Authorization header)', async () => {
      const res = await fetch(pool.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.AdminInitiateAuth' },
        body: JSON.stringify({ UserPoolId: pool.poolId, ClientId: pool.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' } }),
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
      assert.equal(((await res.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    });
  });

  describe('NEW_PASSWORD_REQUIRED', () => {
    it('a user with a temporary password must choose a new one, then gets tokens', async () => {
      await pool.createUser('erin', 'Temp0rary!', { temporary: true, attributes: { email: 'erin@example.com' } });
      const first = await initiate('USER_PASSWORD_AUTH', { USERNAME: 'erin', PASSWORD: 'Temp0rary!' });
      assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      assert.ok(first.Session);
      assert.deepEqual(JSON.parse(first.ChallengeParameters!.userAttributes), { email: 'erin@example.com' });
      assert.equal(first.ChallengeParameters!.requiredAttributes, '[]');
      assert.equal(first.ChallengeParameters!.USER_ID_FOR_SRP, 'erin');
      const out = await pool.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: pool.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: first.Session,
          ChallengeResponses: { USERNAME: 'erin', NEW_PASSWORD: 'N3wPassword!', 'userAttributes.name': 'Erin' },
        }),
      );
      assert.equal(claimsOf(out.AuthenticationResult!.IdToken!).name, 'Erin');
      const user = await pool.sdk.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'erin' }));
      assert.equal(user.UserStatus, 'CONFIRMED');
      assert.ok(await initiate('USER_PASSWORD_AUTH', { USERNAME: 'erin', PASSWORD: 'N3wPassword!' }));
    });

    it('enforces the password policy on the new password and keeps the session', async () => {
      const first = await initiate('USER_PASSWORD_AUTH', { USERNAME: 'carol', PASSWORD: 'Temp0rary!' });
      const answer = (password: string) =>
        pool.sdk.send(
          new RespondToAuthChallengeCommand({ ClientId: pool.clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.Session, ChallengeResponses: { USERNAME: 'carol', NEW_PASSWORD: password } }),
        );
      await rejects(answer('short'), 'InvalidPasswordException', 'Password does not conform to policy: Password not long enough');
      await rejects(answer('nouppercase1!'), 'InvalidPasswordException', 'Password does not conform to policy: Password must have uppercase characters');
      await rejects(
        pool.sdk.send(new RespondToAuthChallengeCommand({ ClientId: pool.clientId, ChallengeName: 'SMS_MFA', Session: first.Session, ChallengeResponses: { USERNAME: 'carol', SMS_MFA_CODE: '123456' } })),
        'InvalidParameterException',
      );
      pool.emulator.clock.advance(3 * 60 * 1000 + 1);
      await rejects(answer('Val1dPassword!'), 'NotAuthorizedException', 'Invalid session for the user, session is expired.');
    });

    it('refuses email_verified in the answer, as Cognito does', async () => {
      await pool.createUser('hal', 'Temp0rary!', { temporary: true, attributes: { email: 'hal@example.com', email_verified: 'true' } });
      const first = await initiate('USER_PASSWORD_AUTH', { USERNAME: 'hal', PASSWORD: 'Temp0rary!' });
      await rejects(
        pool.sdk.send(
          new RespondToAuthChallengeCommand({
            ClientId: pool.clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.Session,
            ChallengeResponses: { USERNAME: 'hal', NEW_PASSWORD: 'N3wPassword!', 'userAttributes.email_verified': 'true' },
          }),
        ),
        'InvalidParameterException',
        /email_verified/,
      );
    });

    it('works through AdminInitiateAuth + AdminRespondToAuthChallenge', async () => {
      await pool.createUser('frank', 'Temp0rary!', { temporary: true });
      const first = await pool.sdk.send(
        new AdminInitiateAuthCommand({ UserPoolId: pool.poolId, ClientId: pool.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'frank', PASSWORD: 'Temp0rary!' } }),
      );
      assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      const out = await pool.sdk.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: pool.poolId, ClientId: pool.clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.Session, ChallengeResponses: { USERNAME: 'frank', NEW_PASSWORD: 'N3wPassword!' },
        }),
      );
      assert.ok(out.AuthenticationResult?.AccessToken);
    });

    it('refuses a garbage session', async () => {
      await rejects(
        pool.sdk.send(new RespondToAuthChallengeCommand({ ClientId: pool.clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'nope', ChallengeResponses: { USERNAME: 'carol', NEW_PASSWORD: 'N3wPassword!' } })),
        'NotAuthorizedException',
        'Invalid session for the user.',
      );
    });

    it('a temporary password expires after TemporaryPasswordValidityDays (7)', async () => {
      await pool.createUser('gina', 'Temp0rary!', { temporary: true });
      pool.emulator.clock.advance(8 * 86400 * 1000);
      await rejects(
        initiate('USER_PASSWORD_AUTH', { USERNAME: 'gina', PASSWORD: 'Temp0rary!' }),
        'NotAuthorizedException',
        'Temporary password has expired and must be reset by an administrator.',
      );
    });
  });

  describe('SECRET_HASH', () => {
    let secretPool: TestPool;
    const hash = (name: string) => secretHash(name, secretPool.clientId, secretPool.clientSecret!);

    before(async () => {
      secretPool = await startTestPool({ generateSecret: true, aliasAttributes: ['email'] });
      await secretPool.createUser('dave', 'Passw0rd!', { attributes: { email: 'dave@example.com', email_verified: 'true' } });
    });
    after(() => secretPool.stop());

    it('is required, checked, and may use the alias the person typed at sign-in', async () => {
      await rejects(
        initiate('USER_PASSWORD_AUTH', { USERNAME: 'dave', PASSWORD: 'Passw0rd!' }, secretPool),
        'NotAuthorizedException',
        `Client ${secretPool.clientId} is configured with secret but SECRET_HASH was not received`,
      );
      await rejects(
        initiate('USER_PASSWORD_AUTH', { USERNAME: 'dave', PASSWORD: 'Passw0rd!', SECRET_HASH: hash('someone') }, secretPool),
        'NotAuthorizedException',
        `Unable to verify secret hash for client ${secretPool.clientId}`,
      );
      const out = await initiate('USER_PASSWORD_AUTH', { USERNAME: 'dave@example.com', PASSWORD: 'Passw0rd!', SECRET_HASH: hash('dave@example.com') }, secretPool);
      assert.equal(claimsOf(out.AuthenticationResult!.IdToken!)['cognito:username'], 'dave');
    });

    it('on refresh, a hash built from the alias is refused and one from cognito:username accepted', async () => {
      const signIn = await initiate('USER_PASSWORD_AUTH', { USERNAME: 'dave@example.com', PASSWORD: 'Passw0rd!', SECRET_HASH: hash('dave@example.com') }, secretPool);
      const refreshToken = signIn.AuthenticationResult!.RefreshToken!;
      await rejects(
        initiate('REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: refreshToken, SECRET_HASH: hash('dave@example.com') }, secretPool),
        'NotAuthorizedException',
        `Unable to verify secret hash for client ${secretPool.clientId}`,
      );
      const internal = String(claimsOf(signIn.AuthenticationResult!.IdToken!)['cognito:username']);
      const renewed = await initiate('REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: refreshToken, SECRET_HASH: hash(internal) }, secretPool);
      assert.ok(renewed.AuthenticationResult?.AccessToken);
    });

    it('is refused by a client without a secret', async () => {
      await rejects(initiate('USER_PASSWORD_AUTH', { USERNAME: 'alice', PASSWORD: 'Passw0rd!', SECRET_HASH: 'abc=' }), 'InvalidParameterException', /not configured for secret/);
    });
  });

  describe('e-mail as username (UsernameAttributes)', () => {
    it('the internal username is the sub; the person signs in with the e-mail', async () => {
      const emailPool = await startTestPool({ usernameAttributes: ['email'], generateSecret: true });
      try {
        await emailPool.createUser('hana@example.com', 'Passw0rd!');
        const out = await emailPool.sdk.send(
          new InitiateAuthCommand({
            ClientId: emailPool.clientId, AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'hana@example.com', PASSWORD: 'Passw0rd!', SECRET_HASH: secretHash('hana@example.com', emailPool.clientId, emailPool.clientSecret!) },
          }),
        );
        const id = claimsOf(out.AuthenticationResult!.IdToken!);
        assert.equal(id['cognito:username'], id.sub);
        assert.equal(id.email, 'hana@example.com');
        await rejects(emailPool.createUser('hana@example.com', 'Passw0rd!'), 'UsernameExistsException');
        await rejects(emailPool.createUser('not-an-email', 'Passw0rd!'), 'InvalidParameterException', 'Username should be an email.');
      } finally {
        await emailPool.stop();
      }
    });
  });
});
