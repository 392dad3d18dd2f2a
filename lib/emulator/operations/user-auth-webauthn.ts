/**
 * The passkey (WEB_AUTHN) side of USER_AUTH, behind the functions that operations/user-auth.ts
 * calls: whether a pool offers passkey sign-in and a user can present a passkey (WEB_AUTHN is then
 * in `AvailableChallenges`), the WEB_AUTHN challenge (PREFERRED_CHALLENGE / SELECT_CHALLENGE
 * `ANSWER` WEB_AUTHN without a CREDENTIAL), and the check of a `CREDENTIAL`, by webauthn.ts.
 *
 * As Cognito documents it (WebAuthnConfigurationType, WebAuthnMfaSettingsType): with
 * `FactorConfiguration: MULTI_FACTOR_WITH_USER_VERIFICATION` a passkey sign-in needs user
 * verification and then satisfies MFA; with `SINGLE_FACTOR` a passkey is one factor, so a pool with
 * MFA ON does not offer it. A passkey first factor is the whole sign-in: no MFA challenge follows.
 */
import type { EmulatorContext } from '../context';
import { notAuthorized, type WireError } from '../errors';
import type { ClientRecord, PoolRecord, SessionRecord, UserRecord } from '../store';
import { runPreAuthentication } from '../user-triggers';
import { openWebAuthnChallenge, userHasPasskey as hasRegisteredPasskey, verifyWebAuthnAnswer } from '../webauthn';
import { poolTier } from '../webauthn-config';
import { assertMaySignIn, completeSignIn, openSession, type SignInFlow, type SignInResponse } from './sign-in-steps';

/** What a WEB_AUTHN step knows: who signs in (a user, or a decoy for a name that matches nobody) and the call. */
export interface WebAuthnStep {
  ctx: EmulatorContext;
  pool: PoolRecord;
  client: ClientRecord;
  /** The user, or `undefined` for a decoy (PreventUserExistenceErrors ENABLED): its assertion always fails. */
  user: UserRecord | undefined;
  /** The session's name: the internal username, or the name as sent for a decoy. */
  username: string;
  /** The name as the client typed it (USERNAME), for PreAuthentication and a decoy's credential ids. */
  typed: string;
  /** The DEVICE_KEY the sign-in started with, for the tokens' device. */
  deviceKey?: string;
  flow: SignInFlow;
}

// A passkey that is to stand in for MFA must verify the user (the only way it is two factors).
function needsUserVerification(pool: PoolRecord): boolean {
  return pool.webAuthn?.factorConfiguration === 'MULTI_FACTOR_WITH_USER_VERIFICATION';
}

/**
 * Whether the pool offers passkey sign-in at all: not on the LITE tier, WEB_AUTHN among its
 * `AllowedFirstAuthFactors`, a relying party (an RP ID or a domain), and — when MFA is ON — passkeys
 * configured to count as MFA (`MULTI_FACTOR_WITH_USER_VERIFICATION`). Decoys are offered WEB_AUTHN
 * exactly when this holds, as a user with a passkey would be.
 *
 * @example
 * passkeySignInOffered(pool); // false in an MFA-ON pool with FactorConfiguration SINGLE_FACTOR
 */
export function passkeySignInOffered(pool: PoolRecord): boolean {
  if (poolTier(pool) === 'LITE' || !(pool.allowedFirstAuthFactors ?? []).includes('WEB_AUTHN')) return false;
  if (pool.webAuthn?.relyingPartyId === undefined && pool.domains.length === 0) return false;
  return pool.mfa !== 'ON' || needsUserVerification(pool);
}

/**
 * Whether `user` can sign in with a passkey in this pool: the pool offers passkey sign-in and the
 * user registered one. USER_AUTH then offers WEB_AUTHN, and GetUserAuthFactors lists it.
 *
 * @example
 * userHasPasskey(pool, user); // true after CompleteWebAuthnRegistration
 */
export function userHasPasskey(pool: PoolRecord, user: UserRecord): boolean {
  return passkeySignInOffered(pool) && hasRegisteredPasskey(pool, user);
}

/**
 * Raises the WEB_AUTHN challenge: PreAuthentication runs, a WEB_AUTHN session opens (answered
 * through answerUserAuth) and `CREDENTIAL_REQUEST_OPTIONS` carries a fresh challenge bound to that
 * session, lasting as long as it. A decoy gets plausible options that no assertion can satisfy.
 *
 * @throws WireError the PreAuthentication trigger's refusal.
 */
export async function startWebAuthnChallenge(step: WebAuthnStep): Promise<SignInResponse> {
  const { ctx, pool, client, user } = step;
  await runPreAuthentication(ctx, pool, client, user, step.typed, step.flow.clientMetadata);
  const session = openSession(ctx, client, { username: step.username }, 'WEB_AUTHN', {
    userAuth: { available: ['WEB_AUTHN'], userNotFound: user === undefined },
    ...(step.deviceKey ? { deviceKey: step.deviceKey } : {}),
  });
  let parameters: { CREDENTIAL_REQUEST_OPTIONS: string };
  try {
    parameters = openWebAuthnChallenge(ctx, {
      pool, clientId: client.clientId, user, username: step.typed, sessionId: session.id, expiresAt: session.expiresAt,
      ...(needsUserVerification(pool) ? { requireUserVerification: true } : {}),
    });
  } catch (error) {
    ctx.store.sessions.delete(session.id);
    throw error;
  }
  return { ChallengeName: 'WEB_AUTHN', Session: session.id, ChallengeParameters: { ...parameters } };
}

function refused(): WireError {
  return notAuthorized('Incorrect username or password.');
}

/**
 * Checks a `CREDENTIAL` (AuthenticationResponseJSON as a string) against the challenge opened for
 * `session` and completes the sign-in (PostAuthentication, PreTokenGeneration; never MFA). The
 * session has already been spent by the caller, and the challenge is spent here whatever the
 * outcome: a failed assertion means starting the sign-in again. A SELECT_CHALLENGE session carries
 * no challenge (its response has no CREDENTIAL_REQUEST_OPTIONS), so the one-step SELECT_CHALLENGE
 * answer with a CREDENTIAL is always refused: there was nothing for the passkey to sign.
 *
 * @throws WireError NotAuthorizedException "Incorrect username or password." for every refusal (and
 *   always for a decoy); the PostAuthentication trigger's refusal.
 */
export async function answerWebAuthnChallenge(step: WebAuthnStep, credential: string, session: SessionRecord): Promise<SignInResponse> {
  const { ctx, pool, client, user } = step;
  const assertion = await verifyWebAuthnAnswer(ctx, { pool, clientId: client.clientId, user, sessionId: session.id, credential });
  // The pool may have changed while the browser was asking (MFA turned ON, passkeys turned off).
  if (!user || !userHasPasskey(pool, user)) throw refused();
  if (needsUserVerification(pool) && !assertion.userVerified) throw refused();
  assertMaySignIn(ctx, pool, user);
  return completeSignIn(ctx, pool, client, user, step.deviceKey, step.flow);
}
