/**
 * The sign-in engine: every step of a Cognito sign-in as a function of the resolved config, the
 * service client and the flow's state, which *returns* where the sign-in now stands — signed in (the
 * verified tokens), a challenge to answer (as its typed error and the plain {@link MfaTokens} to keep),
 * or failed (a `CognitoError`). Nothing here holds state: the `Cognito` class keeps the result on its
 * fields, `CognitoStrategy` in the session, and either can answer the next step from another request.
 *
 * A challenge Cognito can ask for is one entry of `CHALLENGE_HANDLERS` (`./challenge-handlers`): the
 * responses its answer sends, and what must happen before (MFA_SETUP's VerifySoftwareToken). What
 * comes after any step —
 * a remembered device proving itself, the tokens verified, an offered device confirmed — is shared.
 */
import type { AuthenticationResultType, NewDeviceMetadataType } from '@aws-sdk/client-cognito-identity-provider';
import createDebug from 'debug';
import {
  answerCommand, challengeError, challengeUsername, pendingChallenge, type AuthStepOutput, type LoginFlow, type MfaTokens,
} from './challenge';
import { CHALLENGE_HANDLERS, FIRST_FACTORS, type ChallengeAnswer, type ChallengeHandler, type FirstFactor } from './challenge-handlers';
import type { ResolvedConfig } from './config';
import { secretHashParam } from './cognito-rules';
import { answerDeviceChallenge, confirmDevice, type ConfirmedDevice, type DeviceSecrets } from './device';
import { CognitoServiceError, isCognitoError, TokenVerificationError, type ChallengeError, type CognitoError } from './errors';
import { command } from './sdk';
import type { ServiceClient } from './service-client';
import { createSrpEphemeral, passwordVerifierResponse, type SrpEphemeral } from './srp';
import type { AccessTokenClaims, IdTokenClaims, TokenVerifier } from './token-verifier';

export {
  CHALLENGE_HANDLERS, checkCode, checkFriendlyName, checkOtp, credentialJson, FIRST_FACTORS, MAX_CREDENTIAL_BYTES, MAX_CUSTOM_ANSWER_LENGTH,
  type ChallengeAnswer, type ChallengeHandler, type FirstFactor, type MfaType, type WebAuthnCredential,
} from './challenge-handlers';

const debug = createDebug('express-cognito:sign-in');

/** What every step needs: the one resolved config, the service client and the token verifier. */
export interface EngineContext {
  readonly config: ResolvedConfig;
  readonly service: ServiceClient;
  readonly verifier: TokenVerifier;
}

/** The device side of a sign-in. */
export interface SignInDevice {
  /** A remembered device, whole: it proves itself when Cognito asks (DEVICE_SRP_AUTH). */
  device?: DeviceSecrets | undefined;
  /** The device key alone (sent as DEVICE_KEY) when the secrets are not held. */
  deviceKey?: string | undefined;
  /** The name of a device Cognito offers to remember (ConfirmDevice); without `confirmDevice: false`, it is confirmed. */
  deviceName?: string | undefined;
  /** Confirm a device Cognito offers (default true). */
  confirmDevice?: boolean;
  /** Passed to Cognito's Lambda triggers. */
  clientMetadata?: Record<string, string> | undefined;
}

/** Verified tokens of a completed sign-in. */
export interface SignedInTokens {
  idToken: string;
  accessToken: string;
  /** Absent when Cognito sent none (it always does at sign-in). */
  refreshToken?: string;
  tokenType: string;
  idClaims: IdTokenClaims;
  accessClaims: AccessTokenClaims;
  /** The access token's expiry, in milliseconds since the epoch. */
  expiresAt: number;
}

/** Where a sign-in stands after a step. */
export type StepResult =
  | { kind: 'signedIn'; tokens: SignedInTokens; newDevice?: ConfirmedDevice; deviceForgotten?: true }
  | { kind: 'challenge'; error: ChallengeError; challenge: MfaTokens; deviceForgotten?: true }
  | { kind: 'failed'; error: CognitoError; deviceForgotten?: true };

/** Turns a thrown error into a `failed` result; anything not a `CognitoError` (a caller's TypeError, a bug) is rethrown. */
function failed(e: unknown, extra: { deviceForgotten?: true } = {}): StepResult {
  if (!isCognitoError(e)) throw e;
  return { kind: 'failed', error: e, ...extra };
}

function metadataParam(clientMetadata: Record<string, string> | undefined): { ClientMetadata?: Record<string, string> } {
  return clientMetadata !== undefined ? { ClientMetadata: clientMetadata } : {};
}

function deviceKeyOf(d: SignInDevice): string | undefined {
  return d.device?.deviceKey ?? d.deviceKey;
}

function extraResponses(config: ResolvedConfig, username: string, d: SignInDevice): Record<string, string> {
  const deviceKey = deviceKeyOf(d);
  return { ...secretHashParam(config, username), ...(deviceKey !== undefined ? { DEVICE_KEY: deviceKey } : {}) };
}

type PublicFlow = 'USER_SRP_AUTH' | 'CUSTOM_AUTH' | 'USER_AUTH';

/** What a public-flow InitiateAuth sends besides the username. */
interface StartInput {
  /** Proved by SRP (USER_SRP_AUTH, CUSTOM_AUTH's SRP_A, USER_AUTH's PASSWORD_SRP) or sent (USER_AUTH's PASSWORD). */
  password?: string | undefined;
  /** USER_AUTH: `PREFERRED_CHALLENGE`. */
  preferred?: FirstFactor | undefined;
  /** USER_AUTH: the `Session` of SignUp / ConfirmSignUp, to sign in right after confirming. */
  session?: string | undefined;
}

/** The SRP proof of the password, when this start sends SRP_A. */
function srpStart(flow: PublicFlow, input: StartInput): boolean {
  if (input.password === undefined) return false;
  return flow !== 'USER_AUTH' || input.preferred === 'PASSWORD_SRP';
}

/**
 * InitiateAuth, and the PASSWORD_VERIFIER answer when SRP_A was sent: USER_SRP_AUTH, CUSTOM_AUTH
 * (SRP first with `CHALLENGE_NAME: SRP_A` when a password is given, else the username alone), or
 * USER_AUTH (`PREFERRED_CHALLENGE`; `PASSWORD` sent as is, `PASSWORD_SRP` proved by SRP).
 */
async function initiateOnce(
  ctx: EngineContext, flow: PublicFlow, username: string, input: StartInput, d: SignInDevice,
): Promise<StepResult> {
  const { config, service } = ctx;
  const ephemeral = srpStart(flow, input) ? createSrpEphemeral() : undefined;
  const parameters: Record<string, string> = { USERNAME: username };
  if (ephemeral !== undefined) parameters.SRP_A = ephemeral.srpA;
  if (ephemeral !== undefined && flow === 'CUSTOM_AUTH') parameters.CHALLENGE_NAME = 'SRP_A';
  if (input.preferred !== undefined) parameters.PREFERRED_CHALLENGE = input.preferred;
  if (input.preferred === 'PASSWORD' && input.password !== undefined) parameters.PASSWORD = input.password;
  const init = await service.send<AuthStepOutput>(command('InitiateAuth', {
    AuthFlow: flow,
    ClientId: config.clientId,
    // SECRET_HASH from the name typed: Cognito has not said yet who that is.
    AuthParameters: { ...parameters, ...extraResponses(config, username, d) },
    ...(input.session !== undefined ? { Session: input.session } : {}),
    ...metadataParam(d.clientMetadata),
  }), 'login');
  if (init.ChallengeName !== 'PASSWORD_VERIFIER' || input.password === undefined || ephemeral === undefined) {
    return finish(ctx, init, flow, username, d);
  }
  const proved = await provePassword(ctx, flow, init, input.password, ephemeral, d, 'login');
  return finish(ctx, proved.output, flow, proved.username, d);
}

/**
 * Answers a PASSWORD_VERIFIER challenge with the password's SRP proof.
 *
 * @returns Cognito's answer, and the internal username (USER_ID_FOR_SRP) the next steps use.
 */
async function provePassword(
  ctx: EngineContext, flow: LoginFlow, challenge: AuthStepOutput, password: string, ephemeral: SrpEphemeral, d: SignInDevice,
  context: 'login' | 'challenge',
): Promise<{ output: AuthStepOutput; username: string }> {
  const { config, service } = ctx;
  let answer: ReturnType<typeof passwordVerifierResponse>;
  try {
    answer = passwordVerifierResponse({
      userPoolId: config.userPoolId, password, ephemeral,
      challengeParameters: challenge.ChallengeParameters ?? {}, now: new Date(config.clock()),
    });
  } catch {
    throw new CognitoServiceError('Cognito sent a malformed PASSWORD_VERIFIER challenge.');
  }
  // From here on, the internal username (USER_ID_FOR_SRP): a login by e-mail alias works with a secret.
  const internal = answer.USERNAME;
  const output = await service.send<AuthStepOutput>(answerCommand({
    flow, userPoolId: config.userPoolId, clientId: config.clientId, clientMetadata: d.clientMetadata,
    challengeName: 'PASSWORD_VERIFIER',
    session: challenge.Session,
    responses: { ...answer, ...extraResponses(config, internal, d) },
  }), context);
  return { output, username: internal };
}

/** A public-flow sign-in; when Cognito no longer knows the remembered device, it is made again without it. */
async function startPublic(
  ctx: EngineContext, flow: PublicFlow, username: string, input: StartInput, d: SignInDevice,
): Promise<StepResult> {
  try {
    return await initiateOnce(ctx, flow, username, input, d);
  } catch (e) {
    if (!isCognitoError(e) || e.awsErrorName !== 'ResourceNotFoundException' || deviceKeyOf(d) === undefined) return failed(e);
    debug('the remembered device is unknown to Cognito; signing in without it');
  }
  const without: SignInDevice = { ...d, device: undefined, deviceKey: undefined };
  try {
    return { ...(await initiateOnce(ctx, flow, username, input, without)), deviceForgotten: true };
  } catch (e) {
    return failed(e, { deviceForgotten: true });
  }
}

/**
 * USER_SRP_AUTH: InitiateAuth, the PASSWORD_VERIFIER answer, then what Cognito asks next. When Cognito
 * no longer knows the remembered device, the sign-in is made again without it (`deviceForgotten`).
 *
 * @example
 * const step = await startSrp(ctx, 'alice', password, { device });
 * if (step.kind === 'challenge') session.pending = step.challenge;
 */
export function startSrp(ctx: EngineContext, username: string, password: string, d: SignInDevice = {}): Promise<StepResult> {
  return startPublic(ctx, 'USER_SRP_AUTH', username, { password }, d);
}

/**
 * CUSTOM_AUTH (InitiateAuth): the username alone, or with a password SRP first (`CHALLENGE_NAME:
 * SRP_A`, then PASSWORD_VERIFIER), as the pool's DefineAuthChallenge trigger expects; then the
 * CUSTOM_CHALLENGE rounds it asks for, each a `challenge` result answered with
 * `{ challenge: 'CUSTOM_CHALLENGE', answer }`.
 *
 * @example
 * const step = await startCustom(ctx, 'alice', undefined);
 * if (step.kind === 'challenge') show(step.challenge.ChallengeParameters);
 */
export function startCustom(ctx: EngineContext, username: string, password: string | undefined, d: SignInDevice = {}): Promise<StepResult> {
  return startPublic(ctx, 'CUSTOM_AUTH', username, { password }, d);
}

/** Options of {@link startUserAuth}. */
export interface UserAuthStart {
  /** The factor to try first (`PREFERRED_CHALLENGE`); without it, or when the user cannot present it, SELECT_CHALLENGE. */
  preferred?: FirstFactor | undefined;
  /** With `preferred` PASSWORD (sent) or PASSWORD_SRP (proved by SRP). */
  password?: string | undefined;
  /** The `Session` ConfirmSignUp returned: the just-confirmed user signs in without another code. */
  session?: string | undefined;
}

/**
 * USER_AUTH, choice-based sign-in (InitiateAuth): SELECT_CHALLENGE with the factors this user can
 * present, or straight to the preferred one — tokens for PASSWORD / PASSWORD_SRP (or MFA after
 * them), an EMAIL_OTP / SMS_OTP code sent, the WEB_AUTHN request options.
 *
 * @throws TypeError when `password` is given without a password factor preferred.
 * @example
 * const step = await startUserAuth(ctx, 'alice', { preferred: 'EMAIL_OTP' });
 */
export async function startUserAuth(
  ctx: EngineContext, username: string, start: UserAuthStart = {}, d: SignInDevice = {},
): Promise<StepResult> {
  const { preferred, password, session } = start;
  if (preferred !== undefined && !FIRST_FACTORS.includes(preferred)) {
    throw new TypeError(`"preferredChallenge" must be one of ${FIRST_FACTORS.join(', ')}`);
  }
  if (password !== undefined && preferred !== 'PASSWORD' && preferred !== 'PASSWORD_SRP') {
    throw new TypeError('"password" goes with preferredChallenge PASSWORD or PASSWORD_SRP');
  }
  if (session !== undefined && (typeof session !== 'string' || session.length === 0)) throw new TypeError('"session" must be a non-empty string');
  return await startPublic(ctx, 'USER_AUTH', username, { preferred, password, session }, d);
}

/**
 * ADMIN_USER_PASSWORD_AUTH (AdminInitiateAuth: the SDK client needs AWS credentials).
 *
 * @example
 * const step = await startAdmin(ctx, 'alice', password);
 */
export async function startAdmin(ctx: EngineContext, username: string, password: string, d: SignInDevice = {}): Promise<StepResult> {
  const { config, service } = ctx;
  try {
    const out = await service.send<AuthStepOutput>(command('AdminInitiateAuth', {
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      UserPoolId: config.userPoolId,
      ClientId: config.clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password, ...extraResponses(config, username, d) },
      ...metadataParam(d.clientMetadata),
    }), 'login');
    return await finish(ctx, out, 'ADMIN_USER_PASSWORD_AUTH', out.ChallengeParameters?.USER_ID_FOR_SRP ?? username, d);
  } catch (e) {
    return failed(e);
  }
}

/**
 * Answers a pending challenge (restored from anywhere: it is plain JSON) with its handler. The
 * answer goes to the admin API after an admin sign-in. A failed answer's `error` says what now:
 * `ERR_COGNITO_CODE_MISMATCH` leaves the challenge answerable, `ERR_COGNITO_CHALLENGE_EXPIRED` does not.
 *
 * @param pending the challenge, checked (`pendingChallenge`); its `ChallengeName` must be the answer's.
 * @param fallbackUsername the username when the challenge records none.
 * @throws TypeError for a malformed challenge or answer (a caller's mistake).
 * @example
 * const step = await answerChallenge(ctx, saved, { challenge: 'SOFTWARE_TOKEN_MFA', code: '123456' });
 */
export async function answerChallenge(
  ctx: EngineContext, pending: MfaTokens, answer: ChallengeAnswer, d: SignInDevice = {}, fallbackUsername?: string,
): Promise<StepResult> {
  const handler = CHALLENGE_HANDLERS[answer.challenge] as ChallengeHandler | undefined;
  if (handler === undefined) throw new TypeError(`"challenge" must be one of ${Object.keys(CHALLENGE_HANDLERS).join(', ')}`);
  const t = pendingChallenge(pending, undefined, [answer.challenge]);
  const username = challengeUsername(t, fallbackUsername);
  // pendingChallenge() has checked AuthFlow against the known flows.
  const flow = (t.AuthFlow ?? 'USER_SRP_AUTH') as LoginFlow;
  const { config, service } = ctx;
  try {
    const checked = handler.check(answer);
    const ready = handler.before ? await handler.before(ctx, t, checked) : t;
    const password = handler.srpPassword?.(checked);
    const ephemeral = password === undefined ? undefined : createSrpEphemeral();
    const out = await service.send<AuthStepOutput>(answerCommand({
      flow, userPoolId: config.userPoolId, clientId: config.clientId, clientMetadata: d.clientMetadata,
      challengeName: answer.challenge, session: ready.Session,
      responses: {
        USERNAME: username, ...handler.responses(checked), ...(ephemeral !== undefined ? { SRP_A: ephemeral.srpA } : {}),
        ...extraResponses(config, username, d),
      },
    }), 'challenge');
    if (out.ChallengeName !== 'PASSWORD_VERIFIER' || password === undefined || ephemeral === undefined) {
      return await finish(ctx, out, flow, username, d);
    }
    const proved = await provePassword(ctx, flow, out, password, ephemeral, d, 'challenge');
    return await finish(ctx, proved.output, flow, proved.username, d);
  } catch (e) {
    return failed(e);
  }
}

/**
 * AssociateSoftwareToken within a pending MFA_SETUP challenge: the TOTP secret, and the challenge
 * with the Session Cognito replaced (keep that one: the old Session no longer answers).
 *
 * @throws TypeError for a malformed challenge; CognitoError from Cognito.
 * @example
 * const { secretCode, challenge } = await associateForSetup(ctx, pending);
 */
export async function associateForSetup(ctx: EngineContext, pending: MfaTokens): Promise<{ secretCode: string; challenge: MfaTokens }> {
  const t = pendingChallenge(pending, undefined, ['MFA_SETUP']);
  const out = await ctx.service.send<{ SecretCode?: string; Session?: string }>(command('AssociateSoftwareToken', { Session: t.Session }), 'challenge');
  return { secretCode: requireSecret(out.SecretCode), challenge: out.Session !== undefined ? { ...t, Session: out.Session } : t };
}

/** The TOTP secret of an AssociateSoftwareToken answer. @internal */
export function requireSecret(secret: string | undefined): string {
  if (typeof secret !== 'string' || secret.length === 0) throw new CognitoServiceError('Cognito answered AssociateSoftwareToken without a secret.');
  return secret;
}

/**
 * Ends any step: a remembered device proves itself, the tokens of a completed sign-in are verified
 * (and an offered device confirmed), or the challenge becomes a `challenge` result.
 */
async function finish(ctx: EngineContext, output: AuthStepOutput, flow: LoginFlow, username: string, d: SignInDevice): Promise<StepResult> {
  let step = output;
  if (step.ChallengeName === 'DEVICE_SRP_AUTH' && d.device !== undefined) {
    const { userPoolId, clientId, clientSecret, clock } = ctx.config;
    step = await answerDeviceChallenge(ctx.service, {
      flow, userPoolId, clientId, username, session: step.Session, device: d.device, clock,
      ...(clientSecret !== undefined ? { clientSecret } : {}),
      ...(d.clientMetadata !== undefined ? { clientMetadata: d.clientMetadata } : {}),
    });
  }
  if (step.AuthenticationResult !== undefined) return signedIn(ctx, step.AuthenticationResult, d);
  if (step.ChallengeName === undefined) throw new CognitoServiceError('Cognito answered without tokens or a challenge.');
  const error = challengeError(step, flow, username);
  return { kind: 'challenge', error, challenge: error.getTokens() };
}

/**
 * Verifies an ID token (with `at_hash` against the access token) and an access token together, and
 * that they are of one user.
 *
 * @throws TokenVerificationError with the failing code and claim.
 * @example
 * const { idClaims, accessClaims } = await verifyPair(verifier, idToken, accessToken);
 */
export async function verifyPair(verifier: TokenVerifier, idToken: string, accessToken: string): Promise<{
  idClaims: IdTokenClaims; accessClaims: AccessTokenClaims;
}>;
export async function verifyPair(verifier: TokenVerifier, idToken: string | undefined, accessToken: string | undefined): Promise<{
  idClaims?: IdTokenClaims; accessClaims?: AccessTokenClaims;
}>;
export async function verifyPair(verifier: TokenVerifier, idToken: string | undefined, accessToken: string | undefined): Promise<{
  idClaims?: IdTokenClaims; accessClaims?: AccessTokenClaims;
}> {
  const [idClaims, accessClaims] = await Promise.all([
    idToken === undefined ? undefined : verifier.verify(idToken, 'id', accessToken === undefined ? {} : { accessToken }),
    accessToken === undefined ? undefined : verifier.verify(accessToken, 'access'),
  ]);
  if (idClaims !== undefined && accessClaims !== undefined && idClaims.sub !== accessClaims.sub) {
    throw new TokenVerificationError('ERR_COGNITO_TOKEN_CLAIM', 'the ID and access tokens are of different users', { claim: 'sub' });
  }
  return { ...(idClaims !== undefined ? { idClaims } : {}), ...(accessClaims !== undefined ? { accessClaims } : {}) };
}

async function signedIn(ctx: EngineContext, result: AuthenticationResultType, d: SignInDevice): Promise<StepResult> {
  const { AccessToken: accessToken, IdToken: idToken, RefreshToken: refreshToken } = result;
  if (accessToken === undefined || idToken === undefined) throw new CognitoServiceError('Cognito answered without tokens.');
  const { idClaims, accessClaims } = await verifyPair(ctx.verifier, idToken, accessToken);
  const tokens: SignedInTokens = {
    idToken, accessToken, tokenType: result.TokenType ?? 'Bearer', idClaims, accessClaims, expiresAt: accessClaims.exp * 1000,
    ...(refreshToken !== undefined ? { refreshToken } : {}),
  };
  const offered = result.NewDeviceMetadata;
  const newDevice = offered !== undefined && d.confirmDevice !== false
    ? await confirmOffered(ctx, offered, accessToken, d.deviceName)
    : undefined;
  return { kind: 'signedIn', tokens, ...(newDevice !== undefined ? { newDevice } : {}) };
}

// The sign-in has succeeded whatever happens here: a failure only means the device is not remembered.
async function confirmOffered(
  ctx: EngineContext, metadata: NewDeviceMetadataType, accessToken: string, deviceName: string | undefined,
): Promise<ConfirmedDevice | undefined> {
  try {
    return await confirmDevice(ctx.service, accessToken, metadata, deviceName);
  } catch (e) {
    debug('ConfirmDevice failed; the device is not remembered: %s', isCognitoError(e) ? e.code : String(e));
    return undefined;
  }
}
