/**
 * Cognito sign-in challenges as the `Cognito` class sees them: a challenge response becomes a typed
 * {@link ChallengeError} whose `getTokens()` ({@link MfaTokens}) is everything needed to answer it
 * later — possibly in another request, from another `Cognito` instance — and the answer is built for
 * the right API (`RespondToAuthChallenge`, or `AdminRespondToAuthChallenge` after an admin login).
 */
import type { AuthenticationResultType, ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';
import { challengeErrorFor, type ChallengeError, type ChallengeTokens } from './errors';
import { command } from './sdk';

/** How a sign-in started: the SRP flow, the admin flow (which needs AWS credentials), CUSTOM_AUTH or USER_AUTH. */
export type LoginFlow = 'USER_SRP_AUTH' | 'ADMIN_USER_PASSWORD_AUTH' | 'CUSTOM_AUTH' | 'USER_AUTH';

/**
 * A pending challenge, as `ChallengeError.getTokens()` and `Cognito#mfaTokens` give it: Cognito's
 * `ChallengeName`, `Session` and `ChallengeParameters` (pycognito's `get_tokens()`), plus the flow the
 * sign-in used (`AuthFlow`, so that the answer goes to the admin API after an admin login) and the
 * username Cognito knows the user by (`Username`, for `USERNAME` and `SECRET_HASH`). Plain JSON: keep
 * it in a server-side session between two requests. `Session` is a secret of that sign-in.
 */
export type MfaTokens = ChallengeTokens;

/** What InitiateAuth, RespondToAuthChallenge and their admin variants return. */
export interface AuthStepOutput {
  ChallengeName?: ChallengeNameType | (string & {});
  Session?: string;
  ChallengeParameters?: Record<string, string>;
  /** SELECT_CHALLENGE (USER_AUTH): the first factors offered. */
  AvailableChallenges?: string[];
  AuthenticationResult?: AuthenticationResultType;
}

const FLOWS: readonly string[] = ['USER_SRP_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'CUSTOM_AUTH', 'USER_AUTH'];

/**
 * Builds the typed error for a challenge response and makes its `getTokens()` return the
 * {@link MfaTokens} (with `AuthFlow` and `Username`), so that the challenge can be answered later.
 *
 * @param output the challenge response.
 * @param flow the flow of this sign-in.
 * @param username the internal username (USER_ID_FOR_SRP), or the one typed when Cognito sent none.
 * @example
 * if (out.ChallengeName) throw challengeError(out, 'USER_SRP_AUTH', 'alice');
 */
export function challengeError(output: AuthStepOutput, flow: LoginFlow, username: string | undefined): ChallengeError {
  const params = output.ChallengeParameters;
  // A CUSTOM_CHALLENGE names the user in USERNAME (the internal username), not USER_ID_FOR_SRP.
  const known = params?.USER_ID_FOR_SRP ?? (output.ChallengeName === 'CUSTOM_CHALLENGE' ? params?.USERNAME : undefined);
  return challengeErrorFor(output, known ?? username, flow);
}

/**
 * Picks and checks the challenge to answer: the `mfaTokens` argument, else the one remembered from
 * the last sign-in step. A missing challenge, or one of another kind, is a caller mistake.
 *
 * @param given the `mfaTokens` argument (e.g. restored from a session).
 * @param remembered the instance's own `mfaTokens`.
 * @param expected the challenge names this answer is for.
 * @throws TypeError naming `mfaTokens`.
 * @example
 * const tokens = pendingChallenge(mfaTokens, this.mfaTokens, ['SOFTWARE_TOKEN_MFA']);
 */
export function pendingChallenge(
  given: MfaTokens | undefined,
  remembered: MfaTokens | undefined,
  expected: readonly string[],
): MfaTokens {
  const tokens: unknown = given ?? remembered;
  if (tokens === undefined || tokens === null) {
    throw new TypeError('"mfaTokens" is required: no challenge is pending on this instance');
  }
  if (typeof tokens !== 'object' || Array.isArray(tokens)) throw new TypeError('"mfaTokens" must be an object');
  const t = tokens as Record<string, unknown>;
  if (typeof t.ChallengeName !== 'string' || !expected.includes(t.ChallengeName)) {
    throw new TypeError(`"mfaTokens" must hold a ${expected.join(' or ')} challenge`);
  }
  if (typeof t.Session !== 'string' || t.Session.length === 0) throw new TypeError('"mfaTokens.Session" must be a non-empty string');
  if (t.AuthFlow !== undefined && (typeof t.AuthFlow !== 'string' || !FLOWS.includes(t.AuthFlow))) {
    throw new TypeError(`"mfaTokens.AuthFlow" must be one of ${FLOWS.join(', ')}`);
  }
  if (t.Username !== undefined && (typeof t.Username !== 'string' || t.Username.length === 0)) {
    throw new TypeError('"mfaTokens.Username" must be a non-empty string');
  }
  const params = t.ChallengeParameters;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    throw new TypeError('"mfaTokens.ChallengeParameters" must be an object');
  }
  const out: MfaTokens = {
    ChallengeName: t.ChallengeName,
    Session: t.Session,
    ChallengeParameters: { ...((params ?? {}) as Record<string, string>) },
  };
  if (t.AuthFlow !== undefined) out.AuthFlow = t.AuthFlow;
  if (t.Username !== undefined) out.Username = t.Username;
  const available = t.AvailableChallenges;
  if (available !== undefined) {
    if (!Array.isArray(available) || available.some((c) => typeof c !== 'string')) {
      throw new TypeError('"mfaTokens.AvailableChallenges" must be an array of strings');
    }
    out.AvailableChallenges = [...(available as string[])];
  }
  return out;
}

/**
 * The username to answer a challenge with: the one recorded with it, else Cognito's USER_ID_FOR_SRP,
 * else the instance's.
 *
 * @throws TypeError when none is known.
 * @example
 * const username = challengeUsername(tokens, this.username);
 */
export function challengeUsername(tokens: MfaTokens, fallback: string | undefined): string {
  const name = tokens.Username ?? tokens.ChallengeParameters?.USER_ID_FOR_SRP ?? fallback;
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError('"username" is required to answer a challenge: pass it as an option');
  }
  return name;
}

/** What {@link answerCommand} needs. */
export interface AnswerInput {
  flow: LoginFlow;
  userPoolId: string;
  clientId: string;
  challengeName: string;
  session: string | undefined;
  responses: Record<string, string>;
  clientMetadata?: Record<string, string>;
}

/**
 * The command answering a challenge: `AdminRespondToAuthChallenge` for an admin sign-in, else
 * `RespondToAuthChallenge`.
 *
 * @example
 * const out = await send(answerCommand({ flow, userPoolId, clientId, challengeName: 'SMS_MFA',
 *   session, responses: { USERNAME, SMS_MFA_CODE: code } }));
 */
export function answerCommand(input: AnswerInput): object {
  const common = {
    ClientId: input.clientId,
    ChallengeName: input.challengeName as ChallengeNameType,
    ChallengeResponses: input.responses,
    ...(input.session !== undefined ? { Session: input.session } : {}),
    ...(input.clientMetadata !== undefined ? { ClientMetadata: input.clientMetadata } : {}),
  };
  return input.flow === 'ADMIN_USER_PASSWORD_AUTH'
    ? command('AdminRespondToAuthChallenge', { ...common, UserPoolId: input.userPoolId })
    : command('RespondToAuthChallenge', common);
}
