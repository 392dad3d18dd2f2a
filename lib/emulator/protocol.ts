/**
 * AWS JSON 1.1 as Cognito speaks it: the `X-Amz-Target` header, reading typed members out of a
 * request body with Cognito's validation messages, and the error body shape.
 */
import { WireError, invalidParameter, missingMember, notInEnum } from './errors';

/** A parsed request body. */
export type Params = Record<string, unknown>;

/** Prefix of `X-Amz-Target` for every Cognito user-pool operation. */
export const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/** Content type of requests and responses. */
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Largest request body accepted, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The operation named by an `X-Amz-Target` header, or `undefined`. */
export function operationFromTarget(target: string | undefined): string | undefined {
  if (!target || !target.startsWith(TARGET_PREFIX)) return undefined;
  const name = target.slice(TARGET_PREFIX.length);
  return /^[A-Za-z]{1,64}$/.test(name) ? name : undefined;
}

/**
 * Parses a request body; an empty body is `{}`.
 *
 * @throws WireError SerializationException for anything but a JSON object.
 */
export function parseBody(body: Buffer): Params {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WireError('SerializationException', 'Unable to parse request body as JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WireError('SerializationException', 'Request body must be a JSON object.');
  }
  return value as Params;
}

/** The JSON error body `{ __type, message }`. */
export function errorBody(type: string, message: string): string {
  return JSON.stringify({ __type: type, message });
}

function wrongType(member: string, expected: string): WireError {
  return new WireError('SerializationException', `Member ${member} must be ${expected}.`);
}

/** An optional string member (`null` reads as absent). */
export function optionalString(params: Params, member: string): string | undefined {
  const value = params[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(member, 'a string');
  return value;
}

/**
 * A required, non-empty string member.
 *
 * @throws WireError InvalidParameterException with Cognito's validation message.
 */
export function requireString(params: Params, member: string): string {
  const value = optionalString(params, member);
  if (value === undefined) throw missingMember(member);
  if (value.length === 0) {
    const field = member.charAt(0).toLowerCase() + member.slice(1);
    throw invalidParameter(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  return value;
}

/** A required member restricted to `allowed`. */
export function requireEnum<T extends string>(params: Params, member: string, allowed: readonly T[]): T {
  const value = requireString(params, member);
  if (!(allowed as readonly string[]).includes(value)) throw notInEnum(member, value, allowed);
  return value as T;
}

/** An optional member restricted to `allowed`. */
export function optionalEnum<T extends string>(params: Params, member: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(params, member);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw notInEnum(member, value, allowed);
  return value as T;
}

/** An optional boolean member. */
export function optionalBoolean(params: Params, member: string): boolean | undefined {
  const value = params[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(member, 'a boolean');
  return value;
}

/** An optional integer member. */
export function optionalInteger(params: Params, member: string): number | undefined {
  const value = params[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(member, 'an integer');
  return value;
}

/** An optional structure member. */
export function optionalObject(params: Params, member: string): Params | undefined {
  const value = params[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(member, 'a structure');
  return value as Params;
}

/** An optional list-of-strings member. */
export function optionalStringList(params: Params, member: string): string[] | undefined {
  const value = params[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw wrongType(member, 'a list of strings');
  return value as string[];
}

/** A string-to-string map member such as `AuthParameters`; absent reads as `{}`. */
export function stringMap(params: Params, member: string): Record<string, string> {
  const value = optionalObject(params, member) ?? {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    if (typeof item !== 'string') throw wrongType(`${member}.${key}`, 'a string');
    out[key] = item;
  }
  return out;
}

/**
 * A required entry of `AuthParameters` / `ChallengeResponses`.
 *
 * @throws WireError InvalidParameterException "Missing required parameter NAME".
 */
export function requireEntry(map: Record<string, string>, name: string): string {
  const value = map[name];
  if (value === undefined || value === '') throw invalidParameter(`Missing required parameter ${name}`);
  return value;
}

/** JSON 1.1 timestamp: seconds since the epoch (fractional). */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
