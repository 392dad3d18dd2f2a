/**
 * Control-plane and admin-user operations through the AWS SDK: pools, MFA configuration, app
 * clients (secrets, flows, token validity), groups, users, passwords and MFA preferences.
 */
import assert from 'node:assert/strict';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminRespondToAuthChallengeCommand,
  AdminUpdateUserAttributesCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator, type Emulator } from '../../lib/emulator';
import { rejects } from './helpers';

describe('emulator: control plane', () => {
  let emulator: Emulator;
  let sdk: CognitoIdentityProviderClient;
  let poolId: string;

  before(async () => {
    emulator = await startEmulator({ region: 'eu-west-1' });
    sdk = new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const { UserPool } = await sdk.send(
      new CreateUserPoolCommand({
        PoolName: 'main',
        Policies: { PasswordPolicy: { MinimumLength: 10, RequireSymbols: false } },
        MfaConfiguration: 'OPTIONAL',
        AliasAttributes: ['email'],
        DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
      }),
    );
    poolId = UserPool!.Id!;
  });
  after(async () => {
    sdk.destroy();
    await emulator.stop();
  });

  describe('user pools', () => {
    it('CreateUserPool returns a pool id, ARN and the merged password policy; DescribeUserPool echoes it', async () => {
      assert.match(poolId, /^eu-west-1_[A-Za-z0-9]{9}$/);
      const { UserPool } = await sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      assert.equal(UserPool!.Name, 'main');
      assert.equal(UserPool!.Arn, `arn:aws:cognito-idp:eu-west-1:000000000000:userpool/${poolId}`);
      assert.equal(UserPool!.MfaConfiguration, 'OPTIONAL');
      assert.deepEqual(UserPool!.AliasAttributes, ['email']);
      assert.equal(UserPool!.DeviceConfiguration?.ChallengeRequiredOnNewDevice, true);
      assert.equal(UserPool!.Policies!.PasswordPolicy!.MinimumLength, 10);
      assert.equal(UserPool!.Policies!.PasswordPolicy!.RequireSymbols, false);
      assert.equal(UserPool!.Policies!.PasswordPolicy!.RequireUppercase, true);
      assert.ok(UserPool!.CreationDate instanceof Date);
    });

    it('refuses bad pools and unknown ids', async () => {
      await rejects(sdk.send(new CreateUserPoolCommand({ PoolName: undefined })), 'InvalidParameterException', /Value null at 'poolName'/);
      await rejects(
        sdk.send(new CreateUserPoolCommand({ PoolName: 'x', UsernameAttributes: ['email'], AliasAttributes: ['email'] })),
        'InvalidParameterException',
        'Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.',
      );
      await rejects(sdk.send(new CreateUserPoolCommand({ PoolName: 'x', MfaConfiguration: 'SOMETIMES' as never })), 'InvalidParameterException');
      await rejects(sdk.send(new DescribeUserPoolCommand({ UserPoolId: 'eu-west-1_nope' })), 'ResourceNotFoundException', 'User pool eu-west-1_nope does not exist.');
    });

    it('SetUserPoolMfaConfig changes the MFA configuration; unknown pools are refused', async () => {
      const out = await sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      assert.equal(out.MfaConfiguration, 'ON');
      assert.equal((await sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.MfaConfiguration, 'ON');
      await sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL' }));
      await rejects(sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: 'eu-west-1_nope', MfaConfiguration: 'OFF' })), 'ResourceNotFoundException');
    });
  });

  describe('app clients', () => {
    it('GenerateSecret gives a 26-character id and a 51-character secret; defaults are Cognito\'s', async () => {
      const { UserPoolClient: c } = await sdk.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'server', GenerateSecret: true }));
      assert.match(c!.ClientId!, /^[a-z0-9]{26}$/);
      assert.match(c!.ClientSecret!, /^[a-z0-9]{51}$/);
      assert.deepEqual(c!.ExplicitAuthFlows, ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
      assert.equal(c!.AccessTokenValidity, 60);
      assert.equal(c!.IdTokenValidity, 60);
      assert.equal(c!.RefreshTokenValidity, 30);
      assert.deepEqual(c!.TokenValidityUnits, { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' });
      assert.equal(c!.EnableTokenRevocation, true);
      assert.equal(c!.PreventUserExistenceErrors, 'LEGACY');
      const described = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: c!.ClientId }));
      assert.equal(described.UserPoolClient!.ClientSecret, c!.ClientSecret);
    });

    it('stores validity units, flows and RefreshTokenRotation as given', async () => {
      const { UserPoolClient: c } = await sdk.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'web',
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          AccessTokenValidity: 2,
          IdTokenValidity: 30,
          RefreshTokenValidity: 12,
          TokenValidityUnits: { AccessToken: 'hours', IdToken: 'minutes', RefreshToken: 'hours' },
          PreventUserExistenceErrors: 'ENABLED',
          RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 },
        }),
      );
      assert.equal(c!.AccessTokenValidity, 2);
      assert.deepEqual(c!.TokenValidityUnits, { AccessToken: 'hours', IdToken: 'minutes', RefreshToken: 'hours' });
      assert.deepEqual(c!.RefreshTokenRotation, { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 });
      assert.equal(c!.PreventUserExistenceErrors, 'ENABLED');
    });

    it('refuses token validity out of range, mixed legacy flows, unknown flows and unknown pools', async () => {
      const create = (extra: object) => sdk.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'bad', ...extra }));
      await rejects(create({ AccessTokenValidity: 4, TokenValidityUnits: { AccessToken: 'minutes' } }), 'InvalidParameterException', /AccessTokenValidity/);
      await rejects(create({ IdTokenValidity: 2, TokenValidityUnits: { IdToken: 'days' } }), 'InvalidParameterException', /IdTokenValidity/);
      await rejects(create({ RefreshTokenValidity: 59, TokenValidityUnits: { RefreshToken: 'minutes' } }), 'InvalidParameterException', /RefreshTokenValidity/);
      await rejects(create({ RefreshTokenValidity: 3651 }), 'InvalidParameterException', /RefreshTokenValidity/);
      await rejects(create({ ExplicitAuthFlows: ['ADMIN_NO_SRP_AUTH', 'ALLOW_USER_SRP_AUTH'] }), 'InvalidParameterException');
      await rejects(create({ ExplicitAuthFlows: ['ALLOW_EVERYTHING'] }), 'InvalidParameterException');
      await rejects(create({ RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 61 } }), 'InvalidParameterException');
      await rejects(sdk.send(new CreateUserPoolClientCommand({ UserPoolId: 'eu-west-1_nope', ClientName: 'x' })), 'ResourceNotFoundException');
      await rejects(sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: 'nope' })), 'ResourceNotFoundException');
    });
  });

  describe('groups and users', () => {
    it('CreateGroup, then GroupExistsException on a duplicate', async () => {
      const { Group } = await sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admin', Precedence: 1, Description: 'Admins' }));
      assert.equal(Group!.GroupName, 'admin');
      assert.equal(Group!.Precedence, 1);
      await rejects(sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admin' })), 'GroupExistsException');
    });

    it('AdminCreateUser creates a FORCE_CHANGE_PASSWORD user with a sub; duplicates are UsernameExistsException', async () => {
      const { User } = await sdk.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'alice',
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }, { Name: 'email_verified', Value: 'true' }],
        }),
      );
      assert.equal(User!.Username, 'alice');
      assert.equal(User!.UserStatus, 'FORCE_CHANGE_PASSWORD');
      assert.equal(User!.Enabled, true);
      assert.match(User!.Attributes!.find((a) => a.Name === 'sub')!.Value!, /^[0-9a-f-]{36}$/);
      await rejects(sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice' })), 'UsernameExistsException', 'User account already exists');
      await rejects(
        sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alias-taken', UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }, { Name: 'email_verified', Value: 'true' }] })),
        'AliasExistsException',
      );
    });

    it('AdminCreateUser refuses a temporary password against the policy, bad attributes and unknown pools', async () => {
      await rejects(
        sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bob', TemporaryPassword: 'Short1' })),
        'InvalidPasswordException',
        'Password does not conform to policy: Password not long enough',
      );
      await rejects(sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bob', UserAttributes: [{ Name: 'phone_number', Value: '555' }] })), 'InvalidParameterException');
      await rejects(sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bob', UserAttributes: [{ Name: 'shoe_size', Value: '9' }] })), 'InvalidParameterException');
      await rejects(sdk.send(new AdminCreateUserCommand({ UserPoolId: 'eu-west-1_nope', Username: 'bob' })), 'ResourceNotFoundException');
    });

    it('AdminGetUser finds by username or verified alias; UserNotFoundException otherwise', async () => {
      const byName = await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }));
      const byAlias = await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice@example.com' }));
      assert.equal(byAlias.Username, 'alice');
      assert.deepEqual(byAlias.UserAttributes, byName.UserAttributes);
      await rejects(sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ghost' })), 'UserNotFoundException', 'User does not exist.');
    });

    it('AdminSetUserPassword: Permanent confirms, otherwise the password stays temporary; the policy applies', async () => {
      await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'LongEnough1', Permanent: true }));
      assert.equal((await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }))).UserStatus, 'CONFIRMED');
      await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'LongEnough2', Permanent: false }));
      assert.equal((await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }))).UserStatus, 'FORCE_CHANGE_PASSWORD');
      await rejects(
        sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'alllowercase1', Permanent: true })),
        'InvalidPasswordException',
        'Password does not conform to policy: Password must have uppercase characters',
      );
      await rejects(sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'ghost', Password: 'LongEnough1' })), 'UserNotFoundException');
    });

    it('AdminAddUserToGroup adds to an existing group; unknown groups are ResourceNotFoundException', async () => {
      await sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'alice', GroupName: 'admin' }));
      const { Groups } = await sdk.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'alice' }));
      assert.deepEqual(Groups!.map((g) => g.GroupName), ['admin']);
      await rejects(sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'alice', GroupName: 'nope' })), 'ResourceNotFoundException', 'Group not found.');
    });

    it('AdminSetUserMFAPreference enables SMS for a user with a phone; TOTP needs a verified token', async () => {
      await sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'carl', TemporaryPassword: 'LongEnough1', UserAttributes: [{ Name: 'phone_number', Value: '+15555550123' }] }));
      await sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'carl', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const user = await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'carl' }));
      assert.equal(user.PreferredMfaSetting, 'SMS_MFA');
      assert.deepEqual(user.UserMFASettingList, ['SMS_MFA']);
      await rejects(
        sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'carl', SoftwareTokenMfaSettings: { Enabled: true } })),
        'InvalidParameterException',
        'User has not verified software token mfa',
      );
      await rejects(
        sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'alice', SMSMfaSettings: { Enabled: true } })),
        'InvalidParameterException',
      );
    });
  });

  describe('more admin user operations', () => {
    it('AdminUpdateUserAttributes updates attributes and refuses unknown ones', async () => {
      await sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'alice', UserAttributes: [{ Name: 'name', Value: 'Alice A.' }] }));
      const user = await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }));
      assert.equal(user.UserAttributes!.find((a) => a.Name === 'name')?.Value, 'Alice A.');
      await rejects(
        sdk.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'alice', UserAttributes: [{ Name: 'sub', Value: 'mine' }] })),
        'InvalidParameterException',
      );
    });

    it('AdminRemoveUserFromGroup removes membership; unknown groups are ResourceNotFoundException', async () => {
      await sdk.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'alice', GroupName: 'admin' }));
      assert.deepEqual((await sdk.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'alice' }))).Groups, []);
      await rejects(sdk.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'alice', GroupName: 'nope' })), 'ResourceNotFoundException');
    });

    it('AdminDeleteUser deletes; a second delete is UserNotFoundException', async () => {
      await sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'doomed', TemporaryPassword: 'LongEnough1' }));
      await sdk.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'doomed' }));
      await rejects(sdk.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'doomed' })), 'UserNotFoundException');
    });

    it('AdminRespondToAuthChallenge refuses a client that is not in the pool and a garbage session', async () => {
      await rejects(
        sdk.send(new AdminRespondToAuthChallengeCommand({ UserPoolId: poolId, ClientId: 'nope', ChallengeName: 'SMS_MFA', Session: 'x', ChallengeResponses: { USERNAME: 'alice' } })),
        'ResourceNotFoundException',
      );
      const { UserPoolClient } = await sdk.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'admin-app', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
      await rejects(
        sdk.send(new AdminRespondToAuthChallengeCommand({ UserPoolId: poolId, ClientId: UserPoolClient!.ClientId, ChallengeName: 'SMS_MFA', Session: 'x', ChallengeResponses: { USERNAME: 'alice', SMS_MFA_CODE: '123456' } })),
        'NotAuthorizedException',
        'Invalid session for the user.',
      );
    });
  });

  it('control-plane calls without AWS credentials are refused with MissingAuthenticationTokenException', async () => {
    const res = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.CreateUserPool' },
      body: JSON.stringify({ PoolName: 'sneaky' }),
    });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });
});
