/**
 * Finding users by username, e-mail or phone (UsernameAttributes / AliasAttributes), and checking
 * and shaping their attributes the way Cognito does.
 */
import { WireError, invalidParameter, userNotFound } from './errors';
import type { PoolRecord, UserRecord } from './store';

const STANDARD_ATTRIBUTES = new Set([
  'sub', 'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture',
  'website', 'email', 'email_verified', 'gender', 'birthdate', 'zoneinfo', 'locale', 'phone_number',
  'phone_number_verified', 'address', 'updated_at',
]);

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+[0-9]{4,20}$/;

/** The key a username is stored under (lower case in case-insensitive pools). */
export function userKey(pool: PoolRecord, username: string): string {
  return pool.caseSensitive ? username : username.toLowerCase();
}

function sameAttribute(name: string, a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  return name === 'email' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * The user signing in as `name`: the internal username, else an e-mail / phone username attribute,
 * else a (verified, for e-mail and phone) alias.
 */
export function findUser(pool: PoolRecord, name: string): UserRecord | undefined {
  const direct = pool.users.get(userKey(pool, name));
  if (direct) return direct;
  for (const attribute of pool.usernameAttributes) {
    for (const user of pool.users.values()) if (sameAttribute(attribute, user.attributes.get(attribute), name)) return user;
  }
  for (const attribute of pool.aliasAttributes) {
    for (const user of pool.users.values()) {
      if (!sameAttribute(attribute, user.attributes.get(attribute), name)) continue;
      if (attribute === 'preferred_username' || user.attributes.get(`${attribute}_verified`) === 'true') return user;
    }
  }
  return undefined;
}

/**
 * Like {@link findUser}, throwing Cognito's UserNotFoundException "User does not exist.".
 */
export function requireUser(pool: PoolRecord, name: string): UserRecord {
  const user = findUser(pool, name);
  if (!user) throw userNotFound();
  return user;
}

/** Parses a `UserAttributes` request member (`[{ Name, Value }]`) into a map. */
export function parseAttributeList(value: unknown, member = 'UserAttributes'): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined || value === null) return out;
  if (!Array.isArray(value)) throw new WireError('SerializationException', `${member} must be a list`);
  for (const item of value) {
    const entry = item as { Name?: unknown; Value?: unknown };
    if (typeof entry?.Name !== 'string') throw invalidParameter(`${member}: every attribute needs a Name`);
    out.set(entry.Name, typeof entry.Value === 'string' ? entry.Value : '');
  }
  return out;
}

/**
 * Checks that attribute names exist in the schema (standard names, `custom:` ones); for deletions,
 * whose values are empty.
 *
 * @throws WireError InvalidParameterException.
 */
export function validateAttributeNames(names: Iterable<string>): void {
  for (const name of names) {
    if (name === 'sub') throw invalidParameter('Cannot modify an already provided sub attribute');
    if (!STANDARD_ATTRIBUTES.has(name) && !name.startsWith('custom:')) {
      throw invalidParameter(`Attributes did not conform to the schema: ${name}: Attribute does not exist in the schema.`);
    }
  }
}

/**
 * Checks attribute names and formats as Cognito's schema would.
 *
 * @throws WireError InvalidParameterException.
 */
export function validateAttributes(attributes: Map<string, string>): void {
  for (const [name, value] of attributes) {
    if (name === 'sub') throw invalidParameter('Cannot modify an already provided sub attribute');
    if (!STANDARD_ATTRIBUTES.has(name) && !name.startsWith('custom:')) {
      throw invalidParameter(`Attributes did not conform to the schema: ${name}: Attribute does not exist in the schema.`);
    }
    if (name === 'email' && !EMAIL.test(value)) throw invalidParameter('Invalid email address format.');
    if (name === 'phone_number' && !PHONE.test(value)) throw invalidParameter('Invalid phone number format.');
    if ((name === 'email_verified' || name === 'phone_number_verified') && value !== 'true' && value !== 'false') {
      throw invalidParameter(`Attributes did not conform to the schema: ${name}: must be true or false`);
    }
  }
}

/**
 * Refuses attributes that would give two users the same sign-in name.
 *
 * @throws WireError UsernameExistsException / AliasExistsException.
 */
export function assertUniqueSignInNames(pool: PoolRecord, user: { username: string }, attributes: Map<string, string>): void {
  for (const attribute of pool.usernameAttributes) {
    const value = attributes.get(attribute);
    if (value === undefined) continue;
    const other = findUser(pool, value);
    if (other && other.username !== user.username) {
      const name = attribute === 'email' ? 'email' : 'phone_number';
      throw new WireError('UsernameExistsException', `An account with the given ${name} already exists.`);
    }
  }
  for (const attribute of pool.aliasAttributes) {
    const value = attributes.get(attribute);
    if (value === undefined) continue;
    const verified = attribute === 'preferred_username' || attributes.get(`${attribute}_verified`) === 'true';
    if (!verified) continue;
    const other = findUser(pool, value);
    if (other && other.username !== user.username) {
      throw new WireError('AliasExistsException', `An account with the ${attribute} already exists.`);
    }
  }
}

/** A user's attributes as Cognito lists them (`[{ Name, Value }]`, `sub` first). */
export function attributeList(user: UserRecord): Array<{ Name: string; Value: string }> {
  const list = [{ Name: 'sub', Value: user.sub }];
  for (const [Name, Value] of user.attributes) if (Name !== 'sub') list.push({ Name, Value });
  return list;
}

/** `+*******1234`: a phone number as Cognito shows it in CODE_DELIVERY_DESTINATION. */
export function maskPhone(phone: string): string {
  return `+${'*'.repeat(Math.max(phone.length - 5, 0))}${phone.slice(-4)}`;
}
