/**
 * The hosted UI's control plane through the AWS SDK: app-client OAuth settings (callback and
 * logout URLs, flows, scopes, identity providers; UpdateUserPoolClient's reset-to-default
 * semantics), user pool domains, resource servers with custom scopes, and identity providers.
 */
import assert from 'node:assert/strict';
import {
  CognitoIdentityProviderClient,
  CreateIdentityProviderCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteIdentityProviderCommand,
  DeleteResourceServerCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolDomainCommand,
  DescribeIdentityProviderCommand,
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  GetIdentityProviderByIdentifierCommand,
  ListIdentityProvidersCommand,
  ListResourceServersCommand,
  UpdateIdentityProviderCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolDomainCommand,
  type CreateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator, type Emulator } from '../../lib/emulator';
import { redirectUrlProblem } from '../../lib/emulator/oauth-settings';
import { rejects } from './helpers';

const OIDC_DETAILS = {
  client_id: 'upstream-client',
  client_secret: 'upstream-secret',
  attributes_request_method: 'GET',
  oidc_issuer: 'http://127.0.0.1:1/us-east-1_upstream',
  authorize_scopes: 'openid email',
};

describe('emulator: OAuth control plane (domains, resource servers, identity providers, client OAuth settings)', () => {
  let emulator: Emulator;
  let sdk: CognitoIdentityProviderClient;
  let poolId: string;

  before(async () => {
    emulator = await startEmulator();
    sdk = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    });
    const { UserPool } = await sdk.send(new CreateUserPoolCommand({ PoolName: 'hosted' }));
    poolId = UserPool!.Id!;
    await sdk.send(new CreateResourceServerCommand({
      UserPoolId: poolId, Identifier: 'https://api.example.com', Name: 'api',
      Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }, { ScopeName: 'write', ScopeDescription: 'Write' }],
    }));
  });
  after(() => emulator.stop());

  const client = (extra: Partial<CreateUserPoolClientCommandInput>): Promise<string> =>
    sdk.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'c', ...extra })).then((r) => r.UserPoolClient!.ClientId!);

  describe('redirect URLs', () => {
    it('allows https, http on localhost / 127.0.0.1 / [::1] (any port) and app schemes', () => {
      for (const url of ['https://app.example.com/cb', 'http://localhost:3000/cb', 'http://127.0.0.1:8080/x', 'http://[::1]:9/cb', 'myapp://callback']) {
        assert.equal(redirectUrlProblem(url), undefined, url);
      }
    });

    it('refuses http elsewhere, fragments, relative URLs and script schemes', () => {
      for (const url of ['http://example.com/cb', 'http://127.0.0.2/cb', 'http://localhost.evil.com/cb', 'https://a.example/cb#x', '/cb', '',
        'javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'x'.repeat(1025)]) {
        assert.notEqual(redirectUrlProblem(url), undefined, url);
      }
    });
  });

  describe('app client OAuth settings', () => {
    it('stores and describes callback/logout URLs, flows, scopes (standard and custom) and providers', async () => {
      const id = await client({
        CallbackURLs: ['http://127.0.0.1:3000/callback', 'https://app.example.com/cb'],
        LogoutURLs: ['http://127.0.0.1:3000/'],
        DefaultRedirectURI: 'https://app.example.com/cb',
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'https://api.example.com/read'],
        AllowedOAuthFlowsUserPoolClient: true,
        SupportedIdentityProviders: ['COGNITO'],
      });
      const { UserPoolClient: c } = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: id }));
      assert.deepEqual(c!.CallbackURLs, ['http://127.0.0.1:3000/callback', 'https://app.example.com/cb']);
      assert.deepEqual(c!.LogoutURLs, ['http://127.0.0.1:3000/']);
      assert.equal(c!.DefaultRedirectURI, 'https://app.example.com/cb');
      assert.deepEqual(c!.AllowedOAuthFlows, ['code']);
      assert.deepEqual(c!.AllowedOAuthScopes, ['openid', 'email', 'https://api.example.com/read']);
      assert.equal(c!.AllowedOAuthFlowsUserPoolClient, true);
      assert.deepEqual(c!.SupportedIdentityProviders, ['COGNITO']);
    });

    it('a client without OAuth settings describes AllowedOAuthFlowsUserPoolClient false and no URLs', async () => {
      const id = await client({});
      const { UserPoolClient: c } = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: id }));
      assert.equal(c!.AllowedOAuthFlowsUserPoolClient, false);
      assert.equal(c!.CallbackURLs, undefined);
      assert.equal(c!.AllowedOAuthFlows, undefined);
    });

    it('refuses a plain-http callback URL off loopback, and a fragment', async () => {
      await rejects(client({ CallbackURLs: ['http://example.com/cb'] }), 'InvalidParameterException', /CallbackURLs.*HTTPS/);
      await rejects(client({ LogoutURLs: ['https://example.com/#x'] }), 'InvalidParameterException', /LogoutURLs.*fragment/);
    });

    it('refuses a DefaultRedirectURI that is not a callback URL', async () => {
      await rejects(client({ CallbackURLs: ['https://a.example/cb'], DefaultRedirectURI: 'https://b.example/cb' }), 'InvalidParameterException');
    });

    it('refuses unknown flows and scopes', async () => {
      await rejects(client({ AllowedOAuthFlows: ['password' as 'code'] }), 'InvalidParameterException');
      await rejects(client({ AllowedOAuthScopes: ['https://api.example.com/delete'] }), 'ScopeDoesNotExistException', /delete/);
      await rejects(client({ AllowedOAuthScopes: ['offline_access'] }), 'ScopeDoesNotExistException');
    });

    it('refuses code / implicit flows without callback URLs', async () => {
      await rejects(client({ AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], AllowedOAuthFlowsUserPoolClient: true }),
        'InvalidOAuthFlowException', 'CallbackUrls can not be empty when code flow or implicit flow is selected');
    });

    it('refuses OAuth enabled without flows or scopes', async () => {
      await rejects(client({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: ['openid'] }), 'InvalidOAuthFlowException');
      await rejects(client({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], CallbackURLs: ['https://a.example/cb'] }),
        'InvalidOAuthFlowException');
    });

    it('client_credentials: needs a secret, no other flow, custom scopes only', async () => {
      const m2m = { AllowedOAuthFlows: ['client_credentials' as const], AllowedOAuthScopes: ['https://api.example.com/read'], AllowedOAuthFlowsUserPoolClient: true };
      await rejects(client(m2m), 'InvalidOAuthFlowException', /client secret/);
      await rejects(client({ ...m2m, GenerateSecret: true, AllowedOAuthFlows: ['client_credentials', 'code'], CallbackURLs: ['https://a.example/cb'] }),
        'InvalidOAuthFlowException', /along with code flow/);
      await rejects(client({ ...m2m, GenerateSecret: true, AllowedOAuthScopes: ['openid'] }), 'InvalidOAuthFlowException', /custom scopes/);
      const id = await client({ ...m2m, GenerateSecret: true });
      const { UserPoolClient: c } = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: id }));
      assert.deepEqual(c!.AllowedOAuthFlows, ['client_credentials']);
    });

    it('refuses a SupportedIdentityProviders entry the pool does not have', async () => {
      await rejects(client({ SupportedIdentityProviders: ['COGNITO', 'Nope'] }), 'InvalidParameterException', /Nope does not exist/);
    });

    it('UpdateUserPoolClient replaces the configuration: what is left out goes back to its default', async () => {
      const id = await client({
        GenerateSecret: true, CallbackURLs: ['https://a.example/cb'], AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'],
        AllowedOAuthFlowsUserPoolClient: true, AccessTokenValidity: 10, TokenValidityUnits: { AccessToken: 'minutes' },
      });
      const before = (await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: id }))).UserPoolClient!;
      const { UserPoolClient: after } = await sdk.send(new UpdateUserPoolClientCommand({
        UserPoolId: poolId, ClientId: id, ClientName: 'renamed', CallbackURLs: ['https://b.example/cb'],
      }));
      assert.equal(after!.ClientName, 'renamed');
      assert.equal(after!.ClientSecret, before.ClientSecret);
      assert.equal(after!.CreationDate?.getTime(), before.CreationDate?.getTime());
      assert.deepEqual(after!.CallbackURLs, ['https://b.example/cb']);
      assert.equal(after!.AllowedOAuthFlows, undefined);
      assert.equal(after!.AllowedOAuthFlowsUserPoolClient, false);
      assert.equal(after!.AccessTokenValidity, 60);
      await rejects(sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: id, CallbackURLs: ['http://evil.example/'] })),
        'InvalidParameterException');
      await rejects(sdk.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: 'nope' })), 'ResourceNotFoundException');
    });

    it('DeleteUserPoolClient removes the client', async () => {
      const id = await client({});
      await sdk.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: id }));
      await rejects(sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: id })), 'ResourceNotFoundException');
    });
  });

  describe('user pool domains', () => {
    it('creates, describes, updates and deletes a prefix domain; DescribeUserPool names it', async () => {
      const { UserPool } = await sdk.send(new CreateUserPoolCommand({ PoolName: 'with-domain' }));
      const id = UserPool!.Id!;
      const created = await sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: id, Domain: 'my-app-1', ManagedLoginVersion: 2 }));
      assert.equal(created.ManagedLoginVersion, 2);
      assert.equal(created.CloudFrontDomain, undefined);
      const { DomainDescription: d } = await sdk.send(new DescribeUserPoolDomainCommand({ Domain: 'my-app-1' }));
      assert.equal(d!.UserPoolId, id);
      assert.equal(d!.Status, 'ACTIVE');
      assert.equal(d!.ManagedLoginVersion, 2);
      assert.equal((await sdk.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool!.Domain, 'my-app-1');
      const updated = await sdk.send(new UpdateUserPoolDomainCommand({ UserPoolId: id, Domain: 'my-app-1', ManagedLoginVersion: 1 }));
      assert.equal(updated.ManagedLoginVersion, 1);
      await rejects(sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: id, Domain: 'my-app-2' })), 'InvalidParameterException',
        'User pool already has a domain configured.');
      await sdk.send(new DeleteUserPoolDomainCommand({ UserPoolId: id, Domain: 'my-app-1' }));
      assert.deepEqual((await sdk.send(new DescribeUserPoolDomainCommand({ Domain: 'my-app-1' }))).DomainDescription, {});
      assert.equal((await sdk.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool!.Domain, undefined);
      await rejects(sdk.send(new DeleteUserPoolDomainCommand({ UserPoolId: id, Domain: 'my-app-1' })), 'InvalidParameterException');
    });

    it('a custom domain needs an ACM certificate ARN and returns a CloudFront domain', async () => {
      const created = await sdk.send(new CreateUserPoolDomainCommand({
        UserPoolId: poolId, Domain: 'auth.example.com', CustomDomainConfig: { CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123' },
      }));
      assert.match(created.CloudFrontDomain ?? '', /^d[0-9a-f]{13}\.cloudfront\.net$/);
      assert.equal((await sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.CustomDomain, 'auth.example.com');
      await rejects(sdk.send(new CreateUserPoolDomainCommand({
        UserPoolId: poolId, Domain: 'auth2.example.com', CustomDomainConfig: { CertificateArn: 'not-an-arn' },
      })), 'InvalidParameterException');
    });

    it('refuses bad prefixes, reserved words and a domain another pool has', async () => {
      for (const domain of ['UPPER', '-lead', 'trail-', 'has.dot', 'a'.repeat(64), 'my-cognito-app', 'awsome', 'amazonia']) {
        await rejects(sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain })), 'InvalidParameterException');
      }
      await sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: 'taken-one' }));
      const { UserPool } = await sdk.send(new CreateUserPoolCommand({ PoolName: 'other' }));
      await rejects(sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: UserPool!.Id!, Domain: 'taken-one' })), 'InvalidParameterException',
        'Domain already associated with another user pool.');
      await rejects(sdk.send(new DeleteUserPoolDomainCommand({ UserPoolId: UserPool!.Id!, Domain: 'taken-one' })), 'InvalidParameterException');
      await rejects(sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: 'us-east-1_nope', Domain: 'free-one' })), 'ResourceNotFoundException');
    });
  });

  describe('resource servers', () => {
    it('creates, describes, lists (paged), updates and deletes; removed scopes leave the clients', async () => {
      const { UserPool } = await sdk.send(new CreateUserPoolCommand({ PoolName: 'servers' }));
      const id = UserPool!.Id!;
      for (const n of [1, 2, 3]) {
        await sdk.send(new CreateResourceServerCommand({
          UserPoolId: id, Identifier: `api${n}`, Name: `API ${n}`, Scopes: [{ ScopeName: 'read', ScopeDescription: 'r' }],
        }));
      }
      const described = await sdk.send(new DescribeResourceServerCommand({ UserPoolId: id, Identifier: 'api2' }));
      assert.deepEqual(described.ResourceServer!.Scopes, [{ ScopeName: 'read', ScopeDescription: 'r' }]);
      const first = await sdk.send(new ListResourceServersCommand({ UserPoolId: id, MaxResults: 2 }));
      assert.deepEqual(first.ResourceServers!.map((s) => s.Identifier), ['api1', 'api2']);
      const second = await sdk.send(new ListResourceServersCommand({ UserPoolId: id, MaxResults: 2, NextToken: first.NextToken! }));
      assert.deepEqual(second.ResourceServers!.map((s) => s.Identifier), ['api3']);
      assert.equal(second.NextToken, undefined);

      const { UserPoolClient } = await sdk.send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'uses', AllowedOAuthScopes: ['api1/read'] }));
      await sdk.send(new UpdateResourceServerCommand({ UserPoolId: id, Identifier: 'api1', Name: 'API one', Scopes: [{ ScopeName: 'write', ScopeDescription: 'w' }] }));
      const after = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: id, ClientId: UserPoolClient!.ClientId! }));
      assert.equal(after.UserPoolClient!.AllowedOAuthScopes, undefined);
      await sdk.send(new DeleteResourceServerCommand({ UserPoolId: id, Identifier: 'api1' }));
      await rejects(sdk.send(new DescribeResourceServerCommand({ UserPoolId: id, Identifier: 'api1' })), 'ResourceNotFoundException');
    });

    it('refuses duplicates, bad scope names, missing descriptions and MaxResults out of range', async () => {
      await rejects(sdk.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'https://api.example.com', Name: 'again' })),
        'InvalidParameterException', /already exists/);
      await rejects(sdk.send(new CreateResourceServerCommand({
        UserPoolId: poolId, Identifier: 'x', Name: 'x', Scopes: [{ ScopeName: 'a/b', ScopeDescription: 'd' }],
      })), 'InvalidParameterException');
      await rejects(sdk.send(new CreateResourceServerCommand({
        UserPoolId: poolId, Identifier: 'y', Name: 'y', Scopes: [{ ScopeName: 'a', ScopeDescription: '' }],
      })), 'InvalidParameterException');
      await rejects(sdk.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 51 })), 'InvalidParameterException');
    });
  });

  describe('identity providers', () => {
    it('creates an OIDC provider (username mapped from sub), describes, finds by identifier, updates, lists and deletes', async () => {
      const { UserPool } = await sdk.send(new CreateUserPoolCommand({ PoolName: 'federated' }));
      const id = UserPool!.Id!;
      const { IdentityProvider: p } = await sdk.send(new CreateIdentityProviderCommand({
        UserPoolId: id, ProviderName: 'Upstream', ProviderType: 'OIDC', ProviderDetails: OIDC_DETAILS,
        AttributeMapping: { email: 'email' }, IdpIdentifiers: ['example.com'],
      }));
      assert.deepEqual(p!.AttributeMapping, { email: 'email', username: 'sub' });
      const byId = await sdk.send(new GetIdentityProviderByIdentifierCommand({ UserPoolId: id, IdpIdentifier: 'example.com' }));
      assert.equal(byId.IdentityProvider!.ProviderName, 'Upstream');
      const { UserPoolClient } = await sdk.send(new CreateUserPoolClientCommand({
        UserPoolId: id, ClientName: 'web', SupportedIdentityProviders: ['COGNITO', 'Upstream'],
      }));
      const updated = await sdk.send(new UpdateIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Upstream', ProviderDetails: { authorize_scopes: 'openid' } }));
      assert.equal(updated.IdentityProvider!.ProviderDetails!.authorize_scopes, 'openid');
      assert.equal(updated.IdentityProvider!.ProviderDetails!.client_id, 'upstream-client');
      const list = await sdk.send(new ListIdentityProvidersCommand({ UserPoolId: id }));
      assert.deepEqual(list.Providers!.map((x) => [x.ProviderName, x.ProviderType]), [['Upstream', 'OIDC']]);
      await sdk.send(new DeleteIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Upstream' }));
      await rejects(sdk.send(new DescribeIdentityProviderCommand({ UserPoolId: id, ProviderName: 'Upstream' })), 'ResourceNotFoundException');
      const c = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: id, ClientId: UserPoolClient!.ClientId! }));
      assert.deepEqual(c.UserPoolClient!.SupportedIdentityProviders, ['COGNITO']);
    });

    it('refuses duplicates, missing details, a social provider under another name and unknown types', async () => {
      await sdk.send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Dup', ProviderType: 'OIDC', ProviderDetails: OIDC_DETAILS }));
      await rejects(sdk.send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Dup', ProviderType: 'OIDC', ProviderDetails: OIDC_DETAILS })),
        'DuplicateProviderException');
      await rejects(sdk.send(new CreateIdentityProviderCommand({
        UserPoolId: poolId, ProviderName: 'NoIssuer', ProviderType: 'OIDC', ProviderDetails: { ...OIDC_DETAILS, oidc_issuer: '' },
      })), 'InvalidParameterException', /oidc_issuer/);
      await rejects(sdk.send(new CreateIdentityProviderCommand({
        UserPoolId: poolId, ProviderName: 'BadMethod', ProviderType: 'OIDC', ProviderDetails: { ...OIDC_DETAILS, attributes_request_method: 'PUT' },
      })), 'InvalidParameterException');
      await rejects(sdk.send(new CreateIdentityProviderCommand({
        UserPoolId: poolId, ProviderName: 'MyGoogle', ProviderType: 'Google', ProviderDetails: { client_id: 'a', client_secret: 'b', authorize_scopes: 'email' },
      })), 'InvalidParameterException', /must be Google/);
      await rejects(sdk.send(new CreateIdentityProviderCommand({
        UserPoolId: poolId, ProviderName: 'X', ProviderType: 'Myspace' as 'OIDC', ProviderDetails: {},
      })), 'InvalidParameterException');
      await rejects(sdk.send(new CreateIdentityProviderCommand({
        UserPoolId: poolId, ProviderName: 'COGNITO', ProviderType: 'OIDC', ProviderDetails: OIDC_DETAILS,
      })), 'InvalidParameterException');
      await rejects(sdk.send(new GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: 'none' })), 'ResourceNotFoundException');
    });
  });

  describe('seed', () => {
    it('a seed makes the domain, resource servers and identity providers before the clients that use them', async () => {
      const { pools } = await emulator.seed({ pools: [{
        name: 'seeded-hosted',
        domain: 'seeded-app',
        resourceServers: [{ identifier: 'orders', name: 'Orders', scopes: [{ name: 'read', description: 'Read orders' }] }],
        identityProviders: [{ name: 'Upstream', type: 'OIDC', details: OIDC_DETAILS }],
        clients: [{ name: 'web', settings: {
          CallbackURLs: ['http://127.0.0.1:3000/cb'], AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'orders/read'],
          AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO', 'Upstream'],
        } }],
      }] });
      const seeded = pools['seeded-hosted'];
      assert.equal((await sdk.send(new DescribeUserPoolDomainCommand({ Domain: 'seeded-app' }))).DomainDescription!.UserPoolId, seeded.poolId);
      const clientId = seeded.clients.web.clientId;
      const { UserPoolClient: c } = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: seeded.poolId, ClientId: clientId }));
      assert.deepEqual(c!.AllowedOAuthScopes, ['openid', 'orders/read']);
      assert.deepEqual(c!.SupportedIdentityProviders, ['COGNITO', 'Upstream']);
      await assert.rejects(emulator.seed({ pools: [{ name: 'bad', domain: 'Not Valid' }] }), { name: 'InvalidParameterException' });
    });
  });
});
