/**
 * The AWS SDK, loaded on first use. `@aws-sdk/client-cognito-identity-provider` and its dependencies
 * take tens of milliseconds and megabytes to load, and an app that only guards routes with bearer
 * tokens never calls Cognito: `require('express-cognito')` must not pay for it. Every Cognito call
 * of the package builds its command here; files elsewhere import the SDK's types only.
 */
import type * as Sdk from '@aws-sdk/client-cognito-identity-provider';

type SdkModule = typeof Sdk;

let loaded: SdkModule | undefined;

/**
 * The SDK module, required the first time it is needed.
 *
 * @example
 * const client = new (sdk().CognitoIdentityProviderClient)({ region: 'eu-west-1' });
 */
export function sdk(): SdkModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deferred require is the point
  loaded ??= require('@aws-sdk/client-cognito-identity-provider') as SdkModule;
  return loaded;
}

/** The names of the SDK's commands, without the `Command` suffix (`'InitiateAuth'`, `'GlobalSignOut'`…). */
export type CommandName = {
  [K in keyof SdkModule]: K extends `${infer N}Command` ? (SdkModule[K] extends abstract new (...args: never[]) => unknown ? N : never) : never;
}[keyof SdkModule];

/** The input of the command `N` (`InitiateAuthCommandInput` for `'InitiateAuth'`…). */
export type CommandInput<N extends CommandName> = SdkModule[`${N}Command`] extends abstract new (...args: infer A) => unknown
  ? NonNullable<A[0]>
  : never;

/**
 * A command of the SDK by name, e.g. `command('InitiateAuth', input)` for `new InitiateAuthCommand(input)`.
 *
 * @example
 * const out = await service.send<InitiateAuthCommandOutput>(command('InitiateAuth', input), 'login');
 */
export function command<N extends CommandName>(name: N, input: CommandInput<N>): object {
  const Command = sdk()[`${name}Command`] as unknown as new (input: CommandInput<N>) => object;
  return new Command(input);
}
