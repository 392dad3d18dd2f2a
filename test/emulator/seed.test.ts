/**
 * Seeding: DEMO_SEED's users behave as documented (alice in admin, bob with a fixed TOTP secret,
 * carol on a temporary password, dave with a verified phone for USER_AUTH's SMS codes), custom
 * seeds set ids, statuses and MFA, and bad seeds are refused.
 */
import assert from 'node:assert/strict';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DEMO_CLIENT_ID, DEMO_SEED, DEMO_TOTP_SECRET, startEmulator, type Emulator, type SeededPools } from '../../lib/emulator';
import { secretHash } from '../../lib/secret-hash';
import { generateTotp } from '../../lib/totp';
import { claimsOf, rejects, srpLogin } from './helpers';

describe('emulator: seeds', () => {
  let emulator: Emulator;
  let sdk: CognitoIdentityProviderClient;
  let poolId: string;
  const login = (USERNAME: string, PASSWORD: string, ClientId = DEMO_CLIENT_ID) =>
    sdk.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD } }));

  before(async () => {
    emulator = await startEmulator({ seed: DEMO_SEED });
    sdk = new CognitoIdentityProviderClient({ region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    poolId = `${emulator.region}_DemoPool1`;
  });
  after(async () => {
    sdk.destroy();
    await emulator.stop();
  });

  describe('DEMO_SEED', () => {
    it('has a public client allowing SRP, USER_PASSWORD, ADMIN_USER_PASSWORD, CUSTOM_AUTH, USER_AUTH and refresh', async () => {
      const { UserPoolClient } = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: DEMO_CLIENT_ID }));
      assert.equal(UserPoolClient!.ClientSecret, undefined);
      assert.deepEqual(
        [...UserPoolClient!.ExplicitAuthFlows!].sort(),
        ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_USER_PASSWORD_AUTH',
          'ALLOW_USER_SRP_AUTH'],
      );
    });

    it('allows the first factors PASSWORD, EMAIL_OTP, SMS_OTP and WEB_AUTHN; dave is offered e-mail and SMS codes', async () => {
      const { UserPool } = await sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      assert.deepEqual(UserPool!.Policies!.SignInPolicy!.AllowedFirstAuthFactors, ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN']);
      const offered = async (USERNAME: string): Promise<string[]> => {
        const out = await sdk.send(new InitiateAuthCommand({ ClientId: DEMO_CLIENT_ID, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME } }));
        assert.equal(out.ChallengeName, 'SELECT_CHALLENGE');
        return out.AvailableChallenges!;
      };
      assert.deepEqual(await offered('dave'), ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);
      assert.deepEqual(await offered('alice'), ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP'], 'alice has no phone');
      const dave = await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'dave' }));
      assert.equal(dave.UserStatus, 'CONFIRMED');
      assert.equal(dave.UserAttributes!.find((a) => a.Name === 'phone_number_verified')?.Value, 'true');
    });

    it('alice signs in by SRP and is in group admin', async () => {
      const out = await srpLogin({ sdk, poolId, clientId: DEMO_CLIENT_ID }, 'alice', 'Passw0rd!');
      const id = claimsOf(out.AuthenticationResult!.IdToken!);
      assert.deepEqual(id['cognito:groups'], ['admin']);
      assert.equal(id.email, 'alice@example.com');
    });

    it('bob is asked for a TOTP code from the published secret', async () => {
      const first = await login('bob', 'Passw0rd!');
      assert.equal(first.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      const out = await sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: DEMO_CLIENT_ID, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: first.Session,
          ChallengeResponses: { USERNAME: 'bob', SOFTWARE_TOKEN_MFA_CODE: generateTotp(DEMO_TOTP_SECRET, emulator.clock.now()) },
        }),
      );
      assert.ok(out.AuthenticationResult);
    });

    it('carol must set a new password', async () => {
      const first = await login('carol', 'Temp0rary!');
      assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    });

    it('cannot be modified by callers', () => {
      assert.throws(() => (DEMO_SEED.pools as unknown[]).push({}));
    });
  });

  describe('custom seeds', () => {
    let seeded: SeededPools;

    before(async () => {
      seeded = await emulator.seed({
        pools: [
          {
            name: 'shop',
            idSuffix: 'Shop00001',
            usernameAttributes: ['email'],
            passwordPolicy: { MinimumLength: 6, RequireSymbols: false, RequireUppercase: false },
            clients: [{ name: 'server', clientId: 'shopserver0000000000000001', generateSecret: true, settings: { AccessTokenValidity: 10, TokenValidityUnits: { AccessToken: 'minutes' } } }],
            groups: ['staff', { name: 'boss', precedence: 1 }],
            users: [
              { username: 'sue@example.com', password: 'secret1', groups: ['staff', 'boss'] },
              { username: 'ned@example.com', password: 'secret1', status: 'UNCONFIRMED' },
              { username: 'off@example.com', password: 'secret1', enabled: false },
              { username: 'rst@example.com', password: 'secret1', status: 'RESET_REQUIRED' },
            ],
          },
        ],
      });
    });

    it('returns ids by name; fixed ids are kept and secrets generated', () => {
      const shop = seeded.pools.shop;
      assert.equal(shop.poolId, `${emulator.region}_Shop00001`);
      assert.equal(shop.clients.server.clientId, 'shopserver0000000000000001');
      assert.match(shop.clients.server.clientSecret!, /^[a-z0-9]{51}$/);
      assert.match(shop.users['sue@example.com'].username, /^[0-9a-f-]{36}$/);
      assert.equal(shop.users['sue@example.com'].username, shop.users['sue@example.com'].sub);
    });

    it('seeded statuses fail the way Cognito fails them', async () => {
      const shop = seeded.pools.shop;
      const attempt = (email: string) =>
        sdk.send(
          new InitiateAuthCommand({
            ClientId: shop.clients.server.clientId,
            AuthFlow: 'USER_SRP_AUTH',
            AuthParameters: { USERNAME: email, SRP_A: 'abc', SECRET_HASH: secretHash(email, shop.clients.server.clientId, shop.clients.server.clientSecret!) },
          }),
        );
      assert.equal((await attempt('sue@example.com')).ChallengeName, 'PASSWORD_VERIFIER');
      const target = { sdk, poolId: shop.poolId, clientId: shop.clients.server.clientId, clientSecret: shop.clients.server.clientSecret! };
      const out = await srpLogin(target, 'sue@example.com', 'secret1');
      assert.deepEqual(claimsOf(out.AuthenticationResult!.AccessToken!)['cognito:groups'], ['staff', 'boss']);
      assert.equal(out.AuthenticationResult!.ExpiresIn, 600);
      await rejects(srpLogin(target, 'ned@example.com', 'secret1'), 'UserNotConfirmedException', 'User is not confirmed.');
      await rejects(srpLogin(target, 'off@example.com', 'secret1'), 'NotAuthorizedException', 'User is disabled.');
      await rejects(srpLogin(target, 'rst@example.com', 'secret1'), 'PasswordResetRequiredException');
      const user = await sdk.send(new AdminGetUserCommand({ UserPoolId: shop.poolId, Username: 'off@example.com' }));
      assert.equal(user.Enabled, false);
    });

    it('refuses malformed seeds with a TypeError and Cognito mistakes with their Cognito error', async () => {
      await assert.rejects(emulator.seed({} as never), TypeError);
      await assert.rejects(emulator.seed({ pools: [{ name: 'x', idSuffix: 'bad-suffix' }] }), TypeError);
      await assert.rejects(emulator.seed({ pools: [{ name: 'x', users: [{ username: 'u', mfa: { totp: true } }] }] }), TypeError);
      await assert.rejects(emulator.seed({ pools: [{ name: 'x', users: [{ username: 'u', password: 'weak' }] }] }), { name: 'InvalidPasswordException' });
    });

    it('startEmulator rejects a bad seed and bad options', async () => {
      await assert.rejects(startEmulator({ seed: { pools: [{ name: 'x', users: [{ username: 'u', password: 'weak' }] }] } }), { name: 'InvalidPasswordException' });
      await assert.rejects(startEmulator({ region: 'mars' }), TypeError);
      await assert.rejects(startEmulator({ port: -1 }), TypeError);
    });
  });
});
