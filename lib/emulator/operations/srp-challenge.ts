/**
 * The two halves of an SRP password proof, shared by USER_SRP_AUTH and by CUSTOM_AUTH's
 * `CHALLENGE_NAME: SRP_A` start: the PASSWORD_VERIFIER challenge (SALT, SRP_B, SECRET_BLOCK), and
 * the check of its answer (PASSWORD_CLAIM_SIGNATURE). A wrong proof counts towards the lockout.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../context';
import { invalidParameter, notAuthorized } from '../errors';
import { assertNotLockedOut, recordRightPassword, recordWrongPassword } from '../lockout';
import { requireEntry } from '../protocol';
import {
  claimSignatureMatches, createServerEphemeral, derivePasswordKey, expectedClaimSignature, parseSrpA, parseSrpTimestamp, poolNameOf, srpHex,
} from '../srp-server';
import { N } from '../../srp-group';
import type { ClientRecord, CustomAuthRound, PoolRecord, SrpChallengeRecord, UserRecord } from '../store';
import { findUser, userKey } from '../user-directory';
import { checkSecretHash } from './auth-flows';

/** How long a PASSWORD_VERIFIER challenge (its SECRET_BLOCK) stays answerable. */
export const SRP_CHALLENGE_TTL_MS = 3 * 60 * 1000;

/** How far TIMESTAMP may be from the emulator clock. */
export const TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

// Per-emulator-process key that makes the decoy salt of an unknown username stable.
const DECOY_KEY = randomBytes(32);

/**
 * The client's SRP_A, checked: InvalidParameterException when it is missing, not hex, or 0 mod N.
 */
export function clientEphemeral(ap: Record<string, string>): bigint {
  const A = parseSrpA(requireEntry(ap, 'SRP_A'));
  if (A === undefined || A % N === 0n) throw invalidParameter('Invalid SRP_A value.');
  return A;
}

/**
 * Opens a PASSWORD_VERIFIER challenge. For an unknown user (PreventUserExistenceErrors) it is a
 * plausible decoy that always fails. Within CUSTOM_AUTH, `custom` carries the rounds so far.
 */
export function openPasswordVerifier(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, user: UserRecord | undefined, username: string, A: bigint,
  custom?: CustomAuthRound[],
): Record<string, string> {
  const now = ctx.clock.now();
  const salt = user?.password?.salt ?? BigInt('0x' + createHmac('sha256', DECOY_KEY).update(`${pool.id}/${username}`).digest('hex').slice(0, 32));
  const verifier = user?.password?.verifier ?? BigInt('0x' + randomBytes(384).toString('hex')) % N;
  const ephemeral = createServerEphemeral(verifier);
  const secretBlock = randomBytes(96).toString('base64');
  const userId = user?.username ?? username;
  const record: SrpChallengeRecord = {
    secretBlock, poolId: pool.id, clientId: client.clientId, username: userId, fake: !user, A, ephemeral,
    expiresAt: now + SRP_CHALLENGE_TTL_MS, ...(custom !== undefined ? { custom } : {}),
  };
  ctx.store.putSrpChallenge(record, now);
  return { SALT: srpHex(salt), SECRET_BLOCK: secretBlock, SRP_B: srpHex(ephemeral.B), USERNAME: userId, USER_ID_FOR_SRP: userId };
}

/**
 * Checks a PASSWORD_VERIFIER answer against its SECRET_BLOCK (used once, right or wrong).
 *
 * @returns the user whose password it proves, and the challenge (its `custom` rounds, if any).
 * @throws WireError NotAuthorizedException for a wrong, stale, foreign or decoy proof.
 */
export function checkPasswordClaim(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, answers: Record<string, string>,
): { user: UserRecord; challenge: SrpChallengeRecord } {
  const signature = requireEntry(answers, 'PASSWORD_CLAIM_SIGNATURE');
  const secretBlock = requireEntry(answers, 'PASSWORD_CLAIM_SECRET_BLOCK');
  const timestamp = requireEntry(answers, 'TIMESTAMP');
  const username = requireEntry(answers, 'USERNAME');
  checkSecretHash(client, answers.SECRET_HASH, username);
  const state = ctx.store.srpChallenges.get(secretBlock);
  const now = ctx.clock.now();
  if (state) ctx.store.srpChallenges.delete(secretBlock);
  if (!state || state.clientId !== client.clientId || state.poolId !== pool.id || now >= state.expiresAt || state.fake) {
    throw notAuthorized();
  }
  const user = pool.users.get(userKey(pool, state.username));
  if (!user || findUser(pool, username)?.username !== user.username || !user.password) throw notAuthorized();
  if (!user.enabled) throw notAuthorized('User is disabled.');
  assertNotLockedOut(ctx, user);
  const sentAt = parseSrpTimestamp(timestamp);
  if (sentAt === undefined || Math.abs(sentAt - now) > TIMESTAMP_TOLERANCE_MS) throw notAuthorized();
  const key = derivePasswordKey(state.A, state.ephemeral, user.password.verifier);
  const expected = key && expectedClaimSignature(key, poolNameOf(pool.id), user.username, Buffer.from(secretBlock, 'base64'), timestamp);
  if (!expected || !claimSignatureMatches(signature, expected)) {
    // A wrong password (the signature proves it) counts towards the lockout.
    recordWrongPassword(ctx, user);
    throw notAuthorized();
  }
  recordRightPassword(ctx, user);
  return { user, challenge: state };
}
