/**
 * @internal The two ways the `Cognito` class signs a user in: USER_SRP_AUTH (InitiateAuth, then the
 * PASSWORD_VERIFIER answer) and ADMIN_USER_PASSWORD_AUTH (AdminInitiateAuth). What comes next —
 * device proof, tokens, or a challenge — is `CognitoCore.finish`'s.
 */
import { AdminInitiateAuthCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import createDebug from 'debug';
import { answerCommand, type AuthStepOutput } from './challenge';
import type { CognitoCore } from './cognito-core';
import { CognitoServiceError, isCognitoError } from './errors';
import { createSrpEphemeral, passwordVerifierResponse } from './srp';

const debug = createDebug('express-cognito:cognito');

/** @internal */
export function checkSecret(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`"${name}" must be a non-empty string`);
  return value;
}

/** @internal */
export function checkClientMetadata(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new TypeError('"clientMetadata" must be an object of strings');
  }
  return { ...(value as Record<string, string>) };
}

function metadataParam(clientMetadata: Record<string, string> | undefined): { ClientMetadata?: Record<string, string> } {
  return clientMetadata !== undefined ? { ClientMetadata: clientMetadata } : {};
}

async function srpOnce(core: CognitoCore, username: string, password: string, clientMetadata?: Record<string, string>): Promise<void> {
  const { userPoolId, clientId, clock } = core.config;
  const ephemeral = createSrpEphemeral();
  const init = await core.service.send<AuthStepOutput>(new InitiateAuthCommand({
    AuthFlow: 'USER_SRP_AUTH',
    ClientId: clientId,
    // SECRET_HASH from the name typed: Cognito has not said yet who that is.
    AuthParameters: { USERNAME: username, SRP_A: ephemeral.srpA, ...core.hash(username), ...core.deviceParam() },
    ...metadataParam(clientMetadata),
  }), 'login');
  if (init.ChallengeName !== 'PASSWORD_VERIFIER') return core.finish(init, 'USER_SRP_AUTH', username, clientMetadata);
  let answer: ReturnType<typeof passwordVerifierResponse>;
  try {
    answer = passwordVerifierResponse({
      userPoolId, password, ephemeral, challengeParameters: init.ChallengeParameters ?? {}, now: new Date(clock()),
    });
  } catch {
    throw new CognitoServiceError('Cognito sent a malformed PASSWORD_VERIFIER challenge.');
  }
  // From here on, the internal username (USER_ID_FOR_SRP): a login by e-mail alias works with a secret.
  const internal = answer.USERNAME;
  const out = await core.service.send<AuthStepOutput>(answerCommand({
    flow: 'USER_SRP_AUTH', userPoolId, clientId, clientMetadata,
    challengeName: 'PASSWORD_VERIFIER',
    session: init.Session,
    responses: { ...answer, ...core.hash(internal), ...core.deviceParam() },
  }), 'login');
  await core.finish(out, 'USER_SRP_AUTH', internal, clientMetadata);
}

/**
 * USER_SRP_AUTH for `core.owner.username`. When Cognito no longer knows the saved device, the device
 * is forgotten and the sign-in made again as from a new device.
 *
 * @internal
 */
export async function srpSignIn(core: CognitoCore, password: string, clientMetadata?: Record<string, string>): Promise<void> {
  const username = core.requireUsername();
  try {
    await srpOnce(core, username, password, clientMetadata);
  } catch (e) {
    if (!isCognitoError(e) || e.awsErrorName !== 'ResourceNotFoundException' || core.owner.deviceKey === undefined) throw e;
    debug('the remembered device is unknown to Cognito; signing in without it');
    core.setDevice(undefined);
    await srpOnce(core, username, password, clientMetadata);
  }
}

/**
 * ADMIN_USER_PASSWORD_AUTH for `core.owner.username`.
 *
 * @internal
 */
export async function adminSignIn(core: CognitoCore, password: string, clientMetadata?: Record<string, string>): Promise<void> {
  const username = core.requireUsername();
  const { userPoolId, clientId } = core.config;
  const out = await core.service.send<AuthStepOutput>(new AdminInitiateAuthCommand({
    AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
    UserPoolId: userPoolId,
    ClientId: clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password, ...core.hash(username), ...core.deviceParam() },
    ...metadataParam(clientMetadata),
  }), 'login');
  await core.finish(out, 'ADMIN_USER_PASSWORD_AUTH', out.ChallengeParameters?.USER_ID_FOR_SRP ?? username, clientMetadata);
}
