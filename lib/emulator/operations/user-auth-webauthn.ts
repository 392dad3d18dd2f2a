/**
 * The passkey (WEB_AUTHN) side of USER_AUTH, behind three functions that operations/user-auth.ts
 * calls: whether a user can present a passkey (it is then offered in `AvailableChallenges`), the
 * WEB_AUTHN challenge (PREFERRED_CHALLENGE / SELECT_CHALLENGE `ANSWER` WEB_AUTHN without a
 * CREDENTIAL), and the check of a `CREDENTIAL` (in a SELECT_CHALLENGE answer, or the answer to a
 * WEB_AUTHN session the challenge opened). Passkeys are not modelled yet: no user has one, and
 * WEB_AUTHN is refused with InvalidParameterException.
 */
import type { EmulatorContext } from '../context';
import { WireError, invalidParameter } from '../errors';
import type { ClientRecord, PoolRecord, SessionRecord, UserRecord } from '../store';
import type { SignInFlow, SignInResponse } from './sign-in-steps';

/** What a WEB_AUTHN step knows: the user (never a decoy: decoys are not offered WEB_AUTHN) and the call. */
export interface WebAuthnStep {
  ctx: EmulatorContext;
  pool: PoolRecord;
  client: ClientRecord;
  user: UserRecord;
  /** The DEVICE_KEY the sign-in started with, for the tokens' device. */
  deviceKey?: string;
  flow: SignInFlow;
}

function notSupported(): WireError {
  return invalidParameter('WEB_AUTHN is not supported yet');
}

/**
 * Whether `user` has a passkey registered for this pool: USER_AUTH then offers WEB_AUTHN.
 *
 * @example
 * userHasPasskey(pool, user); // false: passkeys are not modelled yet
 */
export function userHasPasskey(_pool: PoolRecord, _user: UserRecord): boolean {
  return false;
}

/**
 * Raises the WEB_AUTHN challenge (`CREDENTIAL_REQUEST_OPTIONS`). A session it opens must carry
 * `userAuth` so that its answer comes back through {@link answerWebAuthnChallenge}.
 *
 * @throws WireError InvalidParameterException "WEB_AUTHN is not supported yet".
 */
export function startWebAuthnChallenge(_step: WebAuthnStep): Promise<SignInResponse> {
  return Promise.reject(notSupported());
}

/**
 * Checks a `CREDENTIAL` (AuthenticationResponseJSON as a string) and completes the sign-in.
 * `session` is the WEB_AUTHN session when the credential answers one; absent for the one-step
 * SELECT_CHALLENGE answer.
 *
 * @throws WireError InvalidParameterException "WEB_AUTHN is not supported yet".
 */
export function answerWebAuthnChallenge(_step: WebAuthnStep, _credential: string, _session?: SessionRecord): Promise<SignInResponse> {
  return Promise.reject(notSupported());
}
