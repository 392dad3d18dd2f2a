/**
 * PreTokenGeneration V1_0, V2_0 and V3_0 through the AWS SDK and /oauth2/token: the events of each
 * version and source, claims added / overridden / suppressed, the claims Cognito keeps, group
 * overrides, scopes (checked by the package's requireCognito({ scope })), and failure modes.
 * The V1 trigger is a seeded pool's own; V2 and V3 are named by LambdaConfig ARNs.
 */
import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import {
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  GetUserAuthFactorsCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator, type Emulator, type TriggerFunction, type TriggerInvocation } from '../../lib/emulator';
import { requireCognito } from '../../middleware/require-cognito';
import { claimsOf, rejects } from './helpers';

const PASSWORD = 'Passw0rd!';
const ARN = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const identity: TriggerFunction = (e: unknown) => e;

describe('emulator: PreTokenGeneration trigger', () => {
  let emulator: Emulator;
  let sdk: CognitoIdentityProviderClient;
  let ids: { v1Pool: string; v1Client: string; v2Pool: string; v2Client: string; v3Pool: string; m2mClient: string; m2mSecret: string };
  const behaviour: Record<'v1' | 'v2' | 'v3', TriggerFunction> = { v1: identity, v2: identity, v3: identity };

  before(async () => {
    emulator = await startEmulator({
      triggerTimeoutMs: 50,
      triggers: { tokenV2: (e) => behaviour.v2(e), tokenV3: { version: 'V1_0', handler: (e) => behaviour.v3(e) } },
    });
    sdk = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    });
    const flows = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
    const resourceServers = [{ identifier: 'orders', name: 'Orders', scopes: [{ name: 'read', description: 'Read' }] }];
    const { pools } = await emulator.seed({ pools: [
      {
        name: 'v1', clients: [{ name: 'web', explicitAuthFlows: flows }],
        groups: [{ name: 'staff', precedence: 1 }],
        users: [
          { username: 'ann', password: PASSWORD, attributes: { email: 'ann@example.com', email_verified: 'true' }, groups: ['staff'] },
          { username: 'tim', temporaryPassword: 'Temp0rary!' },
        ],
        triggers: { PreTokenGeneration: (e) => behaviour.v1(e) },
      },
      {
        name: 'v2', clients: [{ name: 'web', explicitAuthFlows: flows }],
        users: [{ username: 'bea', password: PASSWORD, attributes: { email: 'bea@example.com' } }],
        settings: { LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: ARN('tokenV2'), LambdaVersion: 'V2_0' } } },
      },
      {
        // The LambdaConfig version wins over the registered entry's (V1_0 there).
        name: 'v3', domain: 'triggers-m2m', resourceServers,
        clients: [{
          name: 'm2m', generateSecret: true,
          settings: { AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/read'], AllowedOAuthFlowsUserPoolClient: true },
        }],
        settings: { LambdaConfig: { PreTokenGeneration: ARN('tokenV3'), PreTokenGenerationConfig: { LambdaArn: ARN('tokenV3'), LambdaVersion: 'V3_0' } } },
      },
    ] });
    ids = {
      v1Pool: pools.v1.poolId, v1Client: pools.v1.clients.web.clientId,
      v2Pool: pools.v2.poolId, v2Client: pools.v2.clients.web.clientId,
      v3Pool: pools.v3.poolId, m2mClient: pools.v3.clients.m2m.clientId, m2mSecret: pools.v3.clients.m2m.clientSecret!,
    };
  });
  after(async () => {
    sdk.destroy();
    await emulator.stop();
  });
  afterEach(() => {
    behaviour.v1 = identity;
    behaviour.v2 = identity;
    behaviour.v3 = identity;
  });

  const signIn = (clientId: string, username: string, password = PASSWORD, extra: Record<string, unknown> = {}) =>
    sdk.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password }, ...extra,
    }));
  const last = (): TriggerInvocation => emulator.triggerInvocations('PreTokenGeneration').at(-1)!;

  it('V1_0 event: TokenGeneration_Authentication with attributes, group configuration, client metadata; null response', async () => {
    await signIn(ids.v1Client, 'ann', PASSWORD, { ClientMetadata: { tenant: 't1' } });
    const { event } = last();
    assert.equal(event.version, '1');
    assert.equal(event.triggerSource, 'TokenGeneration_Authentication');
    assert.equal(event.userName, 'ann');
    const req = event.request as Record<string, unknown>;
    assert.equal((req.userAttributes as Record<string, string>).email, 'ann@example.com');
    assert.deepEqual(req.groupConfiguration, { groupsToOverride: ['staff'], iamRolesToOverride: [], preferredRole: null });
    assert.deepEqual(req.clientMetadata, { tenant: 't1' });
    assert.equal('scopes' in req, false);
    assert.deepEqual(event.response, { claimsOverrideDetails: null });
  });

  it('V1_0 answer: ID-token claims added, overridden and suppressed; groups replaced; Cognito\'s claims kept', async () => {
    behaviour.v1 = (e) => ({
      ...e,
      response: {
        claimsOverrideDetails: {
          claimsToAddOrOverride: { tier: 'gold', email: 'shown@example.com', sub: 'forged', iss: 'https://evil', 'cognito:username': 'root', both: 'x' },
          claimsToSuppress: ['email_verified', 'both', 'aud'],
          groupOverrideDetails: { groupsToOverride: ['vip'], iamRolesToOverride: ['arn:aws:iam::000000000000:role/vip'], preferredRole: 'arn:aws:iam::000000000000:role/vip' },
        },
      },
    });
    const out = await signIn(ids.v1Client, 'ann');
    const id = claimsOf(out.AuthenticationResult!.IdToken!);
    const access = claimsOf(out.AuthenticationResult!.AccessToken!);
    assert.equal(id.tier, 'gold');
    assert.equal(id.email, 'shown@example.com');
    assert.equal(id.email_verified, undefined);
    assert.equal(id.both, undefined, 'suppressed wins over added');
    assert.notEqual(id.sub, 'forged');
    assert.equal(id['cognito:username'], 'ann');
    assert.equal(id.aud, ids.v1Client);
    assert.match(String(id.iss), new RegExp(`${ids.v1Pool}$`));
    assert.deepEqual(id['cognito:groups'], ['vip']);
    assert.deepEqual(id['cognito:roles'], ['arn:aws:iam::000000000000:role/vip']);
    assert.equal(id['cognito:preferred_role'], 'arn:aws:iam::000000000000:role/vip');
    assert.deepEqual(access['cognito:groups'], ['vip'], 'group overrides reach the access token too');
    assert.equal(access.tier, undefined, 'V1 does not touch the access token');
    assert.equal(access.scope, 'aws.cognito.signin.user.admin');
    // The access token still works against the user APIs.
    await sdk.send(new GetUserCommand({ AccessToken: out.AuthenticationResult!.AccessToken! }));
  });

  it('V1_0: groupOverrideDetails null removes the groups; a claim value that is an object is refused', async () => {
    behaviour.v1 = (e) => ({ ...e, response: { claimsOverrideDetails: { groupOverrideDetails: null } } });
    const out = await signIn(ids.v1Client, 'ann');
    assert.equal(claimsOf(out.AuthenticationResult!.IdToken!)['cognito:groups'], undefined);
    assert.equal(claimsOf(out.AuthenticationResult!.AccessToken!)['cognito:groups'], undefined);
    behaviour.v1 = (e) => ({ ...e, response: { claimsOverrideDetails: { claimsToAddOrOverride: { nested: { a: 1 } } } } });
    await rejects(signIn(ids.v1Client, 'ann'), 'InvalidLambdaResponseException');
    assert.equal(last().error, 'InvalidLambdaResponseException');
  });

  it('sources: TokenGeneration_NewPasswordChallenge after a new password, TokenGeneration_RefreshTokens on refresh', async () => {
    const first = await signIn(ids.v1Client, 'tim', 'Temp0rary!');
    assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    const done = await sdk.send(new RespondToAuthChallengeCommand({
      ClientId: ids.v1Client, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.Session,
      ChallengeResponses: { USERNAME: 'tim', NEW_PASSWORD: 'N3wPassw0rd!' },
    }));
    assert.equal(last().triggerSource, 'TokenGeneration_NewPasswordChallenge');
    behaviour.v1 = (e) => ({ ...e, response: { claimsOverrideDetails: { claimsToAddOrOverride: { refreshed: 'yes' } } } });
    const refreshed = await sdk.send(new InitiateAuthCommand({
      ClientId: ids.v1Client, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: done.AuthenticationResult!.RefreshToken! },
    }));
    assert.equal(last().triggerSource, 'TokenGeneration_RefreshTokens');
    assert.equal(claimsOf(refreshed.AuthenticationResult!.IdToken!).refreshed, 'yes');
  });

  it('a throwing or silent trigger fails the sign-in (UserLambdaValidationException, UnexpectedLambdaException)', async () => {
    behaviour.v1 = () => { throw new Error('claims service down'); };
    await rejects(signIn(ids.v1Client, 'ann'), 'UserLambdaValidationException', 'PreTokenGeneration failed with error claims service down.');
    behaviour.v1 = () => new Promise(() => undefined);
    await rejects(signIn(ids.v1Client, 'ann'), 'UnexpectedLambdaException');
  });

  it('V2_0 event: version 2, the access token scopes, null claimsAndScopeOverrideDetails', async () => {
    await signIn(ids.v2Client, 'bea');
    const { event } = last();
    assert.equal(event.version, '2');
    assert.equal(event.userPoolId, ids.v2Pool);
    assert.equal(event.triggerSource, 'TokenGeneration_Authentication');
    assert.deepEqual((event.request as Record<string, unknown>).scopes, ['aws.cognito.signin.user.admin']);
    assert.deepEqual(event.response, { claimsAndScopeOverrideDetails: null });
  });

  it('V2_0 answer: both tokens customised, JSON claim values, scopes added and suppressed, Cognito\'s claims kept', async () => {
    behaviour.v2 = (e) => ({
      ...e,
      response: {
        claimsAndScopeOverrideDetails: {
          idTokenGeneration: { claimsToAddOrOverride: { plan: { name: 'pro', seats: 5 } }, claimsToSuppress: ['email'] },
          accessTokenGeneration: {
            claimsToAddOrOverride: { tenant: 't9', flags: ['a', 'b'], client_id: 'forged', token_use: 'id', scope: 'admin' },
            claimsToSuppress: ['username', 'jti'],
            scopesToAdd: ['orders/read', 'reports/view'],
            scopesToSuppress: ['reports/view'],
          },
        },
      },
    });
    const out = await signIn(ids.v2Client, 'bea');
    const id = claimsOf(out.AuthenticationResult!.IdToken!);
    const access = claimsOf(out.AuthenticationResult!.AccessToken!);
    assert.deepEqual(id.plan, { name: 'pro', seats: 5 });
    assert.equal(id.email, undefined);
    assert.equal(access.tenant, 't9');
    assert.deepEqual(access.flags, ['a', 'b']);
    assert.equal(access.client_id, ids.v2Client);
    assert.equal(access.token_use, 'access');
    assert.equal(access.username, 'bea');
    assert.equal(typeof access.jti, 'string');
    assert.equal(access.scope, 'aws.cognito.signin.user.admin orders/read');
  });

  it('V2_0 scopes pass requireCognito({ scope }); suppressed ones make it 403', async () => {
    const guard = (scope: string) => requireCognito({
      userPoolId: ids.v2Pool, clientId: ids.v2Client, endpoint: emulator.endpoint, clock: () => emulator.clock.now(), scope,
    });
    const app = express();
    app.get('/orders', guard('orders/read'), (req, res) => res.json({ scopes: req.cognito?.scopes }));
    app.get('/profile', guard('aws.cognito.signin.user.admin'), (_req, res) => res.json({ ok: true }));

    behaviour.v2 = (e) => ({ ...e, response: { claimsAndScopeOverrideDetails: { accessTokenGeneration: { scopesToAdd: ['orders/read'] } } } });
    const granted = (await signIn(ids.v2Client, 'bea')).AuthenticationResult!.AccessToken!;
    const ok = await request(app).get('/orders').set('Authorization', `Bearer ${granted}`).expect(200);
    assert.deepEqual(ok.body.scopes, ['aws.cognito.signin.user.admin', 'orders/read']);

    behaviour.v2 = (e) => ({
      ...e,
      response: { claimsAndScopeOverrideDetails: { accessTokenGeneration: { scopesToAdd: ['orders/write'], scopesToSuppress: ['aws.cognito.signin.user.admin'] } } },
    });
    const narrowed = (await signIn(ids.v2Client, 'bea')).AuthenticationResult!.AccessToken!;
    assert.equal(claimsOf(narrowed).scope, 'orders/write');
    const refused = await request(app).get('/profile').set('Authorization', `Bearer ${narrowed}`).expect(403);
    assert.match(String(refused.headers['www-authenticate']), /insufficient_scope/);
    await request(app).get('/orders').set('Authorization', `Bearer ${narrowed}`).expect(403);
    // Cognito's user operations need aws.cognito.signin.user.admin: a token without it is refused by each.
    assert.equal((await sdk.send(new GetUserCommand({ AccessToken: granted }))).Username, 'bea');
    for (const call of [
      sdk.send(new GetUserCommand({ AccessToken: narrowed })),
      sdk.send(new ChangePasswordCommand({ AccessToken: narrowed, PreviousPassword: 'x', ProposedPassword: 'y' })),
      sdk.send(new GlobalSignOutCommand({ AccessToken: narrowed })),
      sdk.send(new GetUserAuthFactorsCommand({ AccessToken: narrowed })),
      sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: narrowed })),
    ]) {
      await rejects(call, 'NotAuthorizedException', 'Access Token does not have required scopes');
    }
  });

  it('V2_0: a scope that is not a scope string is refused with InvalidLambdaResponseException', async () => {
    behaviour.v2 = (e) => ({ ...e, response: { claimsAndScopeOverrideDetails: { accessTokenGeneration: { scopesToAdd: ['two words'] } } } });
    await rejects(signIn(ids.v2Client, 'bea'), 'InvalidLambdaResponseException');
  });

  it('V3_0: TokenGeneration_ClientCredentials customises machine-to-machine tokens from /oauth2/token', async () => {
    behaviour.v3 = (e) => ({
      ...e,
      response: { claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { partner: 'acme' }, scopesToAdd: ['orders/extra'] } } },
    });
    const res = await fetch(`${emulator.endpoint}/domain/triggers-m2m/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${ids.m2mClient}:${ids.m2mSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200);
    const access = claimsOf(((await res.json()) as { access_token: string }).access_token);
    assert.equal(access.partner, 'acme');
    assert.equal(access.scope, 'orders/read orders/extra');
    assert.equal(access.sub, ids.m2mClient);
    const { event } = last();
    assert.equal(event.version, '3');
    assert.equal(event.triggerSource, 'TokenGeneration_ClientCredentials');
    assert.equal(event.userName, null);
    assert.deepEqual((event.request as Record<string, unknown>).scopes, ['orders/read']);

    behaviour.v3 = () => { throw new Error('no partner'); };
    const refused = await fetch(`${emulator.endpoint}/domain/triggers-m2m/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${ids.m2mClient}:${ids.m2mSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), { error: 'invalid_request', error_description: 'PreTokenGeneration failed with error no partner.' });
  });
});
