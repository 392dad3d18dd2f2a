/**
 * Passkey operations: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
 * ListWebAuthnCredentials and DeleteWebAuthnCredential (authorised by the user's access token, which
 * must carry `aws.cognito.signin.user.admin`), and the `WebAuthnConfiguration` member of
 * SetUserPoolMfaConfig / GetUserPoolMfaConfig, added around the control plane's handlers.
 */
import type { EmulatorContext, OperationSpec } from '../context';
import { invalidParameter, notAuthorized, resourceNotFound } from '../errors';
import { paginate } from '../pagination';
import { epochSeconds, optionalInteger, optionalString, requireString, type Params } from '../protocol';
import { authenticateUserAccess, type AuthenticatedAccess } from '../tokens';
import { describeWebAuthnConfiguration, parseWebAuthnConfiguration } from '../webauthn-config';
import { completePasskeyRegistration, MAX_PASSKEYS_PER_USER, startPasskeyRegistration } from '../webauthn-registration';
import { controlPlaneOperations } from './control-plane';

/** A checked access token with the app client it was issued to. */
interface UserAccess extends AuthenticatedAccess {
  clientId: string;
}

/**
 * The access token of a user operation: valid, unrevoked, of an enabled user, and (as Cognito
 * requires of every user operation) with the `aws.cognito.signin.user.admin` scope; OAuth tokens
 * granted only other scopes are refused.
 */
function authorise(ctx: EmulatorContext, params: Params): UserAccess {
  const access = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  const clientId = access.claims.client_id;
  if (typeof clientId !== 'string') throw notAuthorized('Invalid Access Token');
  return { ...access, clientId };
}

function startWebAuthnRegistration(ctx: EmulatorContext, params: Params): object {
  const { pool, user, clientId } = authorise(ctx, params);
  return { CredentialCreationOptions: startPasskeyRegistration(ctx, pool, user, clientId) };
}

async function completeWebAuthnRegistration(ctx: EmulatorContext, params: Params): Promise<object> {
  const { pool, user, clientId } = authorise(ctx, params);
  if (params.Credential === undefined || params.Credential === null) {
    throw invalidParameter("1 validation error detected: Value null at 'credential' failed to satisfy constraint: Member must not be null");
  }
  await completePasskeyRegistration(ctx, pool, user, clientId, params.Credential);
  return {};
}

function listWebAuthnCredentials(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = authorise(ctx, params);
  const max = optionalInteger(params, 'MaxResults');
  if (max !== undefined && (max < 0 || max > MAX_PASSKEYS_PER_USER)) {
    throw invalidParameter(`1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: ` +
      `Member must have value ${max < 0 ? 'greater than or equal to 0' : `less than or equal to ${MAX_PASSKEYS_PER_USER}`}`);
  }
  const token = optionalString(params, 'NextToken');
  const page = paginate(user.passkeys ?? [], {
    scope: `ListWebAuthnCredentials/${pool.id}/${user.sub}`,
    limit: max === undefined || max === 0 ? MAX_PASSKEYS_PER_USER : max,
    ...(token !== undefined ? { token } : {}),
  });
  return {
    Credentials: page.items.map((p) => ({
      CredentialId: p.credentialId,
      FriendlyCredentialName: p.friendlyName,
      RelyingPartyId: p.relyingPartyId,
      ...(p.attachment !== undefined ? { AuthenticatorAttachment: p.attachment } : {}),
      AuthenticatorTransports: [...p.transports],
      CreatedAt: epochSeconds(p.createdAt),
    })),
    ...(page.next !== undefined ? { NextToken: page.next } : {}),
  };
}

function deleteWebAuthnCredential(ctx: EmulatorContext, params: Params): object {
  const { user } = authorise(ctx, params);
  const id = requireString(params, 'CredentialId');
  const passkeys = user.passkeys ?? [];
  if (!passkeys.some((p) => p.credentialId === id)) throw resourceNotFound('Credential not found.');
  user.passkeys = passkeys.filter((p) => p.credentialId !== id);
  user.updatedAt = ctx.clock.now();
  return {};
}

const base = controlPlaneOperations;

async function setUserPoolMfaConfig(ctx: EmulatorContext, params: Params): Promise<object> {
  const pool = ctx.store.pool(requireString(params, 'UserPoolId'));
  // Checked before the rest of the request is applied, so a refused configuration changes nothing.
  const config = parseWebAuthnConfiguration(pool, params);
  const out = await base.SetUserPoolMfaConfig.handler(ctx, params);
  if (config !== undefined) pool.webAuthn = config;
  return { ...out, ...describeWebAuthnConfiguration(pool) };
}

async function getUserPoolMfaConfig(ctx: EmulatorContext, params: Params): Promise<object> {
  const out = await base.GetUserPoolMfaConfig.handler(ctx, params);
  return { ...out, ...describeWebAuthnConfiguration(ctx.store.pool(requireString(params, 'UserPoolId'))) };
}

/** Passkey operations by name, and the MFA-configuration pair with `WebAuthnConfiguration` (override the control plane's). */
export const webAuthnOperations: Record<string, OperationSpec> = {
  StartWebAuthnRegistration: { handler: startWebAuthnRegistration, signed: false },
  CompleteWebAuthnRegistration: { handler: completeWebAuthnRegistration, signed: false },
  ListWebAuthnCredentials: { handler: listWebAuthnCredentials, signed: false },
  DeleteWebAuthnCredential: { handler: deleteWebAuthnCredential, signed: false },
  SetUserPoolMfaConfig: { handler: setUserPoolMfaConfig, signed: true },
  GetUserPoolMfaConfig: { handler: getUserPoolMfaConfig, signed: true },
};
