/**
 * The PreTokenGeneration trigger: the event of its version (V1_0: ID-token claims; V2_0 / V3_0:
 * both tokens and the access token's scopes; V3_0 also for client-credentials tokens) and the
 * changes its answer makes to the claims about to be signed.
 *
 * As Cognito documents: the claims it cannot modify (`acr`, `amr`, `aud`, `at_hash`, `auth_time`,
 * `azp`, `cognito:username`, `exp`, `iat`, `identities`, `iss`, `jti`, `nbf`, `nonce`, `origin_jti`,
 * `sub`, `token_use`) keep their values whatever the answer says; so do the access token's
 * `client_id`, `scope` (scopes change through `scopesToAdd` / `scopesToSuppress`), `username`,
 * `event_id`, `device_key` and `version`. Group claims change only through `groupOverrideDetails`
 * (replaced as given; `null` or `{}` removes the groups). A suppressed claim that is also added is
 * suppressed. A member of the wrong type fails the call with InvalidLambdaResponseException.
 */
import type { EmulatorContext } from './context';
import type { ClientRecord, PoolRecord, UserRecord } from './store';
import { invalidLambdaResponse, invokeTrigger, lambdaConfigOf, resolveTrigger } from './triggers';
import { triggerUserAttributes } from './user-triggers';

/** Why tokens are being made: the trigger source. */
export type TokenSource =
  | 'TokenGeneration_HostedAuth'
  | 'TokenGeneration_Authentication'
  | 'TokenGeneration_NewPasswordChallenge'
  | 'TokenGeneration_AuthenticateDevice'
  | 'TokenGeneration_RefreshTokens'
  | 'TokenGeneration_ClientCredentials';

/** Claims the trigger cannot change in either token (Cognito's list). */
export const UNMODIFIABLE_CLAIMS: ReadonlySet<string> = new Set([
  'acr', 'amr', 'aud', 'at_hash', 'auth_time', 'azp', 'cognito:username', 'exp', 'iat', 'identities', 'iss', 'jti', 'nbf',
  'nonce', 'origin_jti', 'sub', 'token_use',
]);
const UNMODIFIABLE_ACCESS_CLAIMS = new Set(['client_id', 'scope', 'username', 'event_id', 'device_key', 'version']);
const GROUP_CLAIMS = new Set(['cognito:groups', 'cognito:roles', 'cognito:preferred_role']);

/** The claims about to be signed; the trigger's answer is applied to them in place. */
export interface DraftTokens {
  /** Absent for client-credentials tokens. */
  id?: Record<string, unknown>;
  access: Record<string, unknown>;
  /** The access token's scopes (`scope` is rewritten from these). */
  scopes: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function member<T>(parent: Record<string, unknown>, name: string, check: (v: unknown) => v is T): T | undefined {
  const value = parent[name];
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw invalidLambdaResponse();
  return value;
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isScopeList = (v: unknown): v is string[] => isStringList(v) && v.every((s) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s));
const isV1Claims = (v: unknown): v is Record<string, string | number | boolean> =>
  isRecord(v) && Object.values(v).every((c) => ['string', 'number', 'boolean'].includes(typeof c));

function groupConfiguration(pool: PoolRecord, user: UserRecord | undefined): Record<string, unknown> {
  const groups = user === undefined ? [] : [...user.groups];
  const records = groups.map((name) => pool.groups.get(name)).filter((g) => g !== undefined);
  const roles = records.map((g) => g.roleArn).filter((r): r is string => r !== undefined);
  const ranked = records.filter((g) => g.roleArn !== undefined).sort((a, b) => (a.precedence ?? Infinity) - (b.precedence ?? Infinity));
  return { groupsToOverride: groups, iamRolesToOverride: roles, preferredRole: ranked[0]?.roleArn ?? null };
}

function applyClaims(
  claims: Record<string, unknown>,
  details: Record<string, unknown>,
  fixed: (name: string) => boolean,
  valueCheck: (v: unknown) => v is Record<string, unknown>,
): void {
  const add = member(details, 'claimsToAddOrOverride', valueCheck);
  const suppress = member(details, 'claimsToSuppress', isStringList);
  for (const [name, value] of Object.entries(add ?? {})) if (!fixed(name)) claims[name] = value;
  for (const name of suppress ?? []) if (!fixed(name)) delete claims[name];
}

function applyGroups(draft: DraftTokens, details: Record<string, unknown>): void {
  if (!('groupOverrideDetails' in details)) return;
  const override = details.groupOverrideDetails;
  if (override !== null && !isRecord(override)) throw invalidLambdaResponse();
  const groups = override === null ? undefined : member(override, 'groupsToOverride', isStringList);
  const roles = override === null ? undefined : member(override, 'iamRolesToOverride', isStringList);
  const preferred = override === null ? undefined : member(override, 'preferredRole', (v): v is string => typeof v === 'string');
  for (const claims of [draft.id, draft.access]) {
    if (claims === undefined) continue;
    for (const name of GROUP_CLAIMS) delete claims[name];
    if (groups !== undefined && groups.length > 0) claims['cognito:groups'] = [...groups];
  }
  if (draft.id !== undefined && roles !== undefined && roles.length > 0) draft.id['cognito:roles'] = [...roles];
  if (draft.id !== undefined && preferred !== undefined) draft.id['cognito:preferred_role'] = preferred;
}

/**
 * Runs the pool's PreTokenGeneration trigger, if any, and applies its answer to `draft`.
 * Client-credentials tokens (no user) are customised only by a V3_0 trigger.
 *
 * @throws WireError from the trigger, InvalidLambdaResponseException for a malformed answer.
 */
export async function runPreTokenGeneration(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord | undefined,
  draft: DraftTokens,
  call: { source: TokenSource; clientMetadata?: Record<string, string> },
): Promise<void> {
  const trigger = resolveTrigger(ctx.triggers, { own: pool.triggers, lambdaConfig: lambdaConfigOf(pool) }, 'PreTokenGeneration');
  if (trigger === undefined) return;
  if (call.source === 'TokenGeneration_ClientCredentials' && trigger.version !== 'V3_0') return;
  const v1 = trigger.version === 'V1_0';
  await invokeTrigger(ctx.triggers, trigger, {
    name: 'PreTokenGeneration',
    triggerSource: call.source,
    poolId: pool.id,
    region: ctx.region,
    userName: user?.username ?? null,
    clientId: client.clientId,
    version: v1 ? '1' : trigger.version === 'V2_0' ? '2' : '3',
    now: ctx.clock.now(),
    request: {
      userAttributes: user === undefined ? {} : triggerUserAttributes(pool, user),
      groupConfiguration: groupConfiguration(pool, user),
      ...(v1 ? {} : { scopes: [...draft.scopes] }),
      ...(call.clientMetadata !== undefined ? { clientMetadata: call.clientMetadata } : {}),
    },
    response: v1 ? { claimsOverrideDetails: null } : { claimsAndScopeOverrideDetails: null },
    validate: (response) => applyAnswer(draft, response, v1),
  });
}

// The trigger's answer, applied to the draft (a malformed member throws before the tokens are signed).
function applyAnswer(draft: DraftTokens, response: Record<string, unknown>, v1: boolean): void {
  const details = member(response, v1 ? 'claimsOverrideDetails' : 'claimsAndScopeOverrideDetails', isRecord);
  if (details === undefined) return;
  const fixedInId = (name: string): boolean => UNMODIFIABLE_CLAIMS.has(name) || GROUP_CLAIMS.has(name);
  const fixedInAccess = (name: string): boolean => fixedInId(name) || UNMODIFIABLE_ACCESS_CLAIMS.has(name);
  if (v1) {
    if (draft.id !== undefined) applyClaims(draft.id, details, fixedInId, isV1Claims);
  } else {
    const idDetails = member(details, 'idTokenGeneration', isRecord);
    const accessDetails = member(details, 'accessTokenGeneration', isRecord);
    if (idDetails !== undefined && draft.id !== undefined) applyClaims(draft.id, idDetails, fixedInId, isRecord);
    if (accessDetails !== undefined) {
      applyClaims(draft.access, accessDetails, fixedInAccess, isRecord);
      const added = member(accessDetails, 'scopesToAdd', isScopeList) ?? [];
      const suppressed = new Set(member(accessDetails, 'scopesToSuppress', isScopeList) ?? []);
      draft.scopes = [...new Set([...draft.scopes, ...added])].filter((s) => !suppressed.has(s));
    }
  }
  applyGroups(draft, details);
  if (draft.scopes.length > 0) draft.access.scope = draft.scopes.join(' ');
  else delete draft.access.scope;
}
