/**
 * The embedded emulator's hosted-UI demo, set up through the Cognito API once the app's port is
 * known (the app client's callback URLs name it): `server.ts` calls it at start, and the tests call
 * the same function, so they drive the very setup `npm start` serves.
 *
 * - The demo pool gets the domain `demo`, the resource server `demo-api` (scope `orders.read`) and
 *   the OIDC identity provider `DemoIdP`; its client `demo-web` becomes an OAuth client too (code
 *   flow, callback and sign-out URLs on each of the app's origins).
 * - A second pool, "Demo IdP" (domain `demo-idp`), is that identity provider: its client's callback
 *   is the demo pool's `/oauth2/idpresponse`, and its user `erin` signs in on its hosted form.
 * - A third client of the demo pool, `demo-m2m`, has a secret and the `client_credentials` flow.
 *
 * It runs on every start, also on state restored from the emulator's data folder: what exists already
 * is found and brought up to date (the emulator's port, which URLs name, changes at each start).
 */
import {
  CognitoIdentityProviderClient, CreateIdentityProviderCommand, CreateResourceServerCommand, CreateUserPoolClientCommand,
  CreateUserPoolDomainCommand, DescribeIdentityProviderCommand, DescribeResourceServerCommand, DescribeUserPoolClientCommand,
  DescribeUserPoolDomainCommand, ListUserPoolClientsCommand, ListUserPoolsCommand, UpdateIdentityProviderCommand,
  UpdateUserPoolClientCommand, type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Emulator } from 'express-cognito/emulator';
import type { HostedOptions } from './hosted-routes';

/** The demo pool's domain and the identity provider's. */
export const DEMO_DOMAIN = 'demo';
export const DEMO_IDP_DOMAIN = 'demo-idp';
/** The identity provider's name in the demo pool (users become `DemoIdP_<sub>`). */
export const DEMO_IDP_NAME = 'DemoIdP';
/** The user of the identity provider's pool. */
export const DEMO_IDP_USER = { username: 'erin', password: 'Passw0rd!', email: 'erin@idp.example', name: 'Erin Example' } as const;
/** The scope the machine-to-machine client gets and GET /api/orders requires. */
export const DEMO_API_SCOPE = 'demo-api/orders.read';

/** Input of {@link setUpHostedDemo}. */
export interface HostedDemoInput {
  emulator: Emulator;
  /** An SDK client of the emulator (placeholder credentials: it checks no signature). */
  sdk: CognitoIdentityProviderClient;
  /** The seeded demo pool and its web client. */
  poolId: string;
  clientId: string;
  /** The app's origins (`http://localhost:3000`, `http://127.0.0.1:3000`). */
  origins: readonly string[];
  /** Where the app's own GET /api/orders is, on loopback. */
  apiUrl: string;
}

/** What {@link setUpHostedDemo} made: the app's `hosted` option, and what `server.ts` prints. */
export interface HostedDemo {
  hosted: HostedOptions & { identityProvider: string; m2m: NonNullable<HostedOptions['m2m']> };
  /** The identity provider's pool, and the demo pool's `<endpoint>/domain/<domain>` URLs. */
  idpPoolId: string;
  domainUrl: string;
  idpDomainUrl: string;
}

/**
 * Sets the hosted-UI demo up in a running emulator whose demo pool is seeded (`DEMO_SEED`).
 *
 * @example
 * const demo = await setUpHostedDemo({ emulator, sdk, poolId, clientId, origins: ['http://localhost:3000'], apiUrl });
 * createApp({ cognito, hosted: demo.hosted, sessionSecret });
 */
export async function setUpHostedDemo(input: HostedDemoInput): Promise<HostedDemo> {
  const { emulator, sdk, poolId } = input;
  const domainUrl = `${emulator.endpoint}/domain/${DEMO_DOMAIN}`;
  const federationSettings = {
    CallbackURLs: [`${domainUrl}/oauth2/idpresponse`], AllowedOAuthFlows: ['code' as const], AllowedOAuthScopes: ['openid', 'email', 'profile'],
    AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO'],
  };
  const existingIdp = (await sdk.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools?.find((p) => p.Name === 'Demo IdP')?.Id;
  let idp: { poolId: string; clientId: string; clientSecret: string };
  if (existingIdp === undefined) {
    const seeded = (await emulator.seed({ pools: [{
      name: 'Demo IdP',
      domain: DEMO_IDP_DOMAIN,
      clients: [{ name: 'demo-federation', generateSecret: true, settings: federationSettings }],
      users: [{
        username: DEMO_IDP_USER.username, password: DEMO_IDP_USER.password,
        attributes: { email: DEMO_IDP_USER.email, email_verified: 'true', name: DEMO_IDP_USER.name },
      }],
    }] })).pools['Demo IdP'];
    const client = seeded.clients['demo-federation'];
    idp = { poolId: seeded.poolId, clientId: client.clientId, clientSecret: client.clientSecret! };
  } else {
    const client = (await findClient(sdk, existingIdp, 'demo-federation'))!;
    // The callback names this start's emulator port.
    await sdk.send(new UpdateUserPoolClientCommand({
      UserPoolId: existingIdp, ClientId: client.ClientId, ClientName: client.ClientName, ...federationSettings,
    }));
    idp = { poolId: existingIdp, clientId: client.ClientId!, clientSecret: client.ClientSecret! };
  }

  const domain = await sdk.send(new DescribeUserPoolDomainCommand({ Domain: DEMO_DOMAIN }));
  if (domain.DomainDescription?.UserPoolId === undefined) {
    await sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: DEMO_DOMAIN }));
  }
  const api = await sdk.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: 'demo-api' })).catch(notFound);
  if (api === undefined) {
    await sdk.send(new CreateResourceServerCommand({
      UserPoolId: poolId, Identifier: 'demo-api', Name: 'Demo API', Scopes: [{ ScopeName: 'orders.read', ScopeDescription: 'Read the demo orders' }],
    }));
  }
  const providerDetails = {
    client_id: idp.clientId, client_secret: idp.clientSecret, attributes_request_method: 'GET',
    oidc_issuer: emulator.issuer(idp.poolId), authorize_scopes: 'openid email profile',
  };
  const providerName = { UserPoolId: poolId, ProviderName: DEMO_IDP_NAME };
  const provider = await sdk.send(new DescribeIdentityProviderCommand(providerName)).catch(notFound);
  if (provider === undefined) {
    await sdk.send(new CreateIdentityProviderCommand({
      UserPoolId: poolId, ProviderName: DEMO_IDP_NAME, ProviderType: 'OIDC', ProviderDetails: providerDetails,
      AttributeMapping: { email: 'email', email_verified: 'email_verified', name: 'name' },
    }));
  } else {
    await sdk.send(new UpdateIdentityProviderCommand({ ...providerName, ProviderDetails: providerDetails }));
  }

  // UpdateUserPoolClient puts every setting left out back to its default: send the client's own again.
  const current = (await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: input.clientId }))).UserPoolClient!;
  await sdk.send(new UpdateUserPoolClientCommand({
    UserPoolId: poolId, ClientId: input.clientId, ClientName: current.ClientName,
    // ALLOW_CUSTOM_AUTH (the security check) too: a data folder from before it existed has a client without it.
    ExplicitAuthFlows: [...new Set([...(current.ExplicitAuthFlows ?? []), 'ALLOW_CUSTOM_AUTH' as const])],
    PreventUserExistenceErrors: current.PreventUserExistenceErrors,
    EnableTokenRevocation: current.EnableTokenRevocation, AuthSessionValidity: current.AuthSessionValidity,
    RefreshTokenValidity: current.RefreshTokenValidity, AccessTokenValidity: current.AccessTokenValidity,
    IdTokenValidity: current.IdTokenValidity, TokenValidityUnits: current.TokenValidityUnits,
    ReadAttributes: current.ReadAttributes, WriteAttributes: current.WriteAttributes,
    CallbackURLs: input.origins.map((o) => `${o}/auth/callback`),
    LogoutURLs: input.origins.map((o) => `${o}/login?loggedOut=1`),
    AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
    SupportedIdentityProviders: ['COGNITO', DEMO_IDP_NAME],
  }));

  const m2m = await findClient(sdk, poolId, 'demo-m2m') ?? (await sdk.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'demo-m2m', GenerateSecret: true,
    AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [DEMO_API_SCOPE], AllowedOAuthFlowsUserPoolClient: true,
  }))).UserPoolClient!;

  return {
    hosted: {
      origins: input.origins, domain: domainUrl, identityProvider: DEMO_IDP_NAME,
      m2m: { clientId: m2m.ClientId!, clientSecret: m2m.ClientSecret!, scopes: [DEMO_API_SCOPE], apiUrl: input.apiUrl },
    },
    idpPoolId: idp.poolId,
    domainUrl,
    idpDomainUrl: `${emulator.endpoint}/domain/${DEMO_IDP_DOMAIN}`,
  };
}

// A ResourceNotFoundException is "not there yet"; anything else is a real failure.
function notFound(error: unknown): undefined {
  if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
  throw error;
}

// The client of that name in the pool (with its secret), if there is one.
async function findClient(sdk: CognitoIdentityProviderClient, poolId: string, name: string): Promise<UserPoolClientType | undefined> {
  const listed = await sdk.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60 }));
  const id = listed.UserPoolClients?.find((c) => c.ClientName === name)?.ClientId;
  if (id === undefined) return undefined;
  return (await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: id }))).UserPoolClient;
}
