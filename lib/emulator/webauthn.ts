/**
 * Passkey sign-in, for the USER_AUTH flow's `WEB_AUTHN` challenge: whether a user has a passkey,
 * opening the challenge (its `CREDENTIAL_REQUEST_OPTIONS`, with the challenge kept for the sign-in
 * session) and checking the answer's `CREDENTIAL` (an AuthenticationResponseJSON string) with
 * `@simplewebauthn/server`. Independent of the flow code: the caller names the pool, the app client,
 * the user and the session, and decides what follows.
 *
 * Every refusal is `NotAuthorizedException` "Incorrect username or password.", the same for an
 * unknown user's decoy, so that the answer reveals nothing about which check failed.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { EmulatorContext } from './context';
import { notAuthorized, type WireError } from './errors';
import type { EmulatorStore, PasskeyRecord, PoolRecord, UserRecord } from './store';
import {
  asRecord, isBase64Url, isStrictDerSignature, readAuthenticatorDataHead, readClientData, rpIdHashMatches, sameChallenge,
} from './webauthn-ceremony';
import { originAllowed, poolTier, relyingPartyOf } from './webauthn-config';
import { simpleWebAuthn } from './webauthn-library';
import { CEREMONY_TIMEOUT_MS, descriptorOf, userHandleOf } from './webauthn-registration';

/** What {@link openWebAuthnChallenge} needs. */
export interface WebAuthnChallengeRequest {
  pool: PoolRecord;
  /** The app client signing in. */
  clientId: string;
  /** The user, or `undefined` for a name that matches nobody (PreventUserExistenceErrors): a decoy challenge. */
  user: UserRecord | undefined;
  /** The name as sent (USERNAME); a decoy's credential ids derive from it, stable per name. */
  username: string;
  /** The sign-in session the challenge belongs to; its answer must name the same session. */
  sessionId: string;
  /** When the challenge lapses, by the emulator clock (normally the session's `expiresAt`). */
  expiresAt: number;
  /** Ask for (and then require) user verification whatever the pool's `UserVerification`: the passkey is to count as MFA. */
  requireUserVerification?: boolean;
}

/** What {@link verifyWebAuthnAnswer} needs. */
export interface WebAuthnAnswer {
  pool: PoolRecord;
  clientId: string;
  /** The user of the session, or `undefined` when it was a decoy. */
  user: UserRecord | undefined;
  sessionId: string;
  /** `ChallengeResponses.CREDENTIAL`: JSON text of an AuthenticationResponseJSON. */
  credential: string;
}

/** A verified passkey assertion. */
export interface WebAuthnAssertion {
  /** The passkey used (base64url). */
  credentialId: string;
  /** Whether the authenticator verified the user (UV flag): with `MULTI_FACTOR_WITH_USER_VERIFICATION` this satisfies MFA. */
  userVerified: boolean;
}

interface PendingAssertion {
  poolId: string;
  clientId: string;
  /** `sub` of the user; undefined for a decoy. */
  sub: string | undefined;
  challenge: string;
  rpId: string;
  userVerification: 'required' | 'preferred';
  expiresAt: number;
}

// In-flight, like the sessions they belong to: not kept in the data folder.
const pendingByStore = new WeakMap<EmulatorStore, Map<string, PendingAssertion>>();
// Decoy credential ids are stable per pool and name for the life of the process, as a real user's are.
const DECOY_KEY = randomBytes(32);

function pendingOf(store: EmulatorStore): Map<string, PendingAssertion> {
  let map = pendingByStore.get(store);
  if (!map) {
    map = new Map();
    pendingByStore.set(store, map);
  }
  return map;
}

/**
 * Whether `user` has a passkey it can sign in with in `pool`: the pool is not on the LITE tier, its
 * sign-in policy allows WEB_AUTHN, and the user registered one.
 *
 * @example
 * if (userHasPasskey(pool, user)) availableChallenges.push('WEB_AUTHN');
 */
export function userHasPasskey(pool: PoolRecord, user: UserRecord): boolean {
  return poolTier(pool) !== 'LITE' && (pool.allowedFirstAuthFactors ?? []).includes('WEB_AUTHN') && (user.passkeys?.length ?? 0) > 0;
}

function decoyDescriptors(pool: PoolRecord, username: string): Array<{ type: 'public-key'; id: string; transports: string[] }> {
  const id = createHmac('sha256', DECOY_KEY).update(`${pool.id}\n${username}`).digest().toString('base64url');
  return [{ type: 'public-key', id, transports: ['hybrid', 'internal'] }];
}

/**
 * Opens a `WEB_AUTHN` challenge for a sign-in session and returns its ChallengeParameters:
 * `CREDENTIAL_REQUEST_OPTIONS`, JSON text of PublicKeyCredentialRequestOptionsJSON
 * `{ challenge, rpId, timeout, allowCredentials, userVerification }` listing the user's passkeys for
 * the pool's relying party (a decoy's list is made up, stable per name). The challenge is kept
 * under `sessionId` until answered once or `expiresAt`; opening another for the same session replaces it.
 *
 * @throws WireError WebAuthnNotEnabledException (LITE tier, WEB_AUTHN not allowed), WebAuthnConfigurationMissingException
 *   (no RP ID and no domain).
 * @example
 * const parameters = openWebAuthnChallenge(ctx, { pool, clientId, user, username, sessionId: session.id, expiresAt: session.expiresAt });
 */
export function openWebAuthnChallenge(ctx: EmulatorContext, request: WebAuthnChallengeRequest): { CREDENTIAL_REQUEST_OPTIONS: string } {
  const { pool, user } = request;
  const rp = relyingPartyOf(ctx, pool);
  const now = ctx.clock.now();
  const pending = pendingOf(ctx.store);
  for (const [id, entry] of pending) if (now >= entry.expiresAt) pending.delete(id);
  const challenge = randomBytes(32).toString('base64url');
  const userVerification = request.requireUserVerification === true ? 'required' : rp.userVerification;
  pending.set(request.sessionId, {
    poolId: pool.id, clientId: request.clientId, sub: user?.sub, challenge, rpId: rp.id,
    userVerification, expiresAt: request.expiresAt,
  });
  const allowCredentials = user
    ? (user.passkeys ?? []).filter((p) => p.relyingPartyId === rp.id).map(descriptorOf)
    : decoyDescriptors(pool, request.username);
  const options = { challenge, rpId: rp.id, timeout: CEREMONY_TIMEOUT_MS, allowCredentials, userVerification };
  return { CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(options) };
}

function refused(): WireError {
  return notAuthorized('Incorrect username or password.');
}

function parseCredential(text: string): Record<string, unknown> | undefined {
  try {
    return asRecord(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * Checks the answer to a `WEB_AUTHN` challenge and, when it holds, raises the passkey's stored
 * signature counter. The session's challenge is spent by this call whatever its outcome. Checked:
 * the session has a live challenge from this pool and client for this user; the credential is one of
 * this user's passkeys for the relying party; the client data is `webauthn.get` for that challenge at
 * an allowed origin; the authenticator data is for the RP ID with the user present (and verified,
 * when the pool requires it); the user handle, when sent, is this user's; an ES256 signature is strict
 * DER and verifies against the stored public key; a non-zero counter is above the stored one.
 *
 * @throws WireError NotAuthorizedException for every refusal (and always for a decoy).
 * @example
 * const { credentialId } = await verifyWebAuthnAnswer(ctx, { pool, clientId, user, sessionId, credential: responses.CREDENTIAL });
 */
export async function verifyWebAuthnAnswer(ctx: EmulatorContext, answer: WebAuthnAnswer): Promise<WebAuthnAssertion> {
  const pending = pendingOf(ctx.store);
  const challenge = pending.get(answer.sessionId);
  pending.delete(answer.sessionId);
  const { pool, user } = answer;
  if (!challenge || ctx.clock.now() >= challenge.expiresAt) throw refused();
  if (challenge.poolId !== pool.id || challenge.clientId !== answer.clientId) throw refused();
  if (challenge.sub === undefined || !user || user.sub !== challenge.sub) throw refused();

  const doc = parseCredential(answer.credential);
  const response = asRecord(doc?.response);
  if (!doc || !response || !isBase64Url(doc.id) || doc.rawId !== doc.id || doc.type !== 'public-key') throw refused();
  const passkey = user.passkeys?.find((p) => p.credentialId === doc.id && p.relyingPartyId === challenge.rpId);
  if (!passkey) throw refused();

  const clientData = readClientData(response.clientDataJSON);
  if (!clientData || clientData.type !== 'webauthn.get' || !sameChallenge(clientData.challenge, challenge.challenge)) throw refused();
  if (!originAllowed(clientData.origin, challenge.rpId)) throw refused();
  if (!isBase64Url(response.authenticatorData)) throw refused();
  const head = readAuthenticatorDataHead(Buffer.from(response.authenticatorData, 'base64url'));
  if (!head || !rpIdHashMatches(head.rpIdHash, challenge.rpId) || !head.up) throw refused();
  const requireUv = challenge.userVerification === 'required';
  if (requireUv && !head.uv) throw refused();
  const userHandle = response.userHandle;
  if (userHandle !== undefined && userHandle !== null && userHandle !== userHandleOf(user)) throw refused();
  if ((head.counter > 0 || passkey.counter > 0) && head.counter <= passkey.counter) throw refused();
  // ES256 signatures are DER: one whose lengths were tampered with is refused, whatever a parser would make of it.
  if (!isBase64Url(response.signature)) throw refused();
  if (passkey.algorithm === -7 && !isStrictDerSignature(Buffer.from(response.signature, 'base64url'))) throw refused();

  const { server } = await simpleWebAuthn();
  let verified;
  try {
    verified = await server.verifyAuthenticationResponse({
      response: doc as unknown as AuthenticationResponseJSON,
      expectedChallenge: challenge.challenge,
      expectedOrigin: clientData.origin,
      expectedRPID: challenge.rpId,
      credential: {
        id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: passkey.counter, transports: passkey.transports,
      },
      requireUserVerification: requireUv,
    });
  } catch {
    throw refused();
  }
  if (!verified.verified) throw refused();
  return raiseCounter(user, passkey, verified.authenticationInfo.newCounter, verified.authenticationInfo.userVerified);
}

// After the await: the passkey may have been deleted, or another assertion counted past this one.
function raiseCounter(user: UserRecord, passkey: PasskeyRecord, counter: number, userVerified: boolean): WebAuthnAssertion {
  const current = user.passkeys?.find((p) => p.credentialId === passkey.credentialId);
  if (!current || ((counter > 0 || current.counter > 0) && counter <= current.counter)) throw refused();
  current.counter = counter;
  return { credentialId: current.credentialId, userVerified };
}
