/**
 * `CognitoStrategy`: a Passport strategy that signs users in against an Amazon Cognito user pool,
 * shaped like passport-local (`new CognitoStrategy(options?, verify?)`, name `'cognito'`), with every
 * step Cognito can ask for (MFA codes, a new password, MFA type choice, TOTP setup) answered by later
 * POSTs to the same route.
 */
import type { Request } from 'express';
import createDebug from 'debug';
import { Strategy } from 'passport-strategy';
import type { MfaTokens } from '../lib/challenge';
import { MAX_USERNAME_LENGTH } from '../lib/cognito-rules';
import { resolveConfig, type ResolvedConfig } from '../lib/config';
import {
  isCognitoError, publicChallengeParameters, WebAuthnChallengeError, type ChallengeError, type CognitoError,
} from '../lib/errors';
import type { CognitoErrorCode } from '../lib/error-codes';
import { ServiceClient } from '../lib/service-client';
import {
  answerChallenge, startAdmin, startCustom, startSrp, startUserAuth, type EngineContext, type SignedInTokens,
  type StepResult,
} from '../lib/sign-in-engine';
import { TokenVerifier } from '../lib/token-verifier';
import {
  clearPendingChallenge, getPendingChallenge, hasSession, regenerateWithTokens, setPendingChallenge,
  storeTokensAtRegeneration, toSessionTokens, type PendingChallenge,
} from '../middleware/session-tokens';
import { challengeParameters, decideChallengeStep, listParameter } from './challenge-answers';
import { mfaSetupPrompt, withPendingTotpKey } from './mfa-setup';
import {
  lookup, readAnswer, readCode, readCredential, readFactor, readMfaType, readOtp, readPassword, readUsername,
  type FieldResult,
} from './login-fields';
import { decideUserAuthStep, USER_AUTH_STEPS, userAuthStart, type UserAuthDecision, type UserAuthFields } from './user-auth-step';
import {
  defaultUser, type CognitoFailureInfo, type CognitoStrategyOptions, type CognitoTokens, type CognitoVerifyFunction,
  type CognitoVerifyFunctionWithRequest, type VerifyDone,
} from './types';

export type {
  CognitoFailureInfo, CognitoStrategyOptions, CognitoTokens, CognitoUser,
  CognitoVerifyFunction, CognitoVerifyFunctionWithRequest, VerifyDone,
} from './types';

const debug = createDebug('express-cognito:strategy');


type Outcome =
  | { kind: 'fail'; info: CognitoFailureInfo; status: number }
  | { kind: 'success'; user: unknown; info?: unknown }
  | { kind: 'error'; err: Error };

type FieldKey = 'username' | 'password' | 'code' | 'newPassword' | 'mfaType' | 'answer' | 'factor' | 'credential' | 'resend';
type Fields = Record<Exclude<FieldKey, 'resend'>, FieldResult> & { otp: FieldResult; resend: boolean };
type AuthFlow = 'USER_SRP_AUTH' | 'ADMIN_USER_PASSWORD_AUTH' | 'CUSTOM_AUTH' | 'USER_AUTH';

const ANSWERABLE = new Set([
  'SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'NEW_PASSWORD_REQUIRED', 'MFA_SETUP', 'SELECT_MFA_TYPE', 'CUSTOM_CHALLENGE', ...USER_AUTH_STEPS,
]);
const AUTH_FLOWS: readonly AuthFlow[] = ['USER_SRP_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'CUSTOM_AUTH', 'USER_AUTH'];

/**
 * Passport strategy for Amazon Cognito user pools.
 *
 * - Reads `username`/`password` (JSON or form body); on a later POST of the same login, `code`,
 *   `newPassword` or `mfaType`. A missing, empty, non-string or oversized field is `fail(info, 400)`
 *   and Cognito is not called.
 * - A challenge is kept in the session (bound to it, expiring after `challengeTtlSeconds`) and
 *   reported as `fail({ challenge, message, code, … }, 401)`. For MFA_SETUP the info carries
 *   `secretCode` and `otpauthUri` (a POST with no field repeats them); the next POST carries `code`.
 *   A wrong code keeps the challenge (at MFA_SETUP its info repeats `secretCode` and `otpauthUri`,
 *   kept with the challenge in the session, so the QR code can be shown again).
 * - Success: the session is regenerated (Passport's `req.logIn`) and the tokens are stored in the new
 *   session only (server side; read them with `requireCognito()`); `req.user` is what `verify` gives,
 *   else `{ sub, username, email, groups }` from the ID token.
 * - Unknown user and wrong password give the same `fail({ code: 'ERR_COGNITO_BAD_CREDENTIALS' }, 401)`.
 * - Cognito throttling or unreachable: `error(err)` with `err.status` 429 or 503 (and
 *   `err.retryAfterSeconds` when throttled), for Express's error handler.
 *
 * @example
 * passport.use(new CognitoStrategy({ authFlow: 'USER_SRP_AUTH' }));
 * app.post('/login', passport.authenticate('cognito', { successRedirect: '/', failureRedirect: '/login' }));
 * // JSON API, multi-step:
 * app.post('/api/login', (req, res, next) => passport.authenticate('cognito', (err, user, info, status) => {
 *   if (err) return next(err);
 *   if (!user) return res.status(status ?? 401).json(info);
 *   req.logIn(user, (e) => (e ? next(e) : res.json({ user })));
 * })(req, res, next));
 */
export class CognitoStrategy extends Strategy {
  /** Passport's name for this strategy. */
  name = 'cognito';
  private readonly config: ResolvedConfig;
  /** The sign-in engine's context: this strategy's config, service client and verifier, made once. */
  private readonly engine: EngineContext;
  private readonly authFlow: AuthFlow;
  private readonly fields: Record<FieldKey, string>;
  private readonly passReqToCallback: boolean;
  private readonly storeTokensOnUser: boolean;
  private readonly challengeTtlMs: number;
  private readonly totpIssuer: string;
  private readonly verify?: CognitoVerifyFunction | CognitoVerifyFunctionWithRequest;

  constructor(options?: CognitoStrategyOptions | CognitoVerifyFunction, verify?: CognitoVerifyFunction | CognitoVerifyFunctionWithRequest) {
    super();
    if (typeof options === 'function') {
      verify = options;
      options = undefined;
    }
    const o = options ?? {};
    if (typeof o !== 'object' || o === null) throw new TypeError('CognitoStrategy options must be an object');
    if (verify !== undefined && typeof verify !== 'function') throw new TypeError('"verify" must be a function');
    this.config = resolveConfig(o);
    this.engine = { config: this.config, service: new ServiceClient(this.config), verifier: new TokenVerifier(this.config) };
    const authFlow = o.authFlow ?? 'USER_SRP_AUTH';
    if (!AUTH_FLOWS.includes(authFlow)) throw new TypeError(`"authFlow" must be one of ${AUTH_FLOWS.join(', ')}`);
    this.authFlow = authFlow;
    this.fields = {
      username: fieldName(o.usernameField, 'usernameField', 'username'),
      password: fieldName(o.passwordField, 'passwordField', 'password'),
      code: fieldName(o.codeField, 'codeField', 'code'),
      newPassword: fieldName(o.newPasswordField, 'newPasswordField', 'newPassword'),
      mfaType: fieldName(o.mfaTypeField, 'mfaTypeField', 'mfaType'),
      answer: fieldName(o.answerField, 'answerField', 'answer'),
      factor: fieldName(o.factorField, 'factorField', 'factor'),
      credential: fieldName(o.credentialField, 'credentialField', 'credential'),
      resend: fieldName(o.resendField, 'resendField', 'resend'),
    };
    this.passReqToCallback = booleanOption(o.passReqToCallback, 'passReqToCallback');
    this.storeTokensOnUser = booleanOption(o.storeTokensOnUser, 'storeTokensOnUser');
    const ttl = o.challengeTtlSeconds ?? 180;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 900) throw new TypeError('"challengeTtlSeconds" must be an integer from 1 to 900');
    this.challengeTtlMs = ttl * 1000;
    const issuer = o.totpIssuer ?? 'Amazon Cognito';
    if (typeof issuer !== 'string' || issuer === '' || issuer.includes(':') || issuer.length > 64) {
      throw new TypeError('"totpIssuer" must be a non-empty string without ":" (at most 64 characters)');
    }
    this.totpIssuer = issuer;
    if (verify) this.verify = verify;
  }

  /**
   * Called by Passport for each login POST; ends in exactly one of `success`, `fail` or `error`.
   *
   * @example
   * app.post('/login', passport.authenticate('cognito', { failureRedirect: '/login' }));
   */
  override authenticate(req: Request, options?: { session?: boolean }): void {
    this.decide(req, options ?? {}).then(
      (outcome) => this.apply(outcome),
      (err: unknown) => this.apply({ kind: 'error', err: err instanceof Error ? err : new Error(String(err)) }),
    );
  }

  private apply(outcome: Outcome): void {
    switch (outcome.kind) {
      case 'success':
        debug('login succeeded');
        return this.success(outcome.user, outcome.info);
      case 'fail':
        debug('login step failed: %s (%d)%s', outcome.info.code, outcome.status, outcome.info.challenge ? ` challenge ${outcome.info.challenge}` : '');
        return this.fail(outcome.info, outcome.status);
      case 'error':
        debug('login error: %s', isCognitoError(outcome.err) ? outcome.err.code : outcome.err.name);
        return this.error(outcome.err);
    }
  }

  private async decide(req: Request, options: { session?: boolean }): Promise<Outcome> {
    const body: unknown = req.body;
    const f: Fields = {
      username: readUsername(body, this.fields.username),
      password: readPassword(body, this.fields.password),
      code: readCode(body, this.fields.code),
      newPassword: readPassword(body, this.fields.newPassword),
      mfaType: readMfaType(body, this.fields.mfaType),
      answer: readAnswer(body, this.fields.answer),
      factor: readFactor(body, this.fields.factor),
      credential: readCredential(body, this.fields.credential),
      otp: readOtp(body, this.fields.code),
      resend: isPresent(lookup(body, this.fields.resend)),
    };
    const hasAnswer = f.code.state !== 'absent' || f.newPassword.state !== 'absent' || f.mfaType.state !== 'absent' || f.answer.state !== 'absent'
      || f.factor.state !== 'absent' || f.credential.state !== 'absent' || f.resend;
    const hasCredentials = f.username.state !== 'absent' || f.password.state !== 'absent';
    const pending = getPendingChallenge(req);

    if (pending && (hasAnswer || !hasCredentials)) {
      if (pending.expiresAt <= this.config.clock()) {
        clearPendingChallenge(req);
        return fail(401, 'ERR_COGNITO_CHALLENGE_EXPIRED', 'The sign-in session expired; start again.');
      }
      return this.continueChallenge(req, options, pending, f);
    }
    if (!hasCredentials) {
      if (hasAnswer) return fail(400, 'ERR_COGNITO_NO_PENDING_CHALLENGE', 'No sign-in is in progress; send a username and password first.');
      return fail(400, 'ERR_COGNITO_MISSING_CREDENTIALS', 'Missing credentials');
    }
    // CUSTOM_AUTH and USER_AUTH: the password is optional (sent, it is proved by SRP).
    const custom = this.authFlow === 'CUSTOM_AUTH' || this.authFlow === 'USER_AUTH';
    for (const key of ['username', 'password'] as const) {
      const r = f[key];
      if (r.state === 'absent' && !(custom && key === 'password')) {
        return fail(400, 'ERR_COGNITO_MISSING_CREDENTIALS', 'Missing credentials', this.fields[key]);
      }
      if (r.state === 'invalid') return fail(400, 'ERR_COGNITO_INVALID_FIELD', `The ${key} ${r.reason}.`, this.fields[key]);
    }
    const username = (f.username as { value: string }).value;
    const password = f.password.state === 'ok' ? f.password.value : undefined;
    if (pending) clearPendingChallenge(req);
    // Cognito's usernames stop at MAX_USERNAME_LENGTH: a longer one names nobody (same answer as unknown).
    if (username.length > MAX_USERNAME_LENGTH) return fail(401, 'ERR_COGNITO_BAD_CREDENTIALS', 'Incorrect username or password.');

    debug('login start (%s)', this.authFlow);
    if (this.authFlow === 'USER_AUTH') return this.userAuthDecision(req, options, userAuthStart(this.userAuthFields(f), this.fields), username);
    return this.afterStep(req, options, await this.start(username, password), username, undefined);
  }

  private userAuthFields(f: Fields): UserAuthFields {
    return { factor: f.factor, password: f.password, otp: f.otp, credential: f.credential, resend: f.resend };
  }

  /** USER_AUTH: a refusal before any call, a (new) start with a preferred factor, or an answer. */
  private async userAuthDecision(
    req: Request, options: { session?: boolean }, decision: UserAuthDecision, username: string, pending?: PendingChallenge,
  ): Promise<Outcome> {
    switch (decision.kind) {
      case 'refuse': return fail(400, decision.code, decision.message, decision.field, pending?.name);
      case 'restart': {
        if (pending) clearPendingChallenge(req);
        const step = await startUserAuth(this.engine, username, { preferred: decision.preferred, password: decision.password });
        return this.afterStep(req, options, step, username, undefined, decision.password === undefined);
      }
      case 'answer': {
        const step = await answerChallenge(this.engine, pending?.state as MfaTokens, decision.answer, {}, username);
        const proved = 'password' in decision.answer && decision.answer.password !== undefined;
        return this.afterStep(req, options, step, username, pending, pending?.firstFactor === true && !proved);
      }
    }
  }

  private start(username: string, password: string | undefined): Promise<StepResult> {
    if (this.authFlow === 'CUSTOM_AUTH') return startCustom(this.engine, username, password);
    // Checked by the caller: only CUSTOM_AUTH goes without a password.
    const given = password as string;
    return this.authFlow === 'ADMIN_USER_PASSWORD_AUTH' ? startAdmin(this.engine, username, given) : startSrp(this.engine, username, given);
  }

  /** Where the engine left the sign-in, as Passport's outcome. */
  private async afterStep(
    req: Request, options: { session?: boolean }, step: StepResult, username: string, pending: PendingChallenge | undefined,
    firstFactor = false,
  ): Promise<Outcome> {
    switch (step.kind) {
      case 'signedIn': return this.complete(req, options, step.tokens);
      case 'challenge': return this.storeChallenge(req, step.error, username, firstFactor);
      case 'failed': return this.onCognitoError(req, step.error, pending);
    }
  }

  private async continueChallenge(req: Request, options: { session?: boolean }, pending: PendingChallenge, f: Fields): Promise<Outcome> {
    const outcome = await this.answerChallenge(req, options, pending, f);
    if (outcome.kind !== 'fail') return outcome;
    if (pending.name === 'MFA_SETUP') return { ...outcome, info: withPendingTotpKey(req, outcome.info, this.totpIssuer) };
    // The same question still pending (a malformed answer): the page can ask it again.
    if (pending.name === 'CUSTOM_CHALLENGE' && outcome.info.challenge === 'CUSTOM_CHALLENGE' && outcome.info.publicChallengeParameters === undefined
      && getPendingChallenge(req) === pending) {
      const publicParameters = publicChallengeParameters(challengeParameters(pending.state));
      return { ...outcome, info: { ...outcome.info, publicChallengeParameters: publicParameters } };
    }
    return outcome;
  }

  private async answerChallenge(req: Request, options: { session?: boolean }, pending: PendingChallenge, f: Fields): Promise<Outcome> {
    debug('answering challenge %s', pending.name);
    if (USER_AUTH_STEPS.has(pending.name)) {
      const decision = decideUserAuthStep(pending, this.userAuthFields(f), this.fields);
      return this.userAuthDecision(req, options, decision, pending.username, pending);
    }
    const decision = decideChallengeStep(pending, f, this.fields, req.body);
    switch (decision.kind) {
      case 'refuse': return { kind: 'fail', info: decision.info, status: 400 };
      case 'setup': return this.mfaSetupStep(req, pending);
      case 'unsupported':
        clearPendingChallenge(req);
        return fail(401, 'ERR_COGNITO_CHALLENGE_UNSUPPORTED', 'This sign-in step is not supported; start again.');
      case 'answer': break;
    }
    const answer = decision.answer;
    const step = await answerChallenge(this.engine, pending.state as MfaTokens, answer, {}, pending.username);
    return this.afterStep(req, options, step, pending.username, pending);
  }

  private async mfaSetupStep(req: Request, pending: PendingChallenge): Promise<Outcome> {
    const settings = { issuer: this.totpIssuer, clock: this.config.clock, challengeTtlMs: this.challengeTtlMs };
    try {
      return { kind: 'fail', status: 401, info: await mfaSetupPrompt(req, this.engine, pending, settings) };
    } catch (err) {
      if (!isCognitoError(err)) throw err;
      return this.onCognitoError(req, err, pending);
    }
  }

  private onCognitoError(req: Request, err: CognitoError, pending: PendingChallenge | undefined): Outcome {
    switch (err.code) {
      case 'ERR_COGNITO_THROTTLED':
      case 'ERR_COGNITO_UNAVAILABLE':
        return { kind: 'error', err };
      case 'ERR_COGNITO_CODE_MISMATCH':
        // Cognito's challenge session survives a wrong code; so does ours.
        return fail(401, err.code, 'The code is not valid; try again.', undefined, pending?.name);
      case 'ERR_COGNITO_INVALID_PASSWORD':
        return fail(400, err.code, err.message, this.fields.newPassword, pending?.name);
    }
    if (pending) clearPendingChallenge(req);
    if (err.status >= 400 && err.status < 500) return fail(err.status, err.code, err.message);
    return { kind: 'error', err };
  }

  private async storeChallenge(req: Request, err: ChallengeError, typedUsername: string, firstFactor = false): Promise<Outcome> {
    if (!hasSession(req)) {
      return { kind: 'error', err: new Error('CognitoStrategy needs a session (express-session) to continue a multi-step sign-in') };
    }
    const name = err.challengeName;
    if (!ANSWERABLE.has(name)) {
      clearPendingChallenge(req);
      return fail(401, 'ERR_COGNITO_CHALLENGE_UNSUPPORTED', 'This sign-in step is not supported.');
    }
    const params = err.parameters;
    const username = err.username ?? params.USER_ID_FOR_SRP ?? typedUsername;
    const state = err.getTokens();
    const pending: PendingChallenge = {
      name, state, username, expiresAt: this.config.clock() + this.challengeTtlMs, ...(firstFactor ? { firstFactor: true } : {}),
    };
    setPendingChallenge(req, pending);
    if (name === 'MFA_SETUP') return this.mfaSetupStep(req, pending);
    const info: CognitoFailureInfo = { challenge: name, code: err.code, message: err.message };
    if (params.CODE_DELIVERY_DESTINATION) info.destination = params.CODE_DELIVERY_DESTINATION;
    const mfaTypes = listParameter(params, 'MFAS_CAN_CHOOSE');
    if (mfaTypes) info.mfaTypes = mfaTypes;
    const required = listParameter(params, 'requiredAttributes');
    if (required) info.requiredAttributes = required.map((a) => a.replace(/^userAttributes\./, ''));
    if (name === 'CUSTOM_CHALLENGE') info.publicChallengeParameters = publicChallengeParameters(params);
    if (err.availableChallenges !== undefined) info.availableChallenges = [...err.availableChallenges];
    const requestOptions = err instanceof WebAuthnChallengeError ? err.requestOptions : undefined;
    if (requestOptions !== undefined) info.credentialRequestOptions = requestOptions;
    return { kind: 'fail', info, status: 401 };
  }

  private async complete(req: Request, options: { session?: boolean }, signedIn: SignedInTokens): Promise<Outcome> {
    const { idToken, accessToken, refreshToken } = signedIn;
    const claims = signedIn.idClaims as Record<string, unknown>;
    const stored = toSessionTokens({ idToken, accessToken, refreshToken });
    const tokens: CognitoTokens = { idToken, accessToken, expiresAt: stored.expiresAt, tokenType: 'Bearer' };
    if (refreshToken) tokens.refreshToken = refreshToken;

    let user: unknown;
    let info: unknown;
    if (this.verify) {
      const result = await this.callVerify(req, tokens, claims);
      if (!result.user) {
        clearPendingChallenge(req);
        const given = result.info as Partial<CognitoFailureInfo> | undefined;
        return fail(401, given?.code ?? 'ERR_COGNITO_USER_REFUSED', given?.message ?? 'The user is not allowed to sign in.');
      }
      ({ user, info } = result);
    } else {
      user = defaultUser(claims, this.storeTokensOnUser ? tokens : undefined);
    }

    // Tokens go into the regenerated session only (no fixation; nothing in the pre-login session).
    if (hasSession(req)) {
      if (options.session === false) await regenerateWithTokens(req, stored);
      else storeTokensAtRegeneration(req, stored);
    }
    return { kind: 'success', user, info };
  }

  private callVerify(req: Request, tokens: CognitoTokens, claims: Record<string, unknown>): Promise<{ user: unknown; info: unknown }> {
    return new Promise((resolve, reject) => {
      let called = false;
      const done: VerifyDone = (err, user, info) => {
        if (called) return;
        called = true;
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- done(err) hands this.error what verify passed
        if (err) reject(err);
        else resolve({ user, info });
      };
      try {
        if (this.passReqToCallback) (this.verify as CognitoVerifyFunctionWithRequest)(req, tokens, claims, done);
        else (this.verify as CognitoVerifyFunction)(tokens, claims, done);
      } catch (e) {
        if (!called) {
          called = true;
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what verify throws reaches this.error as thrown
          reject(e);
        }
      }
    });
  }
}

function fail(status: number, code: CognitoErrorCode, message: string, field?: string, challenge?: string): Outcome {
  const info: CognitoFailureInfo = { code, message };
  if (challenge) info.challenge = challenge;
  if (field) info.field = field;
  return { kind: 'fail', info, status };
}




// A flag field (`resend=1`, `resend: true`): present unless empty or false.
function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== false && value !== 'false' && value !== '0';
}

function fieldName(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) throw new TypeError(`"${name}" must be a non-empty string`);
  return value;
}

function booleanOption(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`"${name}" must be a boolean`);
  return value;
}
