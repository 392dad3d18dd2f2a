/**
 * Test rig for the Lambda trigger tests: an emulator whose every trigger is a stand-in that does
 * what the current test sets (`rig.on('PreSignUp', fn)`; default: answer the event unchanged), with
 * a 50 ms trigger timeout, and one pool and client (test/support/pool.ts).
 */
import type { TriggerFunction, TriggerInvocation, TriggerName } from '../../lib/emulator';
import { startTestPool, type TestPool, type TestPoolOptions } from '../support/pool';

const NAMES: TriggerName[] = [
  'PreSignUp', 'CustomMessage', 'PostConfirmation', 'PreAuthentication', 'PostAuthentication', 'PreTokenGeneration', 'UserMigration',
];

/** A pool whose triggers the test drives. */
export interface TriggerRig {
  pool: TestPool;
  /** What trigger `name` does from now on (until {@link reset}). */
  on(name: TriggerName, fn: TriggerFunction): void;
  /** Every trigger back to answering its event unchanged. */
  reset(): void;
  /** The invocations of `name` (or all) since the rig started. */
  calls(name?: TriggerName): TriggerInvocation[];
  /** The latest invocation of `name`; throws when there is none. */
  last(name: TriggerName): TriggerInvocation;
}

/** A function that never answers (for the timeout). */
export const neverAnswers: TriggerFunction = () => new Promise(() => undefined);

/**
 * Starts the rig. Only the triggers named in `enabled` are registered (a registered trigger runs
 * for every pool); default all but PreTokenGeneration and UserMigration, which change what every
 * sign-in does.
 */
export async function startTriggerRig(
  options: TestPoolOptions = {},
  enabled: TriggerName[] = NAMES.filter((n) => n !== 'PreTokenGeneration' && n !== 'UserMigration'),
): Promise<TriggerRig> {
  const behaviour = new Map<TriggerName, TriggerFunction>();
  const triggers: Record<string, TriggerFunction> = {};
  for (const name of enabled) triggers[name] = (event) => (behaviour.get(name) ?? ((e: unknown) => e))(event);
  const pool = await startTestPool({ ...options, emulatorOptions: { triggers, triggerTimeoutMs: 50, ...options.emulatorOptions } });
  const calls = (name?: TriggerName): TriggerInvocation[] => pool.emulator.triggerInvocations(name);
  return {
    pool,
    on: (name, fn) => behaviour.set(name, fn),
    reset: () => behaviour.clear(),
    calls,
    last: (name) => {
      const found = calls(name).at(-1);
      if (found === undefined) throw new Error(`${name} was not invoked`);
      return found;
    },
  };
}

/** The `request` of a recorded event. */
export function requestOf(invocation: TriggerInvocation): Record<string, unknown> {
  return invocation.event.request as Record<string, unknown>;
}
