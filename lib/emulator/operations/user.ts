/**
 * Operations a signed-in user calls with their access token: GetUser and ChangePassword.
 */
import type { EmulatorContext, OperationSpec } from '../context';
import { notAuthorized } from '../errors';
import { assertUserPasswordConforms } from '../password-policy';
import { requireString, type Params } from '../protocol';
import { passwordMatches, poolNameOf } from '../srp-server';
import { authenticateUserAccess } from '../tokens';
import { attributeList } from '../user-directory';
import { mfaSummary, setPassword } from './admin-users';

/** Every attribute of the user (`sub` first), as Cognito's GetUser lists them, and the MFA members. */
function getUser(ctx: EmulatorContext, params: Params): object {
  const { user } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  return { Username: user.username, UserAttributes: attributeList(user), ...mfaSummary(user) };
}

function changePassword(ctx: EmulatorContext, params: Params): object {
  const { pool, user } = authenticateUserAccess(ctx, requireString(params, 'AccessToken'));
  const previous = requireString(params, 'PreviousPassword');
  const proposed = requireString(params, 'ProposedPassword');
  if (!user.password || !passwordMatches(poolNameOf(pool.id), user.username, previous, user.password)) throw notAuthorized();
  assertUserPasswordConforms(proposed, pool.passwordPolicy);
  setPassword(ctx, pool, user, proposed, true);
  return {};
}

/** User self-service operations by name (authorised by the access token, not AWS credentials). */
export const userOperations: Record<string, OperationSpec> = {
  GetUser: { handler: getUser, signed: false },
  ChangePassword: { handler: changePassword, signed: false },
};
