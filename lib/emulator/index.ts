/**
 * The local Cognito user-pool emulator (`express-cognito/emulator`).
 */
export { startEmulator, type Emulator, type EmulatorOptions } from './emulator';
export { DEMO_SEED, DEMO_CLIENT_ID, DEMO_POOL_ID_SUFFIX, DEMO_TOTP_SECRET } from './demo-seed';
export type { EmulatorSeed, SeededPools, SeededPool, SeedPool, SeedClient, SeedUser } from './seed';
export type { EmulatorFaults } from './faults';
export type { EmulatorClock } from './clock';
export type { SmsMessage } from './store';
export type { CodeDeliveryDetails, OutboxChannel, OutboxFilter, OutboxMessage, OutboxPurpose } from './outbox';
export { WireError } from './errors';
export { EmulatorDataError } from './persistence';
export type {
  EmulatorTriggers, PreTokenGenerationTrigger, TriggerEvents, TriggerFunction, TriggerInvocation, TriggerName,
} from './triggers';
