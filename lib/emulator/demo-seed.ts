/**
 * The demo pool `cognito-emulator --demo` (and `npm start`) serves: one public client, three users
 * covering the usual sign-in paths. Ids and bob's TOTP secret are fixed so that they can be
 * written into a `.env` file or an authenticator app once.
 */
import type { EmulatorSeed } from './seed';

/** The demo pool's fixed id suffix: the pool id is `<region>_DemoPool1`. */
export const DEMO_POOL_ID_SUFFIX = 'DemoPool1';
/** The demo client's fixed id. */
export const DEMO_CLIENT_ID = 'democlient0000000000000001';
/** bob's TOTP secret (base32), to add to an authenticator app. */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/**
 * Pool "demo" (MFA OPTIONAL, group `admin`), public client "demo-web" allowing SRP,
 * USER_PASSWORD, ADMIN_USER_PASSWORD and refresh; users:
 * - `alice` / `Passw0rd!`: confirmed, alice@example.com, in group `admin`;
 * - `bob` / `Passw0rd!`: confirmed, TOTP MFA enabled and preferred with {@link DEMO_TOTP_SECRET};
 * - `carol` / temporary `Temp0rary!`: FORCE_CHANGE_PASSWORD.
 */
export const DEMO_SEED: EmulatorSeed = deepFreeze({
  pools: [
    {
      name: 'demo',
      idSuffix: DEMO_POOL_ID_SUFFIX,
      mfa: 'OPTIONAL',
      // Sign-up sends its code by e-mail (to the outbox), as a new Cognito pool does by default.
      settings: { AutoVerifiedAttributes: ['email'] },
      clients: [
        {
          name: 'demo-web',
          clientId: DEMO_CLIENT_ID,
          explicitAuthFlows: [
            'ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_CUSTOM_AUTH',
          ],
        },
      ],
      groups: ['admin'],
      users: [
        {
          username: 'alice',
          password: 'Passw0rd!',
          attributes: { email: 'alice@example.com', email_verified: 'true' },
          groups: ['admin'],
        },
        {
          username: 'bob',
          password: 'Passw0rd!',
          attributes: { email: 'bob@example.com', email_verified: 'true' },
          totpSecret: DEMO_TOTP_SECRET,
          mfa: { totp: true, preferred: 'SOFTWARE_TOKEN_MFA' },
        },
        { username: 'carol', temporaryPassword: 'Temp0rary!', attributes: { email: 'carol@example.com', email_verified: 'true' } },
      ],
    },
  ],
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
