/**
 * CUSTOM_AUTH: InitiateAuth / AdminInitiateAuth with `AuthFlow: CUSTOM_AUTH`, then
 * RespondToAuthChallenge `CUSTOM_CHALLENGE`, driven by the pool's DefineAuthChallenge,
 * CreateAuthChallenge and VerifyAuthChallengeResponse triggers as Cognito drives them:
 * Define (with the session's history) decides — issue tokens, fail, or another CUSTOM_CHALLENGE,
 * which Create makes (its public parameters go to the client, the private ones stay here); the
 * answer goes to Verify, its result joins the history, and Define decides again.
 *
 * SRP first (`CHALLENGE_NAME: SRP_A` with `SRP_A`): the first round is `SRP_A` (true); when Define
 * answers PASSWORD_VERIFIER, the client proves the password as in USER_SRP_AUTH (a wrong proof is
 * NotAuthorizedException and counts towards the lockout, Define is not asked), and the proof joins
 * the history as `PASSWORD_VERIFIER` (true).
 *
 * An unknown user: UserNotFoundException on a LEGACY client; on an ENABLED one the loop runs with
 * `userNotFound: true` and can never end in tokens. Not modelled: MFA after a custom sign-in.
 */
import type { EmulatorContext } from '../context';
import { WireError, invalidParameter, notAuthorized, userNotFound } from '../errors';
import { newSessionId } from '../ids';
import { requireEntry } from '../protocol';
import type { ClientRecord, CustomAuthRound, PoolRecord, SessionRecord, UserRecord } from '../store';
import { runTrigger } from '../triggers';
import { findUser, userKey } from '../user-directory';
import { runPreAuthentication, triggerUserAttributes } from '../user-triggers';
import { checkSecretHash, requireFlow } from './auth-flows';
import { clientEphemeral, openPasswordVerifier } from './srp-challenge';
import { assertMaySignIn, completeSignIn, type SignInFlow, type SignInResponse } from './sign-in-steps';

function notConfigured(): WireError {
  return new WireError('InvalidLambdaResponseException', 'Custom auth lambda trigger is not configured for the user pool.');
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}

function invalidResponse(): WireError {
  return new WireError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
}

interface Subject {
  user: UserRecord | undefined;
  /** The internal username, or the name as sent for an unknown user. */
  userName: string;
}

async function define(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, subject: Subject, history: CustomAuthRound[], flow: SignInFlow,
  srpA?: bigint,
): Promise<SignInResponse> {
  const request = {
    userAttributes: subject.user ? triggerUserAttributes(pool, subject.user) : {},
    session: history,
    userNotFound: subject.user === undefined,
    ...(flow.clientMetadata ? { clientMetadata: flow.clientMetadata } : {}),
  };
  const defined = await runTrigger(ctx, pool, 'DefineAuthChallenge', {
    triggerSource: 'DefineAuthChallenge_Authentication', userName: subject.userName, clientId: client.clientId,
    request, response: { challengeName: null, issueTokens: null, failAuthentication: null },
  });
  if (defined === undefined) throw notConfigured();
  const { challengeName, issueTokens, failAuthentication } = defined.response;
  if (failAuthentication === true) throw notAuthorized();
  if (issueTokens === true) {
    if (subject.user === undefined) throw notAuthorized();
    assertMaySignIn(ctx, pool, subject.user);
    return completeSignIn(ctx, pool, client, subject.user, undefined, flow);
  }
  if (challengeName === 'PASSWORD_VERIFIER' && srpA !== undefined) {
    return {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeParameters: openPasswordVerifier(ctx, pool, client, subject.user, subject.userName, srpA, history),
    };
  }
  if (challengeName !== 'CUSTOM_CHALLENGE') throw invalidResponse();
  const created = await runTrigger(ctx, pool, 'CreateAuthChallenge', {
    triggerSource: 'CreateAuthChallenge_Authentication', userName: subject.userName, clientId: client.clientId,
    request: { ...request, challengeName },
    response: { publicChallengeParameters: {}, privateChallengeParameters: {}, challengeMetadata: null },
  });
  if (created === undefined) throw notConfigured();
  const publicParameters = stringRecord(created.response.publicChallengeParameters);
  const privateParameters = stringRecord(created.response.privateChallengeParameters);
  const metadata = created.response.challengeMetadata;
  if (!publicParameters || !privateParameters || (metadata !== undefined && metadata !== null && typeof metadata !== 'string')) {
    throw invalidResponse();
  }
  const now = ctx.clock.now();
  const session: SessionRecord = {
    id: newSessionId(), poolId: pool.id, clientId: client.clientId, username: subject.userName, challenge: 'CUSTOM_CHALLENGE',
    expiresAt: now + client.authSessionValidityMinutes * 60 * 1000, failures: 0,
    custom: {
      history, privateParameters, userNotFound: subject.user === undefined,
      ...(typeof metadata === 'string' ? { metadata } : {}),
    },
  };
  ctx.store.putSession(session, now);
  return {
    ChallengeName: 'CUSTOM_CHALLENGE', Session: session.id,
    ChallengeParameters: { ...publicParameters, USERNAME: subject.userName },
  };
}

/**
 * InitiateAuth / AdminInitiateAuth with CUSTOM_AUTH.
 *
 * @throws WireError InvalidParameterException (flow not allowed, SRP first), NotAuthorizedException,
 *   UserNotFoundException (LEGACY client), the triggers' exceptions.
 */
export async function startCustomAuth(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, ap: Record<string, string>, flow: SignInFlow,
): Promise<SignInResponse> {
  requireFlow(client, 'ALLOW_CUSTOM_AUTH', 'CUSTOM_AUTH');
  const username = requireEntry(ap, 'USERNAME');
  checkSecretHash(client, ap.SECRET_HASH, username);
  const srpFirst = ap.CHALLENGE_NAME === 'SRP_A';
  if (ap.CHALLENGE_NAME !== undefined && !srpFirst) throw invalidParameter(`Invalid CHALLENGE_NAME ${ap.CHALLENGE_NAME}: only SRP_A may come first.`);
  const A = srpFirst ? clientEphemeral(ap) : undefined;
  const user = findUser(pool, username);
  if (!user && client.preventUserExistenceErrors !== 'ENABLED') throw userNotFound();
  if (user && !user.enabled) throw notAuthorized('User is disabled.');
  await runPreAuthentication(ctx, pool, client, user, username, flow.clientMetadata);
  const history: CustomAuthRound[] = srpFirst ? [{ challengeName: 'SRP_A', challengeResult: true }] : [];
  return define(ctx, pool, client, { user, userName: user?.username ?? username }, history, flow, A);
}

/**
 * After a PASSWORD_VERIFIER proved the password within CUSTOM_AUTH: the proof joins the history
 * and DefineAuthChallenge decides.
 */
export function afterCustomPassword(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, user: UserRecord, history: CustomAuthRound[], flow: SignInFlow,
): Promise<SignInResponse> {
  const rounds: CustomAuthRound[] = [...history, { challengeName: 'PASSWORD_VERIFIER', challengeResult: true }];
  return define(ctx, pool, client, { user, userName: user.username }, rounds, flow);
}

/**
 * RespondToAuthChallenge / AdminRespondToAuthChallenge with CUSTOM_CHALLENGE: the answer to
 * VerifyAuthChallengeResponse, then DefineAuthChallenge again. The session is used once.
 */
export async function answerCustomChallenge(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, session: SessionRecord, answers: Record<string, string>, flow: SignInFlow,
): Promise<SignInResponse> {
  const custom = session.custom;
  if (custom === undefined) throw invalidParameter(`Invalid challenge name CUSTOM_CHALLENGE: the session expects ${session.challenge}.`);
  const username = requireEntry(answers, 'USERNAME');
  const answer = requireEntry(answers, 'ANSWER');
  const user = custom.userNotFound ? undefined : pool.users.get(userKey(pool, session.username));
  if (!custom.userNotFound && (!user || findUser(pool, username)?.username !== user.username)) throw notAuthorized('Invalid session for the user.');
  if (custom.userNotFound && username !== session.username) throw notAuthorized('Invalid session for the user.');
  checkSecretHash(client, answers.SECRET_HASH, username);
  if (user && !user.enabled) throw notAuthorized('User is disabled.');
  ctx.store.sessions.delete(session.id);
  const verified = await runTrigger(ctx, pool, 'VerifyAuthChallengeResponse', {
    triggerSource: 'VerifyAuthChallengeResponse_Authentication', userName: session.username, clientId: client.clientId,
    request: {
      userAttributes: user ? triggerUserAttributes(pool, user) : {},
      privateChallengeParameters: custom.privateParameters, challengeAnswer: answer, userNotFound: custom.userNotFound,
      ...(flow.clientMetadata ? { clientMetadata: flow.clientMetadata } : {}),
    },
    response: { answerCorrect: null },
  });
  if (verified === undefined) throw notConfigured();
  const correct = verified.response.answerCorrect;
  if (typeof correct !== 'boolean') throw invalidResponse();
  const round: CustomAuthRound = {
    challengeName: 'CUSTOM_CHALLENGE', challengeResult: correct && !custom.userNotFound,
    ...(custom.metadata !== undefined ? { challengeMetadata: custom.metadata } : {}),
  };
  return define(ctx, pool, client, { user, userName: session.username }, [...custom.history, round], flow);
}
