/**
 * Cognito's lockout after wrong passwords: after 5 consecutive failures the user is locked out for
 * 1 s, and each further failure (after a lock ran out) doubles the lock, up to 15 minutes. Attempts
 * during a lock answer "Password attempts exceeded" whatever the password, and do not lengthen later
 * locks. A success resets the count, and so do 15 minutes without any attempt.
 *
 * The policy is pure ({@link lockoutAfterFailure}, {@link isLockedOut}); the helpers at the bottom
 * keep the state in the store, by user `sub`, with time from the emulator clock.
 */
import type { EmulatorContext } from './context';
import { notAuthorized } from './errors';
import type { UserRecord } from './store';

/** Wrong-password state of one user. */
export interface LockoutState {
  /** Consecutive wrong passwords, not counting attempts refused during a lock. */
  failures: number;
  /** Until when (ms) every attempt is refused; 0 when not locked. */
  lockedUntil: number;
  /** Last sign-in attempt (ms), refused ones included. */
  lastAttemptAt: number;
}

/** Wrong passwords before the first lock. */
export const LOCKOUT_THRESHOLD = 5;
/** The first lock: 1 s. */
export const FIRST_LOCK_MS = 1000;
/** The longest lock: 15 minutes. */
export const MAX_LOCK_MS = 15 * 60 * 1000;
/** Quiet time after which the count starts again from zero. */
export const LOCKOUT_RESET_AFTER_MS = 15 * 60 * 1000;

/** The message of the NotAuthorizedException a locked-out user gets. */
export const LOCKED_OUT_MESSAGE = 'Password attempts exceeded';

/** How long the lock after the `failures`-th consecutive wrong password lasts (0 below the threshold). */
export function lockDurationMs(failures: number): number {
  if (failures < LOCKOUT_THRESHOLD) return 0;
  return Math.min(FIRST_LOCK_MS * 2 ** (failures - LOCKOUT_THRESHOLD), MAX_LOCK_MS);
}

/** Whether a sign-in attempt at `now` is refused by a lock. */
export function isLockedOut(state: LockoutState | undefined, now: number): boolean {
  return state !== undefined && now < state.lockedUntil;
}

/**
 * The state after a wrong password at `now` (not during a lock).
 *
 * @example
 * let s; for (let i = 0; i < 5; i++) s = lockoutAfterFailure(s, 0); // s.lockedUntil === 1000
 */
export function lockoutAfterFailure(state: LockoutState | undefined, now: number): LockoutState {
  const failures = (state && now - state.lastAttemptAt < LOCKOUT_RESET_AFTER_MS ? state.failures : 0) + 1;
  const duration = lockDurationMs(failures);
  return { failures, lockedUntil: duration > 0 ? now + duration : 0, lastAttemptAt: now };
}

/** The state after an attempt refused during a lock: only the time of the last attempt moves. */
export function lockoutAfterRefusal(state: LockoutState, now: number): LockoutState {
  return { ...state, lastAttemptAt: now };
}

/**
 * Refuses a sign-in attempt while the user is locked out.
 *
 * @throws WireError NotAuthorizedException "Password attempts exceeded".
 */
export function assertNotLockedOut(ctx: EmulatorContext, user: UserRecord): void {
  const state = ctx.store.lockouts.get(user.sub);
  const now = ctx.clock.now();
  if (state === undefined) return;
  if (isLockedOut(state, now)) {
    ctx.store.lockouts.set(user.sub, lockoutAfterRefusal(state, now));
    throw notAuthorized(LOCKED_OUT_MESSAGE);
  }
  if (now - state.lastAttemptAt >= LOCKOUT_RESET_AFTER_MS) ctx.store.lockouts.delete(user.sub);
}

/** Counts a wrong password (and starts or lengthens a lock). */
export function recordWrongPassword(ctx: EmulatorContext, user: UserRecord): void {
  ctx.store.lockouts.set(user.sub, lockoutAfterFailure(ctx.store.lockouts.get(user.sub), ctx.clock.now()));
}

/** A right password: the count starts again. */
export function recordRightPassword(ctx: EmulatorContext, user: UserRecord): void {
  ctx.store.lockouts.delete(user.sub);
}
