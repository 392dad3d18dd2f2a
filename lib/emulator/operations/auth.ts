/**
 * InitiateAuth and AdminInitiateAuth: USER_SRP_AUTH (first half of SRP), USER_PASSWORD_AUTH,
 * ADMIN_USER_PASSWORD_AUTH (and its legacy name ADMIN_NO_SRP_AUTH), REFRESH_TOKEN_AUTH; CUSTOM_AUTH
 * (custom-auth.ts) and USER_AUTH (user-auth.ts) are handed on.
 */
import type { EmulatorContext, OperationSpec } from '../context';
import { invalidParameter, notAuthorized, userNotFound } from '../errors';
import { optionalString, requireEntry, requireEnum, requireString, stringMap, type Params } from '../protocol';
import type { ClientRecord, PoolRecord } from '../store';
import { issueTokens } from '../tokens';
import { findUser, userKey } from '../user-directory';
import { clientMetadataOf, runPreAuthentication } from '../user-triggers';
import { checkSecretHash, requireFlow } from './auth-flows';
import { startCustomAuth } from './custom-auth';
import { checkPassword } from './password-check';
import { refuseRefreshTokenAuth } from './refresh-rotation';
import { clientEphemeral, openPasswordVerifier } from './srp-challenge';
import { afterPassword, assertMaySignIn, type SignInFlow, type SignInResponse } from './sign-in-steps';
import { startUserAuth } from './user-auth';

const AUTH_FLOWS = [
  'USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN', 'CUSTOM_AUTH', 'ADMIN_NO_SRP_AUTH', 'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH', 'USER_AUTH',
] as const;
type AuthFlow = (typeof AUTH_FLOWS)[number];

async function startSrp(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, ap: Record<string, string>, flow: SignInFlow,
): Promise<SignInResponse> {
  const username = requireEntry(ap, 'USERNAME');
  requireEntry(ap, 'SRP_A');
  checkSecretHash(client, ap.SECRET_HASH, username);
  const A = clientEphemeral(ap);
  const user = findUser(pool, username);
  if (!user && client.preventUserExistenceErrors !== 'ENABLED') throw userNotFound();
  // PreAuthentication runs as the sign-in starts, before the password proof (RespondToAuthChallenge).
  if (!user || user.enabled) await runPreAuthentication(ctx, pool, client, user, username, flow.clientMetadata);
  return { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: openPasswordVerifier(ctx, pool, client, user, username, A) };
}

async function passwordAuth(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, ap: Record<string, string>, flow: SignInFlow,
): Promise<SignInResponse> {
  const username = requireEntry(ap, 'USERNAME');
  const password = requireEntry(ap, 'PASSWORD');
  checkSecretHash(client, ap.SECRET_HASH, username);
  const user = await checkPassword(ctx, pool, client, username, password, flow);
  assertMaySignIn(ctx, pool, user);
  return afterPassword(ctx, pool, client, user, ap.DEVICE_KEY, flow);
}

/**
 * The hosted UI's sign-in form: the password checked (and counted towards the lockout) as for
 * USER_PASSWORD_AUTH, whatever the client's ExplicitAuthFlows (which the hosted UI does not need).
 */
export async function hostedPasswordSignIn(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  username: string,
  password: string,
): Promise<SignInResponse> {
  const flow: SignInFlow = { hosted: true };
  const user = await checkPassword(ctx, pool, client, username, password, flow);
  assertMaySignIn(ctx, pool, user);
  return afterPassword(ctx, pool, client, user, undefined, flow);
}

async function refreshAuth(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, ap: Record<string, string>, flow: SignInFlow,
): Promise<SignInResponse> {
  const token = requireEntry(ap, 'REFRESH_TOKEN');
  if (client.clientSecret && !ap.SECRET_HASH) checkSecretHash(client, undefined, '');
  const record = ctx.store.refreshTokens.get(token);
  if (!record || record.poolId !== pool.id || record.clientId !== client.clientId) throw notAuthorized('Invalid Refresh Token');
  // The hash must be built from the internal username (cognito:username), not an alias.
  checkSecretHash(client, ap.SECRET_HASH, record.username);
  if (record.revoked || ctx.store.revokedOrigins.has(record.originJti)) throw notAuthorized('Refresh Token has been revoked');
  if (ctx.clock.now() >= record.expiresAt) throw notAuthorized('Refresh Token has expired');
  if (record.deviceKey !== undefined && ap.DEVICE_KEY !== record.deviceKey) throw notAuthorized('Invalid Refresh Token');
  const user = pool.users.get(userKey(pool, record.username));
  if (!user) throw notAuthorized('User does not exist.');
  if (!user.enabled) throw notAuthorized('User is disabled.');
  return {
    ChallengeParameters: {},
    AuthenticationResult: await issueTokens(ctx, pool, client, user, {
      originJti: record.originJti,
      authTime: record.authTime,
      withRefreshToken: false,
      ...(record.deviceKey ? { deviceKey: record.deviceKey } : {}),
      ...(record.scopes ? { oauth: { scopes: record.scopes } } : {}),
      trigger: { source: 'TokenGeneration_RefreshTokens', ...(flow.clientMetadata ? { clientMetadata: flow.clientMetadata } : {}) },
    }),
  };
}

async function runFlow(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  flow: AuthFlow,
  ap: Record<string, string>,
  admin: boolean,
  signIn: SignInFlow = {},
  session?: string,
): Promise<SignInResponse> {
  switch (flow) {
    case 'USER_SRP_AUTH':
      requireFlow(client, 'ALLOW_USER_SRP_AUTH', flow);
      return startSrp(ctx, pool, client, ap, signIn);
    case 'USER_PASSWORD_AUTH':
      requireFlow(client, 'ALLOW_USER_PASSWORD_AUTH', flow);
      return passwordAuth(ctx, pool, client, ap, signIn);
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      requireFlow(client, 'ALLOW_REFRESH_TOKEN_AUTH', flow);
      refuseRefreshTokenAuth(client);
      return refreshAuth(ctx, pool, client, ap, signIn);
    case 'ADMIN_USER_PASSWORD_AUTH':
    case 'ADMIN_NO_SRP_AUTH':
      if (!admin) throw invalidParameter('Initiate Auth method not supported.');
      requireFlow(client, 'ALLOW_ADMIN_USER_PASSWORD_AUTH', flow);
      return passwordAuth(ctx, pool, client, ap, signIn);
    case 'CUSTOM_AUTH':
      return startCustomAuth(ctx, pool, client, ap, signIn);
    case 'USER_AUTH':
      return startUserAuth(ctx, pool, client, ap, signIn, session);
  }
}

// The call's ClientMetadata, for the triggers.
function signInFlowOf(params: Params): SignInFlow {
  const clientMetadata = clientMetadataOf(params.ClientMetadata);
  return clientMetadata === undefined ? {} : { clientMetadata };
}

function initiateAuth(ctx: EmulatorContext, params: Params): Promise<SignInResponse> {
  const clientId = requireString(params, 'ClientId');
  const flow = requireEnum(params, 'AuthFlow', AUTH_FLOWS);
  const { pool, client } = ctx.store.client(clientId);
  return runFlow(ctx, pool, client, flow, stringMap(params, 'AuthParameters'), false, signInFlowOf(params), optionalString(params, 'Session'));
}

function adminInitiateAuth(ctx: EmulatorContext, params: Params): Promise<SignInResponse> {
  const poolId = requireString(params, 'UserPoolId');
  const clientId = requireString(params, 'ClientId');
  const flow = requireEnum(params, 'AuthFlow', AUTH_FLOWS);
  const { pool, client } = ctx.store.client(clientId, poolId);
  return runFlow(ctx, pool, client, flow, stringMap(params, 'AuthParameters'), true, signInFlowOf(params), optionalString(params, 'Session'));
}

/** Sign-in operations by name. */
export const authOperations: Record<string, OperationSpec> = {
  InitiateAuth: { handler: initiateAuth, signed: false },
  AdminInitiateAuth: { handler: adminInitiateAuth, signed: true },
};
