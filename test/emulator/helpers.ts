/**
 * Helpers shared by the emulator tests: asserting Cognito errors through the SDK, and an SRP
 * login driven with the package's own client-side SRP (lib/srp.ts).
 */
import assert from 'node:assert/strict';
import {
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type CognitoIdentityProviderClient,
  type RespondToAuthChallengeCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpEphemeral, passwordVerifierResponse } from '../../lib/srp';
import { secretHash } from '../../lib/secret-hash';

/** The SDK error shape the tests look at. */
export interface SdkError extends Error {
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

/**
 * Awaits `promise`, expecting a rejection with error `name` (and `message` when given).
 */
export async function rejects(promise: Promise<unknown>, name: string, message?: string | RegExp): Promise<SdkError> {
  let error: SdkError | undefined;
  try {
    await promise;
  } catch (e) {
    error = e as SdkError;
  }
  assert.ok(error, `expected ${name}, but the call succeeded`);
  assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
  if (typeof message === 'string') assert.equal(error.message, message);
  else if (message) assert.match(error.message, message);
  return error;
}

/** Where an SRP login goes. */
export interface SrpTarget {
  sdk: CognitoIdentityProviderClient;
  poolId: string;
  clientId: string;
  clientSecret?: string;
}

/** Options of {@link srpLogin}. */
export interface SrpLoginOptions {
  /** Time to sign the TIMESTAMP with; default now. */
  now?: Date;
  /** Rewrites the PASSWORD_VERIFIER answers before they are sent (to tamper with them). */
  tamper?: (answers: Record<string, string>) => void;
}

/**
 * USER_SRP_AUTH + PASSWORD_VERIFIER with lib/srp.ts; SECRET_HASH from the name typed for
 * InitiateAuth and from USER_ID_FOR_SRP for the answer, as Cognito requires.
 */
export async function srpLogin(
  target: SrpTarget,
  username: string,
  password: string,
  options: SrpLoginOptions = {},
): Promise<RespondToAuthChallengeCommandOutput> {
  const ephemeral = createSrpEphemeral();
  const hash = (name: string): Record<string, string> =>
    target.clientSecret ? { SECRET_HASH: secretHash(name, target.clientId, target.clientSecret) } : {};
  const init = await target.sdk.send(
    new InitiateAuthCommand({
      ClientId: target.clientId,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: username, SRP_A: ephemeral.srpA, ...hash(username) },
    }),
  );
  assert.equal(init.ChallengeName, 'PASSWORD_VERIFIER');
  const params = init.ChallengeParameters as Record<string, string>;
  const answers: Record<string, string> = {
    ...passwordVerifierResponse({
      userPoolId: target.poolId,
      password,
      ephemeral,
      challengeParameters: params,
      now: options.now ?? new Date(),
    }),
    ...hash(params.USER_ID_FOR_SRP),
  };
  options.tamper?.(answers);
  return target.sdk.send(
    new RespondToAuthChallengeCommand({ ClientId: target.clientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: answers }),
  );
}

/** Decodes a JWT payload without verifying it (tests look at claims). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
