/**
 * One-time codes for sign-up confirmation, password reset and attribute verification: 6 digits, one
 * outstanding code per user and kind (a new one replaces the old), an expiry by kind, at most
 * {@link MAX_CODE_FAILURES} wrong answers, and a per-user limit on how often codes can be requested.
 * Times come from the emulator clock.
 */
import { timingSafeEqual } from 'node:crypto';
import type { EmulatorContext } from './context';
import { WireError } from './errors';
import { numericCode } from './ids';
import type { CodeKind, PendingCode, UserRecord } from './store';

/** How long a code of each kind stays valid: 24 h, but 1 h for password reset. */
export const CODE_TTL_MS: Readonly<Record<CodeKind, number>> = Object.freeze({
  SIGN_UP: 24 * 3600 * 1000,
  FORGOT_PASSWORD: 3600 * 1000,
  VERIFY_EMAIL: 24 * 3600 * 1000,
  VERIFY_PHONE_NUMBER: 24 * 3600 * 1000,
});

/** Wrong answers after which a code is spent. */
export const MAX_CODE_FAILURES = 5;
/** Codes of one kind a user may request per {@link CODE_REQUEST_WINDOW_MS}. */
export const MAX_CODE_REQUESTS = 5;
/** The rate-limit window: one hour. */
export const CODE_REQUEST_WINDOW_MS = 3600 * 1000;

/** Cognito's answer to too many code requests (and other attempt limits). */
export function limitExceeded(): WireError {
  return new WireError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
}

/** CodeMismatchException as the confirmation operations send it. */
export function codeMismatch(): WireError {
  return new WireError('CodeMismatchException', 'Invalid verification code provided, please try again.');
}

/** ExpiredCodeException: no live code (expired, spent, replaced by use, or never sent). */
export function expiredCode(): WireError {
  return new WireError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
}

/** The code kind that verifies an attribute. */
export function verifyKind(attribute: 'email' | 'phone_number'): CodeKind {
  return attribute === 'email' ? 'VERIFY_EMAIL' : 'VERIFY_PHONE_NUMBER';
}

function key(user: UserRecord, kind: CodeKind): string {
  return `${user.sub}/${kind}`;
}

/**
 * Counts a request for a code of `kind` (ResendConfirmationCode, ForgotPassword,
 * GetUserAttributeVerificationCode) and refuses one past the limit.
 *
 * @throws WireError LimitExceededException "Attempt limit exceeded, please try after some time.".
 */
export function countCodeRequest(ctx: EmulatorContext, user: UserRecord, kind: CodeKind): void {
  const now = ctx.clock.now();
  const recent = (ctx.store.codeRequests.get(key(user, kind)) ?? []).filter((at) => now - at < CODE_REQUEST_WINDOW_MS);
  if (recent.length >= MAX_CODE_REQUESTS) {
    ctx.store.codeRequests.set(key(user, kind), recent);
    throw limitExceeded();
  }
  recent.push(now);
  ctx.store.codeRequests.set(key(user, kind), recent);
}

/**
 * Issues a new code of `kind` for the user, replacing any outstanding one, and returns it.
 *
 * @example
 * const { code } = issueCode(ctx, user, 'SIGN_UP', { attribute: 'email' });
 */
export function issueCode(
  ctx: EmulatorContext,
  user: UserRecord,
  kind: CodeKind,
  extra: Pick<PendingCode, 'attribute' | 'pendingValue'> = {},
): PendingCode {
  const record: PendingCode = { code: numericCode(6), expiresAt: ctx.clock.now() + CODE_TTL_MS[kind], failures: 0, ...extra };
  ctx.store.codes.set(key(user, kind), record);
  return record;
}

/** The user's outstanding code of `kind`, if any (expired ones included). */
export function pendingCode(ctx: EmulatorContext, user: UserRecord, kind: CodeKind): PendingCode | undefined {
  return ctx.store.codes.get(key(user, kind));
}

/** Drops the user's outstanding code of `kind`. */
export function dropCode(ctx: EmulatorContext, user: UserRecord, kind: CodeKind): void {
  ctx.store.codes.delete(key(user, kind));
}

/** Drops every code and request count of a user (DeleteUser). */
export function forgetCodes(ctx: EmulatorContext, user: UserRecord): void {
  for (const kind of Object.keys(CODE_TTL_MS) as CodeKind[]) {
    ctx.store.codes.delete(key(user, kind));
    ctx.store.codeRequests.delete(key(user, kind));
  }
}

function sameCode(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks an answer against the user's code of `kind` without using it up (the caller drops it with
 * {@link dropCode} once the rest of the operation succeeded). A wrong answer counts; the
 * {@link MAX_CODE_FAILURES}th spends the code.
 *
 * @throws WireError ExpiredCodeException when there is no live code (never sent, expired, used or
 *   spent); CodeMismatchException for a wrong answer.
 */
export function checkCode(ctx: EmulatorContext, user: UserRecord, kind: CodeKind, given: string): PendingCode {
  const record = ctx.store.codes.get(key(user, kind));
  if (!record) throw expiredCode();
  if (ctx.clock.now() >= record.expiresAt) {
    ctx.store.codes.delete(key(user, kind));
    throw expiredCode();
  }
  if (!sameCode(given, record.code)) {
    record.failures += 1;
    if (record.failures >= MAX_CODE_FAILURES) ctx.store.codes.delete(key(user, kind));
    throw codeMismatch();
  }
  return record;
}

/** {@link checkCode}, then uses the code up. */
export function consumeCode(ctx: EmulatorContext, user: UserRecord, kind: CodeKind, given: string): PendingCode {
  const record = checkCode(ctx, user, kind, given);
  ctx.store.codes.delete(key(user, kind));
  return record;
}
