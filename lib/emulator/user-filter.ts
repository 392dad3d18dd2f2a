/**
 * ListUsers' `Filter`: Cognito's one-condition syntax `AttributeName Filter-Type "AttributeValue"`,
 * `=` for an exact match and `^=` for a prefix, parsed and matched against users as Cognito does.
 * Pure functions: no store, no clock.
 */
import { invalidParameter } from './errors';
import type { PoolRecord, UserRecord } from './store';

/** The attributes Cognito can search on; custom attributes are not searchable. */
export const SEARCHABLE_ATTRIBUTES = [
  'username', 'email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username',
  'cognito:user_status', 'status', 'sub',
] as const;

/** One of {@link SEARCHABLE_ATTRIBUTES}. */
export type SearchableAttribute = (typeof SEARCHABLE_ATTRIBUTES)[number];

/** A parsed, non-empty filter. */
export interface UserFilter {
  attribute: SearchableAttribute;
  /** `^=` (starts with) rather than `=`. */
  prefix: boolean;
  /** The quoted value, escapes resolved. */
  value: string;
}

/** Longest `Filter` Cognito accepts (UserFilterType), in characters. */
export const MAX_FILTER_LENGTH = 256;

/** Cognito's message for a filter it cannot parse. */
export const FILTER_PARSE_ERROR = 'Error while parsing filter.';

// Name, optional blanks, the operator, optional blanks, the opening quote. `email="a"` is accepted,
// as Cognito accepts it; `==`, `!=`, single quotes or a bare value are not.
const HEAD = /^\s*([^\s"=^]+)\s*(\^=|=)\s*"/;

function isSearchable(name: string): name is SearchableAttribute {
  return (SEARCHABLE_ATTRIBUTES as readonly string[]).includes(name);
}

/**
 * Parses a ListUsers filter. An absent or blank filter lists every user (`undefined`). Inside the
 * quotes `\"` stands for a quote and `\\` for a backslash; nothing but blanks may follow the
 * closing quote (one condition only).
 *
 * @throws WireError InvalidParameterException "Error while parsing filter." for malformed syntax,
 *   "Invalid search attribute: NAME" for an attribute Cognito cannot search on.
 * @example
 * parseUserFilter('family_name ^= "Red"'); // { attribute: 'family_name', prefix: true, value: 'Red' }
 */
export function parseUserFilter(filter: string | undefined): UserFilter | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const head = HEAD.exec(filter);
  if (!head) throw invalidParameter(FILTER_PARSE_ERROR);
  let value = '';
  let i = head[0].length;
  let closed = false;
  while (i < filter.length) {
    const c = filter[i];
    const next = filter[i + 1];
    if (c === '\\' && (next === '"' || next === '\\')) {
      value += next;
      i += 2;
    } else if (c === '"') {
      closed = true;
      i += 1;
      break;
    } else {
      value += c;
      i += 1;
    }
  }
  if (!closed || filter.slice(i).trim() !== '') throw invalidParameter(FILTER_PARSE_ERROR);
  const name = head[1];
  if (!isSearchable(name)) throw invalidParameter(`Invalid search attribute: ${name}`);
  return { attribute: name, prefix: head[2] === '^=', value };
}

function searchedValue(user: UserRecord, attribute: SearchableAttribute): string | undefined {
  switch (attribute) {
    case 'username':
      return user.username;
    case 'sub':
      return user.sub;
    case 'cognito:user_status':
      return user.status;
    case 'status':
      return user.enabled ? 'Enabled' : 'Disabled';
    default:
      return user.attributes.get(attribute);
  }
}

/**
 * Whether `user` matches `filter`. `cognito:user_status` compares case-insensitively, `username`
 * too in a pool with `UsernameConfiguration.CaseSensitive: false`; everything else (including
 * `status`, `Enabled` / `Disabled`) is case-sensitive. A user without the attribute never matches.
 *
 * @example
 * users.filter((u) => userMatches(pool, u, parseUserFilter('status = "Disabled"')!));
 */
export function userMatches(pool: Pick<PoolRecord, 'caseSensitive'>, user: UserRecord, filter: UserFilter): boolean {
  const actual = searchedValue(user, filter.attribute);
  if (actual === undefined) return false;
  const fold = filter.attribute === 'cognito:user_status' || (filter.attribute === 'username' && !pool.caseSensitive);
  const have = fold ? actual.toLowerCase() : actual;
  const want = fold ? filter.value.toLowerCase() : filter.value;
  return filter.prefix ? have.startsWith(want) : have === want;
}
