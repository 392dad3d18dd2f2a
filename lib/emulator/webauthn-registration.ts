/**
 * Passkey registration (StartWebAuthnRegistration / CompleteWebAuthnRegistration): the creation
 * options handed to the browser, the challenge kept for the user meanwhile, and the check of the
 * browser's RegistrationResponseJSON, with Cognito's exception for each refusal, before the
 * credential is stored on the user. The signature and attestation checks are `@simplewebauthn/server`'s.
 */
import { randomBytes } from 'node:crypto';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { EmulatorContext } from './context';
import { WireError, invalidParameter } from './errors';
import type { EmulatorStore, PasskeyRecord, PoolRecord, UserRecord } from './store';
import { asRecord, readClientData, rpIdHashMatches, sameChallenge } from './webauthn-ceremony';
import { originAllowed, relyingPartyOf } from './webauthn-config';
import { simpleWebAuthn } from './webauthn-library';

/** Passkeys one user may have (Cognito's quota). */
export const MAX_PASSKEYS_PER_USER = 20;
/** How long a registration challenge stays valid, by the emulator clock. */
export const REGISTRATION_CHALLENGE_MS = 5 * 60_000;
/** The browser prompt's `timeout` in the creation and request options, in milliseconds. */
export const CEREMONY_TIMEOUT_MS = 60_000;
/** ES256 and RS256: the algorithms offered, and the only ones accepted. */
export const SUPPORTED_ALGORITHMS: readonly number[] = [-7, -257];
/** What ListWebAuthnCredentials names a passkey: browsers send no name with a credential. */
export const DEFAULT_FRIENDLY_NAME = 'Passkey';
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

interface PendingRegistration {
  challenge: string;
  clientId: string;
  rpId: string;
  userVerification: 'required' | 'preferred';
  expiresAt: number;
}

// In-flight state, like challenge sessions: not in the data folder (the store's members are; this is not one).
const pendingByStore = new WeakMap<EmulatorStore, Map<string, PendingRegistration>>();

function pendingOf(store: EmulatorStore): Map<string, PendingRegistration> {
  let map = pendingByStore.get(store);
  if (!map) {
    map = new Map();
    pendingByStore.set(store, map);
  }
  return map;
}

function pendingKey(pool: PoolRecord, user: UserRecord): string {
  return `${pool.id}\n${user.sub}`;
}

/** The user handle a passkey of this user stores: base64url of the user's `sub`, stable for life. */
export function userHandleOf(user: UserRecord): string {
  return Buffer.from(user.sub, 'utf8').toString('base64url');
}

/** The name an authenticator shows for the account: the sign-in name (e-mail or phone for username-attribute pools). */
function accountNameOf(pool: PoolRecord, user: UserRecord): string {
  for (const attribute of pool.usernameAttributes) {
    const value = user.attributes.get(attribute);
    if (value !== undefined) return value;
  }
  return user.username;
}

/** A passkey as a credential descriptor (`excludeCredentials`, `allowCredentials`). */
export function descriptorOf(passkey: PasskeyRecord): { type: 'public-key'; id: string; transports: string[] } {
  return { type: 'public-key', id: passkey.credentialId, transports: [...passkey.transports] };
}

function limitExceeded(): WireError {
  return new WireError('LimitExceededException', `A user can register at most ${MAX_PASSKEYS_PER_USER} passkeys.`);
}

function challengeNotFound(): WireError {
  return new WireError('WebAuthnChallengeNotFoundException', 'The passkey registration challenge was not found or has expired.');
}

/**
 * Opens a registration for `user` through app client `clientId` and returns the
 * PublicKeyCredentialCreationOptionsJSON document. A new registration replaces the user's pending one.
 *
 * @throws WireError WebAuthnNotEnabledException, WebAuthnConfigurationMissingException,
 *   LimitExceededException (the user already has the maximum of passkeys).
 */
export function startPasskeyRegistration(
  ctx: EmulatorContext, pool: PoolRecord, user: UserRecord, clientId: string,
): Record<string, unknown> {
  const rp = relyingPartyOf(ctx, pool);
  const passkeys = user.passkeys ?? [];
  if (passkeys.length >= MAX_PASSKEYS_PER_USER) throw limitExceeded();
  const now = ctx.clock.now();
  const pending = pendingOf(ctx.store);
  for (const [key, entry] of pending) if (now >= entry.expiresAt) pending.delete(key);
  const challenge = randomBytes(32).toString('base64url');
  pending.set(pendingKey(pool, user), {
    challenge, clientId, rpId: rp.id, userVerification: rp.userVerification, expiresAt: now + REGISTRATION_CHALLENGE_MS,
  });
  const name = accountNameOf(pool, user);
  return {
    challenge,
    rp: { id: rp.id, name: rp.name },
    user: { id: userHandleOf(user), name, displayName: name },
    pubKeyCredParams: SUPPORTED_ALGORITHMS.map((alg) => ({ alg, type: 'public-key' })),
    timeout: CEREMONY_TIMEOUT_MS,
    excludeCredentials: passkeys.map(descriptorOf),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: rp.userVerification },
  };
}

function badCredential(why: string): WireError {
  return invalidParameter(`Credential is not a valid RegistrationResponseJSON: ${why}.`);
}

function transportsOf(response: Record<string, unknown>): string[] {
  const given = response.transports;
  if (!Array.isArray(given)) return [];
  return [...new Set(given.filter((t): t is string => typeof t === 'string' && TRANSPORTS.has(t)))];
}

/**
 * Checks the browser's RegistrationResponseJSON against the user's pending registration and stores
 * the passkey. The pending challenge is spent by the first attempt of the client that opened it,
 * whatever its outcome.
 *
 * @throws WireError WebAuthnChallengeNotFoundException (none pending, expired, or another challenge
 *   answered), WebAuthnClientMismatchException (another app client opened it),
 *   WebAuthnOriginNotAllowedException, WebAuthnRelyingPartyMismatchException,
 *   WebAuthnCredentialNotSupportedException (an algorithm other than ES256 / RS256, or no user
 *   verification when the pool requires it), InvalidParameterException (malformed, failed
 *   verification, already registered), LimitExceededException.
 */
export async function completePasskeyRegistration(
  ctx: EmulatorContext,
  pool: PoolRecord,
  user: UserRecord,
  clientId: string,
  credential: unknown,
): Promise<PasskeyRecord> {
  relyingPartyOf(ctx, pool);
  const doc = asRecord(credential);
  const response = asRecord(doc?.response);
  if (!doc || !response) throw badCredential('it must be a document with "id" and "response"');
  const pending = pendingOf(ctx.store);
  const key = pendingKey(pool, user);
  const registration = pending.get(key);
  const now = ctx.clock.now();
  if (!registration || now >= registration.expiresAt) {
    pending.delete(key);
    throw challengeNotFound();
  }
  if (registration.clientId !== clientId) {
    throw new WireError('WebAuthnClientMismatchException', 'The access token is for another app client than the one that started the registration.');
  }
  pending.delete(key);

  const clientData = readClientData(response.clientDataJSON);
  if (!clientData || clientData.type !== 'webauthn.create') throw badCredential('response.clientDataJSON is not client data of webauthn.create');
  if (!sameChallenge(clientData.challenge, registration.challenge)) throw challengeNotFound();
  if (!originAllowed(clientData.origin, registration.rpId)) {
    throw new WireError('WebAuthnOriginNotAllowedException', `Origin ${clientData.origin} is not allowed for relying party ${registration.rpId}.`);
  }
  const { server, helpers } = await simpleWebAuthn();
  let parsed: ReturnType<typeof helpers.parseAuthenticatorData>;
  let algorithm: unknown;
  try {
    if (typeof response.attestationObject !== 'string') throw new TypeError('no attestationObject');
    const attestation = helpers.decodeAttestationObject(helpers.isoBase64URL.toBuffer(response.attestationObject));
    parsed = helpers.parseAuthenticatorData(attestation.get('authData'));
    const key = parsed.credentialPublicKey;
    if (key) algorithm = helpers.decodeCredentialPublicKey(key).get(helpers.cose.COSEKEYS.alg);
  } catch {
    throw badCredential('response.attestationObject cannot be decoded');
  }
  if (!rpIdHashMatches(parsed.rpIdHash, registration.rpId)) {
    throw new WireError('WebAuthnRelyingPartyMismatchException', `The credential was not created for relying party ${registration.rpId}.`);
  }
  if (!parsed.credentialID || !parsed.credentialPublicKey) throw badCredential('it carries no attested credential');
  if (typeof algorithm !== 'number' || !SUPPORTED_ALGORITHMS.includes(algorithm)) {
    throw new WireError('WebAuthnCredentialNotSupportedException', `Passkeys must use ES256 (-7) or RS256 (-257), not ${String(algorithm)}.`);
  }
  if (registration.userVerification === 'required' && !parsed.flags.uv) {
    throw new WireError('WebAuthnCredentialNotSupportedException', 'This user pool requires passkeys that verify the user.');
  }
  const credentialId = helpers.isoBase64URL.fromBuffer(parsed.credentialID);
  if (doc.id !== credentialId) throw badCredential('"id" is not the id of the attested credential');

  let verified;
  try {
    verified = await server.verifyRegistrationResponse({
      response: doc as unknown as RegistrationResponseJSON,
      expectedChallenge: registration.challenge,
      expectedOrigin: clientData.origin,
      expectedRPID: registration.rpId,
      requireUserVerification: registration.userVerification === 'required',
      supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
    });
  } catch {
    throw badCredential('it does not verify');
  }
  if (!verified.verified) throw badCredential('it does not verify');
  // Checked after the await: another request may have registered in the meantime.
  for (const other of pool.users.values()) {
    if (other.passkeys?.some((p) => p.credentialId === credentialId)) throw invalidParameter('This passkey is already registered.');
  }
  if ((user.passkeys?.length ?? 0) >= MAX_PASSKEYS_PER_USER) throw limitExceeded();
  const attachment = doc.authenticatorAttachment;
  const record: PasskeyRecord = {
    credentialId,
    publicKey: Buffer.from(verified.registrationInfo.credential.publicKey),
    algorithm,
    counter: verified.registrationInfo.credential.counter,
    transports: transportsOf(response),
    ...(attachment === 'platform' || attachment === 'cross-platform' ? { attachment } : {}),
    friendlyName: DEFAULT_FRIENDLY_NAME,
    relyingPartyId: registration.rpId,
    createdAt: now,
  };
  user.passkeys = [...(user.passkeys ?? []), record];
  user.updatedAt = ctx.clock.now();
  return record;
}
