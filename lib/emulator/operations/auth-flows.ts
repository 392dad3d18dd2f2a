/**
 * Which auth flows an app client allows (`ExplicitAuthFlows`, legacy names included), and the
 * SECRET_HASH check every flow of a client with a secret goes through.
 */
import { WireError, invalidParameter, notAuthorized, notInEnum } from '../errors';
import { secretHashMatches } from '../secret-hash';
import type { ClientRecord } from '../store';

const MODERN = [
  'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_AUTH',
] as const;
const LEGACY = ['ADMIN_NO_SRP_AUTH', 'CUSTOM_AUTH_FLOW_ONLY', 'USER_PASSWORD_AUTH'] as const;

/** What Cognito allows when `ExplicitAuthFlows` is omitted. */
export const DEFAULT_EXPLICIT_AUTH_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

/**
 * Normalises `ExplicitAuthFlows` to the `ALLOW_*` flows in force. Legacy names imply SRP and
 * refresh (unless CUSTOM_AUTH_FLOW_ONLY); mixing legacy and `ALLOW_*` names is refused as by Cognito.
 *
 * @throws WireError InvalidParameterException.
 */
export function resolveClientFlows(given: string[] | undefined): { explicit: string[]; allowed: Set<string> } {
  const explicit = given && given.length > 0 ? [...given] : [...DEFAULT_EXPLICIT_AUTH_FLOWS];
  const all: readonly string[] = [...MODERN, ...LEGACY];
  for (const flow of explicit) if (!all.includes(flow)) throw notInEnum('ExplicitAuthFlows', flow, all);
  const legacy = explicit.filter((f) => (LEGACY as readonly string[]).includes(f));
  if (legacy.length > 0 && legacy.length !== explicit.length) {
    throw invalidParameter('ExplicitAuthFlows can not have both legacy and new values.');
  }
  if (legacy.length === 0) return { explicit, allowed: new Set(explicit) };
  const allowed = new Set<string>(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_CUSTOM_AUTH']);
  if (!legacy.includes('CUSTOM_AUTH_FLOW_ONLY')) allowed.add('ALLOW_USER_SRP_AUTH');
  if (legacy.includes('ADMIN_NO_SRP_AUTH')) allowed.add('ALLOW_ADMIN_USER_PASSWORD_AUTH');
  if (legacy.includes('USER_PASSWORD_AUTH')) allowed.add('ALLOW_USER_PASSWORD_AUTH');
  return { explicit, allowed };
}

/**
 * Refuses a flow the client does not allow, with Cognito's message.
 *
 * @throws WireError InvalidParameterException.
 */
export function requireFlow(client: ClientRecord, allowFlag: string, authFlow: string): void {
  if (client.allowedFlows.has(allowFlag)) return;
  if (allowFlag === 'ALLOW_ADMIN_USER_PASSWORD_AUTH') throw invalidParameter('Auth flow not enabled for this client');
  throw invalidParameter(`${authFlow} flow not enabled for this client`);
}

/**
 * Checks SECRET_HASH for `username` (the name the hash must have been built from).
 *
 * @throws WireError NotAuthorizedException when the client has a secret and the hash is
 *   missing or wrong; InvalidParameterException when the client has none but a hash was sent.
 */
export function checkSecretHash(client: ClientRecord, given: string | undefined, username: string): void {
  if (!client.clientSecret) {
    if (given !== undefined && given !== '') {
      throw new WireError(
        'InvalidParameterException',
        `App client ${client.clientId} is not configured for secret but secret hash was received`,
      );
    }
    return;
  }
  if (given === undefined || given === '') {
    throw notAuthorized(`Client ${client.clientId} is configured with secret but SECRET_HASH was not received`);
  }
  if (!secretHashMatches(given, username, client.clientId, client.clientSecret)) {
    throw notAuthorized(`Unable to verify secret hash for client ${client.clientId}`);
  }
}
