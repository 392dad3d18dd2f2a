/**
 * The listing operations through the AWS SDK: ListUsers (pagination, every filter type and
 * attribute, malformed filters, AttributesToGet), ListUsersInGroup, ListGroups, ListUserPools,
 * ListUserPoolClients, AdminListUserAuthEvents, and the SDK's own paginators over them.
 */
import assert from 'node:assert/strict';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminListUserAuthEventsCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  paginateListGroups,
  paginateListUserPoolClients,
  paginateListUserPools,
  paginateListUsers,
  paginateListUsersInGroup,
  type AttributeType,
  type CreateUserPoolCommandInput,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator, type Emulator } from '../../lib/emulator';
import { rejects } from './helpers';

const PARSE = 'Error while parsing filter.';
const names = (users: UserType[] | undefined): string[] => (users ?? []).map((u) => u.Username!);
const attr = (list: AttributeType[] | undefined, name: string): string | undefined => list?.find((a) => a.Name === name)?.Value;

describe('emulator: listing operations', () => {
  let emulator: Emulator;
  let sdk: CognitoIdentityProviderClient;
  const pools: string[] = [];

  async function pool(name: string, extra: Partial<CreateUserPoolCommandInput> = {}): Promise<string> {
    const { UserPool } = await sdk.send(new CreateUserPoolCommand({ PoolName: name, MfaConfiguration: 'OPTIONAL', ...extra }));
    pools.push(UserPool!.Id!);
    return UserPool!.Id!;
  }

  async function user(poolId: string, username: string, attributes: Record<string, string> = {}): Promise<void> {
    await sdk.send(new AdminCreateUserCommand({
      UserPoolId: poolId, Username: username, TemporaryPassword: 'Passw0rd!', MessageAction: 'SUPPRESS',
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }));
  }

  before(async () => {
    emulator = await startEmulator();
    sdk = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    });
  });
  after(async () => {
    sdk.destroy();
    await emulator.stop();
  });

  describe('ListUsers pagination', () => {
    let poolId: string;
    const created: string[] = [];

    before(async () => {
      poolId = await pool('many');
      for (let i = 0; i < 130; i++) {
        const name = `user-${String(i).padStart(3, '0')}`;
        await user(poolId, name);
        created.push(name);
      }
    });

    it('pages 130 users with Limit 60 as 60, 60 and 10, each user exactly once, in creation order', async () => {
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const out = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 60, PaginationToken: token }));
        pages.push(names(out.Users));
        token = out.PaginationToken;
      } while (token !== undefined);
      assert.deepEqual(pages.map((p) => p.length), [60, 60, 10]);
      assert.deepEqual(pages.flat(), created);
    });

    it('answers the same page for the same token, again and again', async () => {
      const first = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 7 }));
      const a = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 7, PaginationToken: first.PaginationToken }));
      const b = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 7, PaginationToken: first.PaginationToken }));
      assert.deepEqual(names(a.Users), created.slice(7, 14));
      assert.deepEqual(names(b.Users), names(a.Users));
      assert.equal(b.PaginationToken, a.PaginationToken);
    });

    it('pages 60 at a time without a Limit, or with Limit 0', async () => {
      assert.equal((await sdk.send(new ListUsersCommand({ UserPoolId: poolId }))).Users!.length, 60);
      assert.equal((await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 0 }))).Users!.length, 60);
    });

    it('paginateListUsers from the SDK walks every user once', async () => {
      const seen: string[] = [];
      let pages = 0;
      for await (const page of paginateListUsers({ client: sdk, pageSize: 60 }, { UserPoolId: poolId })) {
        pages++;
        seen.push(...names(page.Users));
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, created);
    });

    it('refuses a Limit outside 0–60 with Cognito\'s validation message', async () => {
      await rejects(sdk.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 61 })), 'InvalidParameterException',
        '1 validation error detected: Value \'61\' at \'limit\' failed to satisfy constraint: Member must have value less than or equal to 60');
      await rejects(sdk.send(new ListUsersCommand({ UserPoolId: poolId, Limit: -1 })), 'InvalidParameterException',
        '1 validation error detected: Value \'-1\' at \'limit\' failed to satisfy constraint: Member must have value greater than or equal to 0');
    });

    it('refuses a made-up token, and one issued for another pool or operation', async () => {
      await rejects(sdk.send(new ListUsersCommand({ UserPoolId: poolId, PaginationToken: 'not-a-token' })), 'InvalidParameterException',
        'Paging marker not-a-token is invalid for request.');
      const { PaginationToken } = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 1 }));
      const other = await pool('other');
      await rejects(sdk.send(new ListUsersCommand({ UserPoolId: other, PaginationToken })), 'InvalidParameterException', /^Paging marker /);
      await rejects(sdk.send(new ListGroupsCommand({ UserPoolId: poolId, NextToken: PaginationToken })), 'InvalidParameterException');
    });

    it('neither repeats nor skips a user when users are deleted between pages', async () => {
      const small = await pool('small');
      for (const n of ['a', 'b', 'c', 'd', 'e']) await user(small, n);
      const first = await sdk.send(new ListUsersCommand({ UserPoolId: small, Limit: 2 }));
      assert.deepEqual(names(first.Users), ['a', 'b']);
      await sdk.send(new AdminDeleteUserCommand({ UserPoolId: small, Username: 'b' }));
      await user(small, 'f');
      const rest: string[] = [];
      let token = first.PaginationToken;
      while (token !== undefined) {
        const out = await sdk.send(new ListUsersCommand({ UserPoolId: small, Limit: 2, PaginationToken: token }));
        rest.push(...names(out.Users));
        token = out.PaginationToken;
      }
      assert.deepEqual(rest, ['c', 'd', 'e', 'f']);
    });
  });

  describe('ListUsers filters and attributes', () => {
    let poolId: string;
    let subOfBob: string;

    before(async () => {
      poolId = await pool('search');
      await user(poolId, 'alice', {
        email: 'alice@example.com', given_name: 'Alice', family_name: 'Reddy', name: 'Alice Reddy',
        phone_number: '+15550001', preferred_username: 'ally', 'custom:tier': 'gold',
      });
      await user(poolId, 'alan', { email: 'alan@example.org', given_name: 'Alan', family_name: 'Reddick', phone_number: '+15550002' });
      await user(poolId, 'Bob', { email: 'bob@example.com', name: 'Bob "the builder"' });
      await user(poolId, 'carol', { email: 'carol@example.com' });
      await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alan', Password: 'Passw0rd!2', Permanent: true }));
      await sdk.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'carol' }));
      subOfBob = attr((await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Bob' }))).UserAttributes, 'sub')!;
    });

    async function matching(filter: string, id = poolId): Promise<string[]> {
      return names((await sdk.send(new ListUsersCommand({ UserPoolId: id, Filter: filter }))).Users);
    }

    it('lists every user for an empty or blank filter', async () => {
      assert.deepEqual(await matching(''), ['alice', 'alan', 'Bob', 'carol']);
      assert.deepEqual(await matching('  '), ['alice', 'alan', 'Bob', 'carol']);
    });

    it('username: exact and prefix, case-sensitive in a case-sensitive pool', async () => {
      assert.deepEqual(await matching('username = "alice"'), ['alice']);
      assert.deepEqual(await matching('username ^= "al"'), ['alice', 'alan']);
      assert.deepEqual(await matching('username = "bob"'), []);
      assert.deepEqual(await matching('username = "Bob"'), ['Bob']);
    });

    it('username: case-insensitive in a pool with CaseSensitive false', async () => {
      const relaxed = await pool('relaxed', { UsernameConfiguration: { CaseSensitive: false } });
      await user(relaxed, 'Dora');
      await user(relaxed, 'dorian');
      assert.deepEqual(await matching('username = "DORA"', relaxed), ['Dora']);
      assert.deepEqual(await matching('username ^= "DOR"', relaxed), ['Dora', 'dorian']);
    });

    it('email, phone_number, name, given_name, family_name, preferred_username, sub', async () => {
      assert.deepEqual(await matching('email = "bob@example.com"'), ['Bob']);
      assert.deepEqual(await matching('email ^= "a"'), ['alice', 'alan']);
      assert.deepEqual(await matching('email = "BOB@example.com"'), []);
      assert.deepEqual(await matching('phone_number ^= "+1555000"'), ['alice', 'alan']);
      assert.deepEqual(await matching('phone_number = "+15550002"'), ['alan']);
      assert.deepEqual(await matching('name = "Alice Reddy"'), ['alice']);
      assert.deepEqual(await matching('given_name ^= "Al"'), ['alice', 'alan']);
      assert.deepEqual(await matching('family_name ^= "Redd"'), ['alice', 'alan']);
      assert.deepEqual(await matching('family_name = "Redd"'), []);
      assert.deepEqual(await matching('preferred_username = "ally"'), ['alice']);
      assert.deepEqual(await matching(`sub = "${subOfBob}"`), ['Bob']);
      assert.deepEqual(await matching(`sub ^= "${subOfBob.slice(0, 8)}"`), ['Bob']);
    });

    it('cognito:user_status (any case) and status (Enabled / Disabled, exact case)', async () => {
      assert.deepEqual(await matching('cognito:user_status = "CONFIRMED"'), ['alan']);
      assert.deepEqual(await matching('cognito:user_status = "force_change_password"'), ['alice', 'Bob', 'carol']);
      assert.deepEqual(await matching('cognito:user_status ^= "Force"'), ['alice', 'Bob', 'carol']);
      assert.deepEqual(await matching('status = "Disabled"'), ['carol']);
      assert.deepEqual(await matching('status = "Enabled"'), ['alice', 'alan', 'Bob']);
      assert.deepEqual(await matching('status = "disabled"'), []);
    });

    it('accepts no blanks around the operator and \\" for a quote inside the value', async () => {
      assert.deepEqual(await matching('email="carol@example.com"'), ['carol']);
      assert.deepEqual(await matching('email^="car"'), ['carol']);
      assert.deepEqual(await matching('name = "Bob \\"the builder\\""'), ['Bob']);
    });

    it('refuses malformed filters with "Error while parsing filter."', async () => {
      for (const bad of ['email = bob@example.com', 'email == "x"', 'email != "x"', 'email = \'x\'', 'email = "x', 'email = "x" and name = "y"', '= "x"']) {
        await rejects(sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: bad })), 'InvalidParameterException', PARSE);
      }
    });

    it('refuses attributes Cognito cannot search on, custom ones included', async () => {
      for (const name of ['custom:tier', 'email_verified', 'address']) {
        await rejects(sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: `${name} = "x"` })), 'InvalidParameterException',
          `Invalid search attribute: ${name}`);
      }
    });

    it('refuses a filter longer than 256 characters', async () => {
      const long = `email = "${'a'.repeat(250)}"`;
      await rejects(sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: long })), 'InvalidParameterException',
        /at 'filter' failed to satisfy constraint: Member must have length less than or equal to 256$/);
    });

    it('pages a filtered list in full pages', async () => {
      const first = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'status = "Enabled"', Limit: 2 }));
      assert.deepEqual(names(first.Users), ['alice', 'alan']);
      const second = await sdk.send(new ListUsersCommand({
        UserPoolId: poolId, Filter: 'status = "Enabled"', Limit: 2, PaginationToken: first.PaginationToken,
      }));
      assert.deepEqual(names(second.Users), ['Bob']);
      assert.equal(second.PaginationToken, undefined);
    });

    it('AttributesToGet returns only the named attributes; [] returns none', async () => {
      const only = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username = "alice"', AttributesToGet: ['email', 'given_name'] }));
      assert.deepEqual(only.Users![0].Attributes, [{ Name: 'email', Value: 'alice@example.com' }, { Name: 'given_name', Value: 'Alice' }]);
      const withSub = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username = "Bob"', AttributesToGet: ['email', 'sub'] }));
      assert.deepEqual(withSub.Users![0].Attributes, [{ Name: 'sub', Value: subOfBob }, { Name: 'email', Value: 'bob@example.com' }]);
      const none = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, AttributesToGet: [] }));
      assert.equal(none.Users!.length, 4);
      for (const u of none.Users!) assert.deepEqual(u.Attributes ?? [], []);
    });

    it('describes users as AdminGetUser does: UserType members, MFAOptions when SMS MFA is on', async () => {
      await sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'alice', SMSMfaSettings: { Enabled: true } }));
      const [listed] = (await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username = "alice"' }))).Users!;
      const got = await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }));
      assert.deepEqual(Object.keys(listed).sort(),
        ['Attributes', 'Enabled', 'MFAOptions', 'UserCreateDate', 'UserLastModifiedDate', 'UserStatus', 'Username']);
      assert.deepEqual(listed.Attributes, got.UserAttributes);
      assert.deepEqual(listed.MFAOptions, [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }]);
      assert.deepEqual([listed.Username, listed.Enabled, listed.UserStatus], [got.Username, got.Enabled, got.UserStatus]);
      assert.equal(listed.UserCreateDate!.getTime(), got.UserCreateDate!.getTime());
      assert.equal(listed.UserLastModifiedDate!.getTime(), got.UserLastModifiedDate!.getTime());
      const [bob] = (await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username = "Bob"' }))).Users!;
      assert.equal(bob.MFAOptions, undefined);
    });
  });

  describe('groups', () => {
    let poolId: string;
    const created: Array<Record<string, unknown>> = [];

    before(async () => {
      poolId = await pool('grouped');
      for (const [GroupName, extra] of [
        ['admins', { Description: 'Administrators', Precedence: 1, RoleArn: 'arn:aws:iam::000000000000:role/admin' }],
        ['staff', { Precedence: 5 }],
        ['guests', {}],
      ] as const) {
        const { Group } = await sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName, ...extra }));
        created.push(Group as Record<string, unknown>);
      }
      for (const n of ['u1', 'u2', 'u3', 'u4']) await user(poolId, n);
      for (const n of ['u1', 'u3', 'u4']) await sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: n, GroupName: 'staff' }));
    });

    it('ListGroups returns the groups as CreateGroup described them, in creation order, paginated', async () => {
      const first = await sdk.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 2 }));
      assert.ok(first.NextToken);
      const second = await sdk.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 2, NextToken: first.NextToken }));
      assert.equal(second.NextToken, undefined);
      assert.deepEqual([...first.Groups!, ...second.Groups!], created);
      const all = await sdk.send(new ListGroupsCommand({ UserPoolId: poolId }));
      assert.deepEqual(all.Groups!.map((g) => g.GroupName), ['admins', 'staff', 'guests']);
      const walked: string[] = [];
      for await (const page of paginateListGroups({ client: sdk, pageSize: 1 }, { UserPoolId: poolId })) {
        walked.push(...page.Groups!.map((g) => g.GroupName!));
      }
      assert.deepEqual(walked, ['admins', 'staff', 'guests']);
    });

    it('ListUsersInGroup lists the members (UserType), paginated; removed members drop out', async () => {
      const first = await sdk.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'staff', Limit: 2 }));
      assert.deepEqual(names(first.Users), ['u1', 'u3']);
      assert.equal(attr(first.Users![0].Attributes, 'sub')?.length, 36);
      const second = await sdk.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'staff', Limit: 2, NextToken: first.NextToken }));
      assert.deepEqual(names(second.Users), ['u4']);
      assert.equal(second.NextToken, undefined);
      await sdk.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'u3', GroupName: 'staff' }));
      const walked: string[] = [];
      for await (const page of paginateListUsersInGroup({ client: sdk, pageSize: 1 }, { UserPoolId: poolId, GroupName: 'staff' })) {
        walked.push(...names(page.Users));
      }
      assert.deepEqual(walked, ['u1', 'u4']);
      assert.deepEqual(names((await sdk.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'guests' }))).Users), []);
    });

    it('ListUsersInGroup: an unknown group is ResourceNotFoundException; a token is bound to its group', async () => {
      await rejects(sdk.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'nobody' })), 'ResourceNotFoundException', 'Group not found.');
      const { NextToken } = await sdk.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'staff', Limit: 1 }));
      await rejects(sdk.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'admins', NextToken })), 'InvalidParameterException');
    });
  });

  describe('pools and clients', () => {
    it('ListUserPools: MaxResults is required (1–60); pools come in creation order with their summary', async () => {
      const lambda = await pool('with-lambda', { LambdaConfig: { PreSignUp: 'arn:aws:lambda:us-east-1:000000000000:function:pre' } });
      const walked: Array<{ Id?: string; Name?: string }> = [];
      for await (const page of paginateListUserPools({ client: sdk, pageSize: 2 }, { MaxResults: 2 })) {
        assert.ok(page.UserPools!.length <= 2);
        walked.push(...page.UserPools!);
      }
      assert.deepEqual(walked.map((p) => p.Id), pools);
      const { UserPools } = await sdk.send(new ListUserPoolsCommand({ MaxResults: 60 }));
      const summary = UserPools!.find((p) => p.Id === lambda)!;
      assert.deepEqual(Object.keys(summary).sort(), ['CreationDate', 'Id', 'LambdaConfig', 'LastModifiedDate', 'Name']);
      assert.equal(summary.Name, 'with-lambda');
      assert.deepEqual(summary.LambdaConfig, { PreSignUp: 'arn:aws:lambda:us-east-1:000000000000:function:pre' });
      assert.ok(summary.CreationDate instanceof Date);
      assert.deepEqual(UserPools!.find((p) => p.Id === pools[0])!.LambdaConfig, {});
      await rejects(sdk.send(new ListUserPoolsCommand({} as { MaxResults: number })), 'InvalidParameterException',
        '1 validation error detected: Value null at \'maxResults\' failed to satisfy constraint: Member must not be null');
      await rejects(sdk.send(new ListUserPoolsCommand({ MaxResults: 0 })), 'InvalidParameterException',
        '1 validation error detected: Value \'0\' at \'maxResults\' failed to satisfy constraint: Member must have value greater than or equal to 1');
      await rejects(sdk.send(new ListUserPoolsCommand({ MaxResults: 61 })), 'InvalidParameterException', /less than or equal to 60$/);
    });

    it('ListUserPoolClients: ClientId, UserPoolId and ClientName only, paginated (MaxResults 1–60, default 60)', async () => {
      const poolId = await pool('clients');
      const ids: string[] = [];
      for (const ClientName of ['web', 'mobile', 'cli', 'batch', 'admin']) {
        const input = { UserPoolId: poolId, ClientName, GenerateSecret: true };
        const { UserPoolClient } = await sdk.send(new CreateUserPoolClientCommand(input));
        ids.push(UserPoolClient!.ClientId!);
      }
      const first = await sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 2 }));
      assert.deepEqual(first.UserPoolClients, [
        { ClientId: ids[0], UserPoolId: poolId, ClientName: 'web' },
        { ClientId: ids[1], UserPoolId: poolId, ClientName: 'mobile' },
      ]);
      const walked: string[] = [];
      for await (const page of paginateListUserPoolClients({ client: sdk, pageSize: 2 }, { UserPoolId: poolId })) {
        walked.push(...page.UserPoolClients!.map((c) => c.ClientId!));
      }
      assert.deepEqual(walked, ids);
      const all = await sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId }));
      assert.equal(all.UserPoolClients!.length, 5);
      assert.equal(all.NextToken, undefined);
      await rejects(sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 0 })), 'InvalidParameterException',
        /Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1$/);
    });
  });

  describe('AdminListUserAuthEvents', () => {
    it('is UserPoolAddOnNotEnabledException unless AdvancedSecurityMode is AUDIT or ENFORCED', async () => {
      for (const addOns of [undefined, { AdvancedSecurityMode: 'OFF' as const }]) {
        const poolId = await pool('plain', addOns ? { UserPoolAddOns: addOns } : {});
        await user(poolId, 'eve');
        const error = await rejects(sdk.send(new AdminListUserAuthEventsCommand({ UserPoolId: poolId, Username: 'eve' })), 'UserPoolAddOnNotEnabledException');
        assert.equal(error.$metadata?.httpStatusCode, 400);
      }
    });

    it('with the add-on on, answers an empty history (events are not recorded) and refuses unknown users', async () => {
      for (const mode of ['AUDIT', 'ENFORCED'] as const) {
        const poolId = await pool(`secure-${mode}`, { UserPoolAddOns: { AdvancedSecurityMode: mode } });
        await user(poolId, 'eve');
        const out = await sdk.send(new AdminListUserAuthEventsCommand({ UserPoolId: poolId, Username: 'eve', MaxResults: 10 }));
        assert.deepEqual(out.AuthEvents, []);
        assert.equal(out.NextToken, undefined);
        await rejects(sdk.send(new AdminListUserAuthEventsCommand({ UserPoolId: poolId, Username: 'ghost' })), 'UserNotFoundException');
        await rejects(sdk.send(new AdminListUserAuthEventsCommand({ UserPoolId: poolId, Username: 'eve', MaxResults: 61 })), 'InvalidParameterException');
        await rejects(sdk.send(new AdminListUserAuthEventsCommand({ UserPoolId: poolId, Username: 'eve', NextToken: 'x' })), 'InvalidParameterException');
      }
    });
  });

  describe('common refusals', () => {
    it('an unknown pool is ResourceNotFoundException for every pool-scoped listing', async () => {
      const UserPoolId = 'us-east-1_nopenope1';
      const message = `User pool ${UserPoolId} does not exist.`;
      await rejects(sdk.send(new ListUsersCommand({ UserPoolId })), 'ResourceNotFoundException', message);
      await rejects(sdk.send(new ListUsersInGroupCommand({ UserPoolId, GroupName: 'g' })), 'ResourceNotFoundException', message);
      await rejects(sdk.send(new ListGroupsCommand({ UserPoolId })), 'ResourceNotFoundException', message);
      await rejects(sdk.send(new ListUserPoolClientsCommand({ UserPoolId })), 'ResourceNotFoundException', message);
      await rejects(sdk.send(new AdminListUserAuthEventsCommand({ UserPoolId, Username: 'u' })), 'ResourceNotFoundException', message);
    });

    it('needs AWS credentials (an Authorization header), like the rest of the admin API', async () => {
      for (const operation of ['ListUsers', 'ListGroups', 'ListUserPools', 'ListUserPoolClients', 'ListUsersInGroup', 'AdminListUserAuthEvents']) {
        const res = await fetch(emulator.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
          body: JSON.stringify({ UserPoolId: pools[0], MaxResults: 1 }),
        });
        assert.equal(res.status, 403, operation);
        assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
      }
    });
  });
});
