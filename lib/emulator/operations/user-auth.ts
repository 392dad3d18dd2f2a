/**
 * USER_AUTH, choice-based sign-in: InitiateAuth / AdminInitiateAuth with `AuthFlow: USER_AUTH`
 * and the challenges it raises (SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP;
 * WEB_AUTHN through user-auth-webauthn.ts), as Cognito runs them:
 *
 * - no `PREFERRED_CHALLENGE` (or one the user cannot present): SELECT_CHALLENGE with
 *   `AvailableChallenges`, the pool's `AllowedFirstAuthFactors` the user can present;
 * - PASSWORD (with `PASSWORD`): the password checked as USER_PASSWORD_AUTH checks it, then MFA;
 *   PASSWORD_SRP (with `SRP_A`): the PASSWORD_VERIFIER challenge of USER_SRP_AUTH, then MFA;
 *   without the password / SRP_A, a PASSWORD / PASSWORD_SRP challenge asks for it;
 * - EMAIL_OTP / SMS_OTP: an 8-digit code to the verified e-mail / phone (the outbox, purpose
 *   `SIGN_IN`), answered once within the session's life; a right code completes the sign-in (no MFA);
 * - WEB_AUTHN: `CREDENTIAL_REQUEST_OPTIONS`, answered once with a passkey assertion (no MFA follows);
 * - a top-level `Session` from ConfirmSignUp: the confirmed user signs in without another code.
 *
 * An unknown user on a client with `PreventUserExistenceErrors: ENABLED` gets the same answers
 * from a decoy that never succeeds (nothing reaches the outbox); on a LEGACY one,
 * UserNotFoundException. PreAuthentication runs as the first factor starts.
 */
import { timingSafeEqual } from 'node:crypto';
import type { EmulatorContext } from '../context';
import { simulatedContact } from '../delivery';
import { deliverMessage } from '../custom-message';
import { invalidParameter, notAuthorized, userNotFound } from '../errors';
import { numericCode } from '../ids';
import { maskEmail, type OutboxChannel } from '../outbox';
import { requireEntry } from '../protocol';
import type { ClientRecord, PoolRecord, SessionRecord, UserRecord } from '../store';
import { findUser, maskPhone, userKey } from '../user-directory';
import { runPreAuthentication } from '../user-triggers';
import { checkSecretHash, requireFlow } from './auth-flows';
import { checkPassword } from './password-check';
import { allowedFirstAuthFactors, challengesOf, userFirstFactors } from './sign-in-policy';
import {
  afterPassword, assertMaySignIn, completeSignIn, openSession, OTP_CODE_DIGITS, wrongCode, type SignInFlow, type SignInResponse,
} from './sign-in-steps';
import { clientEphemeral, openPasswordVerifier } from './srp-challenge';
import { answerWebAuthnChallenge, passkeySignInOffered, startWebAuthnChallenge, type WebAuthnStep } from './user-auth-webauthn';

/** The first-factor challenges of USER_AUTH (`PREFERRED_CHALLENGE`, SELECT_CHALLENGE `ANSWER`). */
const FIRST_CHALLENGES = ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'] as const;
type FirstChallenge = (typeof FIRST_CHALLENGES)[number];

function isFirstChallenge(value: string): value is FirstChallenge {
  return (FIRST_CHALLENGES as readonly string[]).includes(value);
}

/** Who is signing in: a user, or (PreventUserExistenceErrors) a decoy named as sent. */
interface Subject {
  user: UserRecord | undefined;
  /** The name as the client typed it (USERNAME). */
  typed: string;
  /** The internal username, or the typed name for a decoy. */
  name: string;
}

/** What a decoy "can present": every allowed factor (a passkey when the pool offers passkey sign-in). */
function decoyChallenges(pool: PoolRecord): string[] {
  return challengesOf(allowedFirstAuthFactors(pool).filter((f) => f !== 'WEB_AUTHN' || passkeySignInOffered(pool)));
}

function challengesFor(pool: PoolRecord, subject: Subject): string[] {
  return subject.user ? challengesOf(userFirstFactors(pool, subject.user)) : decoyChallenges(pool);
}

// A session of a USER_AUTH step; a decoy's is named after the name as sent.
function userAuthSession(
  ctx: EmulatorContext, client: ClientRecord, subject: Subject, challenge: SessionRecord['challenge'], available: string[],
  extra: { otpCode?: string; deviceKey?: string | undefined },
): SessionRecord {
  return openSession(ctx, client, { username: subject.name }, challenge, {
    userAuth: { available, userNotFound: subject.user === undefined },
    ...(extra.otpCode !== undefined ? { otpCode: extra.otpCode } : {}),
    ...(extra.deviceKey ? { deviceKey: extra.deviceKey } : {}),
  });
}

function selectChallenge(
  ctx: EmulatorContext, client: ClientRecord, subject: Subject, available: string[], deviceKey: string | undefined,
): SignInResponse {
  if (available.length === 0) throw notAuthorized();
  const session = userAuthSession(ctx, client, subject, 'SELECT_CHALLENGE', available, { deviceKey });
  return { ChallengeName: 'SELECT_CHALLENGE', Session: session.id, ChallengeParameters: {}, AvailableChallenges: [...available] };
}

// PreAuthentication as a first factor starts (an unknown user's only on an ENABLED client).
async function preAuthentication(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, subject: Subject, flow: SignInFlow,
): Promise<void> {
  await runPreAuthentication(ctx, pool, client, subject.user, subject.typed, flow.clientMetadata);
}

// A plausible masked destination for a decoy's code.
function decoyDestination(pool: PoolRecord, name: string, channel: OutboxChannel): string {
  const guess = simulatedContact(pool, name);
  if (guess.channel === channel) return guess.destination;
  return channel === 'EMAIL' ? `${name.charAt(0) || 'a'}@example.com` : '+10000000000';
}

/** Sends an EMAIL_OTP / SMS_OTP sign-in code (a decoy's goes nowhere) and raises that challenge. */
async function codeChallenge(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, subject: Subject, factor: 'EMAIL_OTP' | 'SMS_OTP',
  deviceKey: string | undefined, flow: SignInFlow,
): Promise<SignInResponse> {
  await preAuthentication(ctx, pool, client, subject, flow);
  const channel: OutboxChannel = factor === 'EMAIL_OTP' ? 'EMAIL' : 'SMS';
  const attribute = channel === 'EMAIL' ? 'email' : 'phone_number';
  let destination: string;
  let code: string | undefined;
  if (subject.user) {
    destination = subject.user.attributes.get(attribute) ?? '';
    code = numericCode(OTP_CODE_DIGITS);
    const subjectLine = channel === 'EMAIL' ? pool.emailMfaConfiguration?.Subject : undefined;
    await deliverMessage(ctx, pool, subject.user, {
      channel, destination, purpose: 'SIGN_IN', code, ...(subjectLine ? { subject: subjectLine } : {}),
    }, { clientId: client.clientId, ...(flow.clientMetadata !== undefined ? { clientMetadata: flow.clientMetadata } : {}) });
  } else {
    destination = decoyDestination(pool, subject.typed, channel);
  }
  const session = userAuthSession(ctx, client, subject, factor, [factor], { ...(code !== undefined ? { otpCode: code } : {}), deviceKey });
  return {
    ChallengeName: factor,
    Session: session.id,
    ChallengeParameters: {
      CODE_DELIVERY_DELIVERY_MEDIUM: channel,
      CODE_DELIVERY_DESTINATION: channel === 'EMAIL' ? maskEmail(destination) : maskPhone(destination),
    },
  };
}

function webAuthnStep(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, subject: Subject, deviceKey: string | undefined, flow: SignInFlow,
): WebAuthnStep {
  return { ctx, pool, client, user: subject.user, username: subject.name, typed: subject.typed, ...(deviceKey ? { deviceKey } : {}), flow };
}

/**
 * Starts (or, given its secret, completes) one first factor: the password or its SRP proof, a code,
 * or the passkey challenge (InitiateAuth has no CREDENTIAL to complete it with).
 */
async function startFactor(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, subject: Subject, factor: FirstChallenge,
  given: Record<string, string>, deviceKey: string | undefined, flow: SignInFlow,
): Promise<SignInResponse> {
  switch (factor) {
    case 'PASSWORD': {
      if (given.PASSWORD === undefined) {
        const session = userAuthSession(ctx, client, subject, 'PASSWORD', ['PASSWORD'], { deviceKey });
        return { ChallengeName: 'PASSWORD', Session: session.id, ChallengeParameters: {} };
      }
      const user = await checkPassword(ctx, pool, client, subject.typed, requireEntry(given, 'PASSWORD'), flow);
      assertMaySignIn(ctx, pool, user);
      return afterPassword(ctx, pool, client, user, deviceKey, flow);
    }
    case 'PASSWORD_SRP': {
      if (given.SRP_A === undefined) {
        const session = userAuthSession(ctx, client, subject, 'PASSWORD_SRP', ['PASSWORD_SRP'], { deviceKey });
        return { ChallengeName: 'PASSWORD_SRP', Session: session.id, ChallengeParameters: {} };
      }
      const A = clientEphemeral(given);
      await preAuthentication(ctx, pool, client, subject, flow);
      return { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: openPasswordVerifier(ctx, pool, client, subject.user, subject.typed, A) };
    }
    case 'EMAIL_OTP':
    case 'SMS_OTP':
      return codeChallenge(ctx, pool, client, subject, factor, deviceKey, flow);
    case 'WEB_AUTHN':
      return startWebAuthnChallenge(webAuthnStep(ctx, pool, client, subject, deviceKey, flow));
  }
}

// InitiateAuth with the Session of ConfirmSignUp: the confirmed user, once, on the same client, in time.
async function signInAfterSignUp(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, username: string, sessionId: string, ap: Record<string, string>,
  flow: SignInFlow,
): Promise<SignInResponse> {
  const record = ctx.store.signUpSessions.get(sessionId);
  if (!record || record.poolId !== pool.id || record.clientId !== client.clientId || record.stage !== 'CONFIRMED') {
    throw notAuthorized('Invalid session for the user.');
  }
  ctx.store.signUpSessions.delete(sessionId);
  if (ctx.clock.now() >= record.expiresAt) throw notAuthorized('Invalid session for the user, session is expired.');
  const user = pool.users.get(userKey(pool, record.username));
  if (!user || findUser(pool, username)?.username !== user.username) throw notAuthorized('Invalid session for the user.');
  if (!user.enabled) throw notAuthorized('User is disabled.');
  await runPreAuthentication(ctx, pool, client, user, username, flow.clientMetadata);
  assertMaySignIn(ctx, pool, user);
  return completeSignIn(ctx, pool, client, user, ap.DEVICE_KEY, flow);
}

/**
 * InitiateAuth / AdminInitiateAuth with USER_AUTH.
 *
 * @param session the request's top-level `Session` (from ConfirmSignUp), if any.
 * @throws WireError InvalidParameterException (flow not allowed, unknown PREFERRED_CHALLENGE, bad
 *   SRP_A), NotAuthorizedException, UserNotFoundException (LEGACY client), the triggers' exceptions.
 */
export async function startUserAuth(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, ap: Record<string, string>, flow: SignInFlow, session?: string,
): Promise<SignInResponse> {
  requireFlow(client, 'ALLOW_USER_AUTH', 'USER_AUTH');
  const username = requireEntry(ap, 'USERNAME');
  checkSecretHash(client, ap.SECRET_HASH, username);
  if (session !== undefined) return signInAfterSignUp(ctx, pool, client, username, session, ap, flow);
  const preferred = ap.PREFERRED_CHALLENGE;
  if (preferred !== undefined && !isFirstChallenge(preferred)) {
    throw invalidParameter(`Invalid PREFERRED_CHALLENGE ${preferred}: expected one of ${FIRST_CHALLENGES.join(', ')}.`);
  }
  const user = findUser(pool, username);
  const subject: Subject = { user, typed: username, name: user?.username ?? username };
  const available = challengesFor(pool, subject);
  if (!user && client.preventUserExistenceErrors !== 'ENABLED') {
    // With the password in hand, UserMigration may still bring the user in (checkPassword asks it).
    const migrating = preferred === 'PASSWORD' && ap.PASSWORD !== undefined && available.includes('PASSWORD');
    if (!migrating) throw userNotFound();
  }
  if (user && !user.enabled) throw notAuthorized('User is disabled.');
  // A preference the user cannot present falls back to the choice.
  if (preferred !== undefined && available.includes(preferred)) {
    return startFactor(ctx, pool, client, subject, preferred, ap, ap.DEVICE_KEY, flow);
  }
  return selectChallenge(ctx, client, subject, available, ap.DEVICE_KEY);
}

// The code of an EMAIL_OTP / SMS_OTP session: right once, wrong five times and the session ends.
function answerCode(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, subject: Subject, session: SessionRecord,
  answers: Record<string, string>, flow: SignInFlow,
): Promise<SignInResponse> {
  const given = Buffer.from(requireEntry(answers, session.challenge === 'EMAIL_OTP' ? 'EMAIL_OTP_CODE' : 'SMS_OTP_CODE'));
  const expected = Buffer.from(session.otpCode ?? '');
  const user = subject.user;
  const right = expected.length > 0 && given.length === expected.length && timingSafeEqual(given, expected);
  if (!user || !right) throw wrongCode(ctx, session);
  ctx.store.sessions.delete(session.id);
  assertMaySignIn(ctx, pool, user);
  // A passwordless first factor is the whole sign-in: no MFA follows.
  return completeSignIn(ctx, pool, client, user, session.deviceKey, flow);
}

/**
 * RespondToAuthChallenge / AdminRespondToAuthChallenge for a USER_AUTH session: SELECT_CHALLENGE
 * (`ANSWER`, with PASSWORD / SRP_A / CREDENTIAL to go on in one step; ChallengeName PASSWORD or
 * PASSWORD_SRP is taken as that answer), PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN.
 *
 * @throws WireError InvalidParameterException (a challenge name the session does not expect, an
 *   unavailable answer), CodeMismatchException, NotAuthorizedException.
 */
export function answerUserAuth(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, session: SessionRecord, name: string, answers: Record<string, string>,
  flow: SignInFlow,
): Promise<SignInResponse> {
  const state = session.userAuth;
  const select = session.challenge === 'SELECT_CHALLENGE';
  const expected = name === session.challenge || (select && (name === 'PASSWORD' || name === 'PASSWORD_SRP'));
  if (!state || !expected) throw invalidParameter(`Invalid challenge name ${name}: the session expects ${session.challenge}.`);
  const username = requireEntry(answers, 'USERNAME');
  const user = state.userNotFound ? undefined : pool.users.get(userKey(pool, session.username));
  const sameUser = state.userNotFound
    ? username === session.username
    : user !== undefined && findUser(pool, username)?.username === user.username;
  if (!sameUser) throw notAuthorized('Invalid session for the user.');
  checkSecretHash(client, answers.SECRET_HASH, username);
  if (user && !user.enabled) throw notAuthorized('User is disabled.');
  const subject: Subject = { user, typed: username, name: session.username };
  if (session.challenge === 'EMAIL_OTP' || session.challenge === 'SMS_OTP') return answerCode(ctx, pool, client, subject, session, answers, flow);
  const factor = name === 'SELECT_CHALLENGE' ? requireEntry(answers, 'ANSWER') : name;
  if (!isFirstChallenge(factor) || !state.available.includes(factor)) throw invalidParameter(`${factor} is not an available challenge for this user.`);
  // Answering a challenge goes on in one step: the secret comes with the answer.
  if (factor === 'PASSWORD') requireEntry(answers, 'PASSWORD');
  if (factor === 'PASSWORD_SRP') requireEntry(answers, 'SRP_A');
  const credential = factor === 'WEB_AUTHN' && !select ? requireEntry(answers, 'CREDENTIAL') : answers.CREDENTIAL;
  // Each session answers once: a wrong password or a failed assertion starts the sign-in again.
  ctx.store.sessions.delete(session.id);
  if (factor === 'WEB_AUTHN') {
    const step = webAuthnStep(ctx, pool, client, subject, session.deviceKey, flow);
    // SELECT_CHALLENGE with a CREDENTIAL is the one-step form, checked against this session's challenge (it has none).
    return credential === undefined ? startWebAuthnChallenge(step) : answerWebAuthnChallenge(step, credential, session);
  }
  return startFactor(ctx, pool, client, subject, factor, answers, session.deviceKey, flow);
}
