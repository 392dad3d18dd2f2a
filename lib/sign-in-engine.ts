/**
 * The sign-in engine: every step of a Cognito sign-in as a function of the resolved config, the
 * service client and the flow's state, which *returns* where the sign-in now stands — signed in (the
 * verified tokens), a challenge to answer (as its typed error and the plain {@link MfaTokens} to keep),
 * or failed (a `CognitoError`). Nothing here holds state: the `Cognito` class keeps the result on its
 * fields, `CognitoStrategy` in the session, and either can answer the next step from another request.
 *
 * A challenge Cognito can ask for is one entry of {@link CHALLENGE_HANDLERS}: the responses its answer
 * sends, and what must happen before (MFA_SETUP's VerifySoftwareToken). What comes after any step —
 * a remembered device proving itself, the tokens verified, an offered device confirmed — is shared.
 */
import type { AuthenticationResultType, NewDeviceMetadataType } from '@aws-sdk/client-cognito-identity-provider';
import createDebug from 'debug';
import {
  answerCommand, challengeError, challengeUsername, pendingChallenge, type AuthStepOutput, type LoginFlow, type MfaTokens,
} from './challenge';
import type { ResolvedConfig } from './config';
import { secretHashParam } from './cognito-rules';
import { answerDeviceChallenge, confirmDevice, type ConfirmedDevice, type DeviceSecrets } from './device';
import { CodeMismatchError, CognitoServiceError, isCognitoError, TokenVerificationError, type ChallengeError, type CognitoError } from './errors';
import { command } from './sdk';
import type { ServiceClient } from './service-client';
import { createSrpEphemeral, passwordVerifierResponse } from './srp';
import type { AccessTokenClaims, IdTokenClaims, TokenVerifier } from './token-verifier';

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

/** An answer to a pending challenge. */
export type ChallengeAnswer =
  | { challenge: 'SOFTWARE_TOKEN_MFA'; code: string }
  | { challenge: 'SMS_MFA'; code: string }
  | { challenge: 'NEW_PASSWORD_REQUIRED'; newPassword: string; attributes?: Record<string, string> | undefined }
  | { challenge: 'SELECT_MFA_TYPE'; mfaType: 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' }
  | { challenge: 'MFA_SETUP'; code: string; friendlyDeviceName?: string | undefined }
  | { challenge: 'CUSTOM_CHALLENGE'; answer: string };

/** The longest custom-challenge answer sent to Cognito, in characters. */
export const MAX_CUSTOM_ANSWER_LENGTH = 2048;

/** How one challenge is answered. */
export interface ChallengeHandler<A extends ChallengeAnswer = ChallengeAnswer> {
  /** Checks the answer (a caller's mistake is a TypeError; a code that cannot be one, a CodeMismatchError). */
  check(answer: A): A;
  /** What must happen before the answer (MFA_SETUP: VerifySoftwareToken); returns the challenge to answer. */
  before?(ctx: EngineContext, pending: MfaTokens, answer: A): Promise<MfaTokens>;
  /** The ChallengeResponses beside USERNAME, SECRET_HASH and DEVICE_KEY. */
  responses(answer: A): Record<string, string>;
}

const MFA_TYPES: readonly string[] = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA'];

/**
 * A code typed by a person: a caller passing something else than a string is a TypeError; a string
 * that cannot be a code is refused as a wrong code, without asking Cognito.
 *
 * @example
 * checkCode(' 123456 '); // '123456'
 */
export function checkCode(code: unknown): string {
  if (typeof code !== 'string') throw new TypeError('"code" must be a string');
  const trimmed = code.trim();
  if (!/^\d{6}$/.test(trimmed)) throw new CodeMismatchError();
  return trimmed;
}

/**
 * An optional friendly name (a device or an authenticator): at most 131 characters, Cognito's limit.
 *
 * @example
 * checkFriendlyName('laptop', 'deviceName');
 */
export function checkFriendlyName(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 131) throw new TypeError(`"${name}" must be a non-empty string`);
  return value;
}

function checkAttributes(attributes: unknown): Record<string, string> | undefined {
  if (attributes === undefined) return undefined;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes) ||
    Object.values(attributes).some((v) => typeof v !== 'string')) {
    throw new TypeError('"attributes" must be an object of strings');
  }
  return { ...(attributes as Record<string, string>) };
}

const codeHandler = <A extends Extract<ChallengeAnswer, { code: string }>>(field: string): ChallengeHandler<A> => ({
  check: (a) => ({ ...a, code: checkCode(a.code) }),
  responses: (a) => ({ [field]: a.code }),
});

/**
 * The challenges the engine answers, by name. A new challenge type is one entry here (and its
 * member of {@link ChallengeAnswer}).
 */
export const CHALLENGE_HANDLERS: { readonly [K in ChallengeAnswer['challenge']]: ChallengeHandler<Extract<ChallengeAnswer, { challenge: K }>> } = {
  SOFTWARE_TOKEN_MFA: codeHandler('SOFTWARE_TOKEN_MFA_CODE'),
  SMS_MFA: codeHandler('SMS_MFA_CODE'),
  NEW_PASSWORD_REQUIRED: {
    check: (a) => {
      if (typeof a.newPassword !== 'string' || a.newPassword.length === 0) throw new TypeError('"newPassword" must be a non-empty string');
      return { ...a, attributes: checkAttributes(a.attributes) };
    },
    responses: (a) => {
      const out: Record<string, string> = { NEW_PASSWORD: a.newPassword };
      for (const [name, value] of Object.entries(a.attributes ?? {})) out[`userAttributes.${name}`] = value;
      return out;
    },
  },
  SELECT_MFA_TYPE: {
    check: (a) => {
      if (!MFA_TYPES.includes(a.mfaType)) throw new TypeError('"mfaType" must be "SOFTWARE_TOKEN_MFA" or "SMS_MFA"');
      return a;
    },
    responses: (a) => ({ ANSWER: a.mfaType }),
  },
  MFA_SETUP: {
    check: (a) => ({ ...a, code: checkCode(a.code), friendlyDeviceName: checkFriendlyName(a.friendlyDeviceName, 'deviceName') }),
    async before(ctx, pending, a) {
      const out = await ctx.service.send<{ Status?: string; Session?: string }>(command('VerifySoftwareToken', {
        Session: pending.Session,
        UserCode: a.code,
        ...(a.friendlyDeviceName !== undefined ? { FriendlyDeviceName: a.friendlyDeviceName } : {}),
      }), 'challenge');
      if (out.Status !== 'SUCCESS') throw new CodeMismatchError();
      return { ...pending, ...(out.Session !== undefined ? { Session: out.Session } : {}) };
    },
    responses: () => ({}),
  },
  CUSTOM_CHALLENGE: {
    check: (a) => {
      if (typeof a.answer !== 'string' || a.answer.length === 0 || a.answer.length > MAX_CUSTOM_ANSWER_LENGTH) {
        throw new TypeError(`"answer" must be a non-empty string of at most ${MAX_CUSTOM_ANSWER_LENGTH} characters`);
      }
      return a;
    },
    responses: (a) => ({ ANSWER: a.answer }),
  },
};

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

type PublicFlow = 'USER_SRP_AUTH' | 'CUSTOM_AUTH';

/**
 * InitiateAuth, and the PASSWORD_VERIFIER answer when a password is given: USER_SRP_AUTH, or
 * CUSTOM_AUTH with SRP first (`CHALLENGE_NAME: SRP_A`); CUSTOM_AUTH without a password sends the
 * username alone.
 */
async function initiateOnce(
  ctx: EngineContext, flow: PublicFlow, username: string, password: string | undefined, d: SignInDevice,
): Promise<StepResult> {
  const { config, service } = ctx;
  const ephemeral = password === undefined ? undefined : createSrpEphemeral();
  const srp = ephemeral === undefined ? {} : { SRP_A: ephemeral.srpA, ...(flow === 'CUSTOM_AUTH' ? { CHALLENGE_NAME: 'SRP_A' } : {}) };
  const init = await service.send<AuthStepOutput>(command('InitiateAuth', {
    AuthFlow: flow,
    ClientId: config.clientId,
    // SECRET_HASH from the name typed: Cognito has not said yet who that is.
    AuthParameters: { USERNAME: username, ...srp, ...extraResponses(config, username, d) },
    ...metadataParam(d.clientMetadata),
  }), 'login');
  if (init.ChallengeName !== 'PASSWORD_VERIFIER' || password === undefined || ephemeral === undefined) {
    return finish(ctx, init, flow, username, d);
  }
  let answer: ReturnType<typeof passwordVerifierResponse>;
  try {
    answer = passwordVerifierResponse({
      userPoolId: config.userPoolId, password, ephemeral,
      challengeParameters: init.ChallengeParameters ?? {}, now: new Date(config.clock()),
    });
  } catch {
    throw new CognitoServiceError('Cognito sent a malformed PASSWORD_VERIFIER challenge.');
  }
  // From here on, the internal username (USER_ID_FOR_SRP): a login by e-mail alias works with a secret.
  const internal = answer.USERNAME;
  const out = await service.send<AuthStepOutput>(answerCommand({
    flow, userPoolId: config.userPoolId, clientId: config.clientId, clientMetadata: d.clientMetadata,
    challengeName: 'PASSWORD_VERIFIER',
    session: init.Session,
    responses: { ...answer, ...extraResponses(config, internal, d) },
  }), 'login');
  return finish(ctx, out, flow, internal, d);
}

/** A public-flow sign-in; when Cognito no longer knows the remembered device, it is made again without it. */
async function startPublic(
  ctx: EngineContext, flow: PublicFlow, username: string, password: string | undefined, d: SignInDevice,
): Promise<StepResult> {
  try {
    return await initiateOnce(ctx, flow, username, password, d);
  } catch (e) {
    if (!isCognitoError(e) || e.awsErrorName !== 'ResourceNotFoundException' || deviceKeyOf(d) === undefined) return failed(e);
    debug('the remembered device is unknown to Cognito; signing in without it');
  }
  const without: SignInDevice = { ...d, device: undefined, deviceKey: undefined };
  try {
    return { ...(await initiateOnce(ctx, flow, username, password, without)), deviceForgotten: true };
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
  return startPublic(ctx, 'USER_SRP_AUTH', username, password, d);
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
  return startPublic(ctx, 'CUSTOM_AUTH', username, password, d);
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
    const out = await service.send<AuthStepOutput>(answerCommand({
      flow, userPoolId: config.userPoolId, clientId: config.clientId, clientMetadata: d.clientMetadata,
      challengeName: answer.challenge, session: ready.Session,
      responses: { USERNAME: username, ...handler.responses(checked), ...extraResponses(config, username, d) },
    }), 'challenge');
    return await finish(ctx, out, flow, username, d);
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
