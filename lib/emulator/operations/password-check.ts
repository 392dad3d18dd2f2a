/**
 * The plain-password check every flow that receives the password shares: USER_PASSWORD_AUTH,
 * ADMIN_USER_PASSWORD_AUTH, the hosted sign-in form and USER_AUTH's PASSWORD factor.
 */
import type { EmulatorContext } from '../context';
import { WireError, notAuthorized, userNotFound } from '../errors';
import { assertNotLockedOut, recordRightPassword, recordWrongPassword } from '../lockout';
import { passwordMatches, poolNameOf } from '../srp-server';
import type { ClientRecord, PoolRecord, UserRecord } from '../store';
import { findUser } from '../user-directory';
import { runPreAuthentication } from '../user-triggers';
import type { SignInFlow } from './sign-in-steps';
import { migrateUser } from './user-migration';

/** An unknown user, reported as Cognito would for this client. */
function unknownUser(client: ClientRecord): WireError {
  return client.preventUserExistenceErrors === 'ENABLED' ? notAuthorized() : userNotFound();
}

/**
 * Checks a plain password and returns the user; wrong passwords count towards the lockout.
 * PreAuthentication runs first (a failure there is not a wrong password); an unknown user may be
 * migrated by the UserMigration trigger, which vouches for the password.
 *
 * @throws WireError NotAuthorizedException (wrong password, disabled, locked out, unknown on an
 *   ENABLED client), UserNotFoundException (unknown on a LEGACY client), the triggers' exceptions.
 * @example
 * const user = await checkPassword(ctx, pool, client, 'ann', 'Passw0rd!', {});
 */
export async function checkPassword(
  ctx: EmulatorContext, pool: PoolRecord, client: ClientRecord, username: string, password: string, flow: SignInFlow,
): Promise<UserRecord> {
  const user = findUser(pool, username);
  if (!user) {
    const migrated = await migrateUser(ctx, pool, client, username, {
      source: 'UserMigration_Authentication', password, ...(flow.clientMetadata !== undefined ? { clientMetadata: flow.clientMetadata } : {}),
    });
    if (migrated) return migrated;
    await runPreAuthentication(ctx, pool, client, undefined, username, flow.clientMetadata);
    throw unknownUser(client);
  }
  if (!user.enabled) throw notAuthorized('User is disabled.');
  await runPreAuthentication(ctx, pool, client, user, username, flow.clientMetadata);
  assertNotLockedOut(ctx, user);
  if (!user.password || !passwordMatches(poolNameOf(pool.id), user.username, password, user.password)) {
    recordWrongPassword(ctx, user);
    throw notAuthorized();
  }
  recordRightPassword(ctx, user);
  return user;
}
