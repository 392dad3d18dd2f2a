/**
 * Listing operations: ListUsers (with Cognito's `Filter` and `AttributesToGet`), ListUsersInGroup,
 * ListGroups, ListUserPools, ListUserPoolClients and AdminListUserAuthEvents. Every list is in
 * creation order and paginated with opaque tokens (pagination.ts); all need AWS credentials.
 */
import type { EmulatorContext, OperationSpec } from '../context';
import { WireError, invalidParameter, missingMember, resourceNotFound } from '../errors';
import { paginate, type Page } from '../pagination';
import { epochSeconds, optionalInteger, optionalString, optionalStringList, requireString, type Params } from '../protocol';
import type { PoolRecord, UserRecord } from '../store';
import { attributeList, requireUser } from '../user-directory';
import { MAX_FILTER_LENGTH, parseUserFilter, userMatches } from '../user-filter';
import { mfaSummary } from './admin-users';
import { describeGroup } from './control-plane';

/** Largest page any listing operation returns, and the default. */
const MAX_PAGE = 60;

function field(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

function constraint(member: string, value: string, rule: string): WireError {
  return invalidParameter(`1 validation error detected: Value '${value}' at '${field(member)}' failed to satisfy constraint: ${rule}`);
}

/**
 * A page size member. `min` is Cognito's lower bound for it: 0 for the `QueryLimitType` members
 * (ListUsers, ListGroups, ListUsersInGroup, AdminListUserAuthEvents), where 0 means the default
 * of 60, and 1 for ListUserPools / ListUserPoolClients.
 */
function pageSize(params: Params, member: string, options: { min: 0 | 1; required?: boolean }): number {
  const value = optionalInteger(params, member);
  if (value === undefined) {
    if (options.required) throw missingMember(member);
    return MAX_PAGE;
  }
  if (value > MAX_PAGE) throw constraint(member, String(value), `Member must have value less than or equal to ${MAX_PAGE}`);
  if (value < options.min) throw constraint(member, String(value), `Member must have value greater than or equal to ${options.min}`);
  return value === 0 ? MAX_PAGE : value;
}

/** A pagination token member (`PaginationToken` / `NextToken`): absent, or at least one character. */
function pageToken(params: Params, member: string): string | undefined {
  const token = optionalString(params, member);
  if (token === '') throw constraint(member, token, 'Member must have length greater than or equal to 1');
  return token;
}

/** The attributes of a `UserType`: all of them, or only those named in `AttributesToGet` (`[]`: none). */
function userAttributes(user: UserRecord, only: string[] | undefined): Array<{ Name: string; Value: string }> {
  const list = attributeList(user);
  if (only === undefined) return list;
  const wanted = new Set(only);
  return list.filter((a) => wanted.has(a.Name));
}

/** A structure member stored as given at CreateUserPool (`pool.extra`), or `undefined`. */
function storedObject(pool: PoolRecord, member: string): Record<string, unknown> | undefined {
  const value = pool.extra[member];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The `UserType` structure of ListUsers and ListUsersInGroup. */
function userType(user: UserRecord, only?: string[]): Record<string, unknown> {
  const { MFAOptions } = mfaSummary(user);
  return {
    Username: user.username,
    Attributes: userAttributes(user, only),
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
    ...(MFAOptions !== undefined ? { MFAOptions } : {}),
  };
}

/** `body` plus the next-page token under `member` when more items follow. */
function withToken(page: Page<unknown>, member: string, body: Record<string, unknown>): Record<string, unknown> {
  return page.next === undefined ? body : { ...body, [member]: page.next };
}

function listUsers(ctx: EmulatorContext, params: Params): object {
  const poolId = requireString(params, 'UserPoolId');
  const limit = pageSize(params, 'Limit', { min: 0 });
  const token = pageToken(params, 'PaginationToken');
  const only = optionalStringList(params, 'AttributesToGet');
  const text = optionalString(params, 'Filter');
  if (text !== undefined && text.length > MAX_FILTER_LENGTH) {
    throw constraint('Filter', text, `Member must have length less than or equal to ${MAX_FILTER_LENGTH}`);
  }
  const pool = ctx.store.pool(poolId);
  const filter = parseUserFilter(text);
  const page = paginate(pool.users.values(), { scope: `ListUsers/${pool.id}`, limit, token },
    (user) => filter === undefined || userMatches(pool, user, filter));
  return withToken(page, 'PaginationToken', { Users: page.items.map((user) => userType(user, only)) });
}

function requireGroup(pool: PoolRecord, name: string): void {
  if (!pool.groups.has(name)) throw resourceNotFound('Group not found.');
}

function listUsersInGroup(ctx: EmulatorContext, params: Params): object {
  const poolId = requireString(params, 'UserPoolId');
  const groupName = requireString(params, 'GroupName');
  const limit = pageSize(params, 'Limit', { min: 0 });
  const token = pageToken(params, 'NextToken');
  const pool = ctx.store.pool(poolId);
  requireGroup(pool, groupName);
  const page = paginate(pool.users.values(), {
    scope: `ListUsersInGroup/${pool.id}/${groupName}`, limit, token,
  }, (user) => user.groups.has(groupName));
  return withToken(page, 'NextToken', { Users: page.items.map((user) => userType(user)) });
}

function listGroups(ctx: EmulatorContext, params: Params): object {
  const poolId = requireString(params, 'UserPoolId');
  const limit = pageSize(params, 'Limit', { min: 0 });
  const token = pageToken(params, 'NextToken');
  const pool = ctx.store.pool(poolId);
  const page = paginate(pool.groups.values(), { scope: `ListGroups/${pool.id}`, limit, token });
  return withToken(page, 'NextToken', { Groups: page.items.map((group) => describeGroup(pool.id, group)) });
}

function listUserPools(ctx: EmulatorContext, params: Params): object {
  const limit = pageSize(params, 'MaxResults', { min: 1, required: true });
  const token = pageToken(params, 'NextToken');
  const page = paginate(ctx.store.pools.values(), { scope: 'ListUserPools', limit, token });
  return withToken(page, 'NextToken', {
    UserPools: page.items.map((pool) => ({
      Id: pool.id,
      Name: pool.name,
      LambdaConfig: storedObject(pool, 'LambdaConfig') ?? {},
      LastModifiedDate: epochSeconds(pool.updatedAt),
      CreationDate: epochSeconds(pool.createdAt),
    })),
  });
}

function listUserPoolClients(ctx: EmulatorContext, params: Params): object {
  const poolId = requireString(params, 'UserPoolId');
  const limit = pageSize(params, 'MaxResults', { min: 1 });
  const token = pageToken(params, 'NextToken');
  const pool = ctx.store.pool(poolId);
  const page = paginate(pool.clients.values(), { scope: `ListUserPoolClients/${pool.id}`, limit, token });
  return withToken(page, 'NextToken', {
    UserPoolClients: page.items.map((client) => ({ ClientId: client.clientId, UserPoolId: pool.id, ClientName: client.clientName })),
  });
}

/** Whether the pool's `UserPoolAddOns.AdvancedSecurityMode` (threat protection) is AUDIT or ENFORCED. */
function advancedSecurityOn(pool: PoolRecord): boolean {
  const mode = storedObject(pool, 'UserPoolAddOns')?.AdvancedSecurityMode;
  return mode === 'AUDIT' || mode === 'ENFORCED';
}

// The emulator records no sign-in events (that would mean hooking every auth operation), so with
// the add-on on the history is empty; what matters to callers is that without it Cognito refuses.
function adminListUserAuthEvents(ctx: EmulatorContext, params: Params): object {
  const poolId = requireString(params, 'UserPoolId');
  const username = requireString(params, 'Username');
  const limit = pageSize(params, 'MaxResults', { min: 0 });
  const token = pageToken(params, 'NextToken');
  const pool = ctx.store.pool(poolId);
  if (!advancedSecurityOn(pool)) {
    throw new WireError('UserPoolAddOnNotEnabledException', `Advanced security features are not enabled for user pool ${pool.id}.`);
  }
  const user = requireUser(pool, username);
  const page = paginate<object>([], { scope: `AdminListUserAuthEvents/${pool.id}/${user.sub}`, limit, token });
  return withToken(page, 'NextToken', { AuthEvents: page.items });
}

/** Listing operations by name; all need AWS credentials. */
export const listingOperations: Record<string, OperationSpec> = {
  ListUsers: { handler: listUsers, signed: true },
  ListUsersInGroup: { handler: listUsersInGroup, signed: true },
  ListGroups: { handler: listGroups, signed: true },
  ListUserPools: { handler: listUserPools, signed: true },
  ListUserPoolClients: { handler: listUserPoolClients, signed: true },
  AdminListUserAuthEvents: { handler: adminListUserAuthEvents, signed: true },
};
