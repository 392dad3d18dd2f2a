/**
 * What every operation handler gets: the store, the clock and the issuer of a pool, plus the
 * handler and registry types.
 */
import type { EmulatorClock } from './clock';
import type { Params } from './protocol';
import type { EmulatorStore } from './store';
import type { TriggerRegistry } from './triggers';

/** Shared state handed to operation handlers. */
export interface EmulatorContext {
  store: EmulatorStore;
  clock: EmulatorClock;
  region: string;
  /** `iss` of a pool's tokens: `<endpoint>/<poolId>`. */
  issuer(poolId: string): string;
  /** The emulator's own URL (`http://127.0.0.1:9229`): hosted-UI endpoints are served under it. */
  endpoint?(): string;
  /** The Lambda triggers registered with `startEmulator({ triggers })`, and the invocations so far. */
  triggers: TriggerRegistry;
}

/** One operation: JSON in, JSON out, `WireError` for Cognito's errors. */
export type OperationHandler = (ctx: EmulatorContext, params: Params) => Promise<object> | object;

/** An operation and whether it needs AWS credentials (SigV4) like Cognito's admin API. */
export interface OperationSpec {
  handler: OperationHandler;
  /** Control-plane/admin operations require an `Authorization` header. */
  signed: boolean;
}
