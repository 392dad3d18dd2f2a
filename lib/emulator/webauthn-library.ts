/**
 * `@simplewebauthn/server`, loaded on first use: it costs about 100 ms to load, which an emulator
 * that never sees a passkey should not pay, and only the emulator may load it (the package's guard
 * and strategies never import anything under lib/emulator).
 */
import type * as Server from '@simplewebauthn/server';
import type * as Helpers from '@simplewebauthn/server/helpers';

/** The library's verification functions and the CBOR / authenticator-data helpers. */
export interface SimpleWebAuthn {
  server: typeof Server;
  helpers: typeof Helpers;
}

let loading: Promise<SimpleWebAuthn> | undefined;

/**
 * The library, loaded once; concurrent callers share the load, and a failed load is retried.
 *
 * @example
 * const { server } = await simpleWebAuthn();
 */
export function simpleWebAuthn(): Promise<SimpleWebAuthn> {
  loading ??= Promise.all([import('@simplewebauthn/server'), import('@simplewebauthn/server/helpers')])
    .then(([server, helpers]) => ({ server, helpers }))
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}
