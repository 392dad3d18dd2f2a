/**
 * Lambda triggers of the emulator: in-process functions that receive the event Lambda would, and
 * how Cognito treats what they do.
 *
 * Which function runs for a pool's trigger: the pool's own (`seed` pool `triggers`), else the
 * function its `LambdaConfig` names by ARN (`arn:aws:lambda:<region>:<account>:function:<name>`,
 * `<name>` a key of `startEmulator({ triggers })`), else the `startEmulator({ triggers })` entry
 * named after the trigger (for every pool). The event is a JSON copy (what a Lambda receives), the
 * answer is read as JSON (what Cognito receives), and:
 * - a function that throws → `UserLambdaValidationException` "<Trigger> failed with error <message>.";
 * - an answer that is not the event object (undefined, a string…) or not JSON → `InvalidLambdaResponseException`;
 * - one that has not answered within 5 s → `UnexpectedLambdaException`;
 * - a `LambdaConfig` ARN that names no registered function → `UnexpectedLambdaException`.
 * Every invocation is recorded (`emulator.triggerInvocations()`).
 */
import type {
  CreateAuthChallengeTriggerEvent, CustomMessageTriggerEvent, DefineAuthChallengeTriggerEvent, PostAuthenticationTriggerEvent,
  PostConfirmationTriggerEvent, PreAuthenticationTriggerEvent, PreSignUpTriggerEvent, PreTokenGenerationTriggerEvent,
  PreTokenGenerationV2TriggerEvent, UserMigrationTriggerEvent, VerifyAuthChallengeResponseTriggerEvent,
} from 'aws-lambda';
import { WireError } from './errors';
import type { EmulatorContext } from './context';
import type { PoolRecord } from './store';

/** The event of each trigger, as `@types/aws-lambda` publishes it. */
export interface TriggerEvents {
  PreSignUp: PreSignUpTriggerEvent;
  PostConfirmation: PostConfirmationTriggerEvent;
  PreAuthentication: PreAuthenticationTriggerEvent;
  PostAuthentication: PostAuthenticationTriggerEvent;
  /** V1_0 events; V2_0 and V3_0 ones are {@link PreTokenGenerationV2TriggerEvent} (V3 adds client-credentials sources). */
  PreTokenGeneration: PreTokenGenerationTriggerEvent | PreTokenGenerationV2TriggerEvent;
  CustomMessage: CustomMessageTriggerEvent;
  UserMigration: UserMigrationTriggerEvent;
  DefineAuthChallenge: DefineAuthChallengeTriggerEvent;
  CreateAuthChallenge: CreateAuthChallengeTriggerEvent;
  VerifyAuthChallengeResponse: VerifyAuthChallengeResponseTriggerEvent;
}

/** A trigger's name, as in `LambdaConfig` (`PreTokenGeneration` also as `PreTokenGenerationConfig`). */
export type TriggerName = keyof TriggerEvents;

/** The trigger names, in `LambdaConfig` order. */
export const TRIGGER_NAMES: readonly TriggerName[] = Object.freeze([
  'PreSignUp', 'CustomMessage', 'PostConfirmation', 'PreAuthentication', 'PostAuthentication', 'DefineAuthChallenge',
  'CreateAuthChallenge', 'VerifyAuthChallengeResponse', 'PreTokenGeneration', 'UserMigration',
]);

/**
 * A trigger function: the event in, the event (with its `response` filled in) out. Like a Lambda
 * handler, it may be async; unlike one, it gets no context or callback.
 */
// The event types differ per trigger; a function registered by name can serve any of them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TriggerFunction<E = any> = (event: E) => E | Promise<E>;

/** `PreTokenGeneration` with its event version (a bare function is `V1_0`). */
export interface PreTokenGenerationTrigger {
  version: 'V1_0' | 'V2_0' | 'V3_0';
  handler: TriggerFunction<TriggerEvents['PreTokenGeneration']>;
}

/**
 * Triggers of `startEmulator({ triggers })` and of a seeded pool: by trigger name (run for the
 * pool(s)), and, in `startEmulator`, any other name as a function a `LambdaConfig` ARN can name.
 */
export type EmulatorTriggers = {
  [K in Exclude<TriggerName, 'PreTokenGeneration'>]?: TriggerFunction<TriggerEvents[K]>;
} & {
  PreTokenGeneration?: TriggerFunction<TriggerEvents['PreTokenGeneration']> | PreTokenGenerationTrigger;
} & {
  [functionName: string]: TriggerFunction | PreTokenGenerationTrigger | undefined;
};

/** One recorded invocation. */
export interface TriggerInvocation {
  trigger: TriggerName;
  triggerSource: string;
  poolId: string;
  /** The event as the function received it (a copy). */
  event: Record<string, unknown>;
  /** The `response` Cognito read from the answer, when there was a usable answer. */
  response?: Record<string, unknown>;
  /** The exception Cognito turned a failure into (`UserLambdaValidationException`…). */
  error?: string;
  /** Emulator clock, ms. */
  at: number;
}

/** A resolved trigger: the function and, for PreTokenGeneration, the event version. */
export interface ResolvedTrigger {
  handler: TriggerFunction;
  version: 'V1_0' | 'V2_0' | 'V3_0';
}

/** How long a trigger may take, in ms (Cognito waits 5 s). */
export const TRIGGER_TIMEOUT_MS = 5000;

/** The emulator-wide registry: functions by name, invocations so far. */
export class TriggerRegistry {
  readonly invocations: TriggerInvocation[] = [];
  private readonly functions = new Map<string, TriggerFunction | PreTokenGenerationTrigger>();

  /**
   * @param triggers `startEmulator({ triggers })`.
   * @param timeoutMs how long a function may take (5000 unless a test shortens it).
   * @throws TypeError for an entry that is not a function (or `{ version, handler }` for PreTokenGeneration).
   */
  constructor(triggers: EmulatorTriggers | undefined, readonly timeoutMs = TRIGGER_TIMEOUT_MS) {
    if (triggers === undefined) return;
    if (typeof triggers !== 'object' || triggers === null) throw new TypeError('"triggers" must be an object of functions');
    for (const [name, value] of Object.entries(triggers)) {
      if (value === undefined) continue;
      checkTriggerValue(name, value);
      this.functions.set(name, value);
    }
  }

  /** The function a `LambdaConfig` ARN names (by its function name), if registered. */
  byArn(arn: string): TriggerFunction | PreTokenGenerationTrigger | undefined {
    const name = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(arn)?.[1];
    return name === undefined ? undefined : this.functions.get(name);
  }

  /** The emulator-wide function for a trigger name. */
  byName(name: TriggerName): TriggerFunction | PreTokenGenerationTrigger | undefined {
    return this.functions.get(name);
  }
}

/**
 * Checks one `triggers` entry.
 *
 * @throws TypeError naming the entry.
 */
export function checkTriggerValue(name: string, value: unknown): asserts value is TriggerFunction | PreTokenGenerationTrigger {
  if (typeof value === 'function') return;
  if (typeof value === 'object' && value !== null && typeof (value as PreTokenGenerationTrigger).handler === 'function' &&
    ['V1_0', 'V2_0', 'V3_0'].includes((value as PreTokenGenerationTrigger).version)) return;
  throw new TypeError(`trigger "${name}" must be a function, or { version: 'V1_0' | 'V2_0' | 'V3_0', handler } for PreTokenGeneration`);
}

/** Where a pool's triggers come from: its own (seed), and its `LambdaConfig`. */
export interface PoolTriggerSource {
  /** A seeded pool's `triggers`. */
  own?: EmulatorTriggers;
  /** `LambdaConfig` as stored (CreateUserPool / UpdateUserPool). */
  lambdaConfig?: Record<string, unknown>;
}

/**
 * The trigger that runs for `name` in a pool, or `undefined` when none is configured.
 *
 * @throws WireError UnexpectedLambdaException when `LambdaConfig` names a function nobody registered.
 */
export function resolveTrigger(registry: TriggerRegistry, source: PoolTriggerSource, name: TriggerName): ResolvedTrigger | undefined {
  let found: TriggerFunction | PreTokenGenerationTrigger | undefined = source.own?.[name];
  let version: 'V1_0' | 'V2_0' | 'V3_0' | undefined;
  if (found === undefined && source.lambdaConfig !== undefined) {
    const config = source.lambdaConfig;
    let arn = typeof config[name] === 'string' ? config[name] : undefined;
    if (name === 'PreTokenGeneration' && isRecord(config.PreTokenGenerationConfig)) {
      const { LambdaArn, LambdaVersion } = config.PreTokenGenerationConfig;
      if (typeof LambdaArn === 'string') arn = LambdaArn;
      if (LambdaVersion === 'V1_0' || LambdaVersion === 'V2_0' || LambdaVersion === 'V3_0') version = LambdaVersion;
    }
    if (arn !== undefined) {
      found = registry.byArn(arn);
      if (found === undefined) {
        throw new WireError('UnexpectedLambdaException', `${name} invocation failed due to error ResourceNotFoundException: Function not found: ${arn}.`);
      }
    }
  }
  found ??= registry.byName(name);
  if (found === undefined) return undefined;
  if (typeof found === 'function') return { handler: found, version: version ?? 'V1_0' };
  return { handler: found.handler, version: version ?? found.version };
}

/** What {@link invokeTrigger} is told about the call. */
export interface TriggerCall {
  name: TriggerName;
  triggerSource: string;
  poolId: string;
  region: string;
  /** `null` for a client-credentials token (no user). */
  userName: string | null;
  clientId: string;
  /** `request` of the event. */
  request: Record<string, unknown>;
  /** `response` as the event carries it in (each trigger's defaults: `{ autoConfirmUser: false, … }`). */
  response: Record<string, unknown>;
  /** `version` of the event: '1' for most triggers; PreTokenGeneration V2/V3 send '2' / '3'. */
  version?: string;
  /** Emulator clock, ms (for the record). */
  now: number;
  /**
   * Reads the answer the way Cognito does; a `WireError` it throws (InvalidLambdaResponseException
   * for a member of the wrong type) is recorded as the invocation's error and thrown on.
   */
  validate?: (response: Record<string, unknown>) => void;
}

/**
 * Runs a resolved trigger with the event Lambda would get and returns the `response` Cognito reads
 * (a plain JSON object).
 *
 * @throws WireError UserLambdaValidationException (the function threw), InvalidLambdaResponseException
 *   (no usable answer), UnexpectedLambdaException (too slow).
 */
export async function invokeTrigger(
  registry: TriggerRegistry, trigger: ResolvedTrigger, call: TriggerCall,
): Promise<Record<string, unknown>> {
  const event = JSON.parse(JSON.stringify({
    version: call.version ?? '1',
    triggerSource: call.triggerSource,
    region: call.region,
    userPoolId: call.poolId,
    userName: call.userName,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: call.clientId },
    request: call.request,
    response: call.response,
  })) as Record<string, unknown>;
  const record: TriggerInvocation = {
    trigger: call.name, triggerSource: call.triggerSource, poolId: call.poolId, event: structuredClone(event), at: call.now,
  };
  registry.invocations.push(record);
  let answer: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TriggerTimeout()), registry.timeoutMs);
    });
    answer = await Promise.race([Promise.resolve().then((): unknown => trigger.handler(event)), timeout]);
  } catch (err) {
    const wire = err instanceof TriggerTimeout
      ? new WireError('UnexpectedLambdaException', `${call.name} invocation failed due to error Socket timeout while invoking Lambda function.`)
      : new WireError('UserLambdaValidationException', `${call.name} failed with error ${messageOf(err)}.`);
    record.error = wire.type;
    throw wire;
  } finally {
    clearTimeout(timer);
  }
  let response: unknown;
  try {
    response = isRecord(answer) ? (JSON.parse(JSON.stringify(answer)) as Record<string, unknown>).response : undefined;
  } catch {
    response = undefined;
  }
  if (!isRecord(response)) {
    record.error = 'InvalidLambdaResponseException';
    throw new WireError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
  }
  record.response = structuredClone(response);
  try {
    call.validate?.(response);
  } catch (err) {
    if (err instanceof WireError) record.error = err.type;
    throw err;
  }
  return response;
}

/**
 * Runs the pool's trigger `name`, if it has one: the shortcut operations use. Fills in the pool,
 * region and clock.
 *
 * @returns the `response` read from the answer, or `undefined` when no trigger is configured.
 * @throws WireError as {@link invokeTrigger} and {@link resolveTrigger}.
 */
export async function runTrigger(
  ctx: EmulatorContext, pool: PoolRecord, name: TriggerName,
  call: Omit<TriggerCall, 'name' | 'poolId' | 'region' | 'now'>,
): Promise<{ response: Record<string, unknown>; version: ResolvedTrigger['version'] } | undefined> {
  const trigger = resolveTrigger(ctx.triggers, { own: pool.triggers, lambdaConfig: lambdaConfigOf(pool) }, name);
  if (trigger === undefined) return undefined;
  const response = await invokeTrigger(ctx.triggers, trigger, { ...call, name, poolId: pool.id, region: ctx.region, now: ctx.clock.now() });
  return { response, version: trigger.version };
}

/** The pool's stored `LambdaConfig`, if any. */
export function lambdaConfigOf(pool: PoolRecord): Record<string, unknown> | undefined {
  const config = pool.extra.LambdaConfig;
  return isRecord(config) ? config : undefined;
}

/** The error Cognito returns for an answer whose `response` has a member of the wrong type. */
export function invalidLambdaResponse(): WireError {
  return new WireError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
}

class TriggerTimeout extends Error {}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : 'Unhandled exception';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
