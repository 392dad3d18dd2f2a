/**
 * The demo pool `cognito-emulator --demo` (and `npm start`) serves: one public client, four users
 * covering the usual sign-in paths, with a password or without one (USER_AUTH). Ids and bob's TOTP
 * secret are fixed so that they can be written into a `.env` file or an authenticator app once.
 */
import type { EmulatorSeed } from './seed';

/** The demo pool's fixed id suffix: the pool id is `<region>_DemoPool1`. */
export const DEMO_POOL_ID_SUFFIX = 'DemoPool1';
/** The demo client's fixed id. */
export const DEMO_CLIENT_ID = 'democlient0000000000000001';
/** bob's TOTP secret (base32), to add to an authenticator app. */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

// dave's verified phone number: his USER_AUTH sign-in codes go there by SMS (to the outbox).
const DEMO_SMS_PHONE = '+15555550104';

/**
 * Pool "demo" (MFA OPTIONAL, group `admin`; first factors PASSWORD, EMAIL_OTP, SMS_OTP and
 * WEB_AUTHN for USER_AUTH), public client "demo-web" allowing SRP, USER_PASSWORD,
 * ADMIN_USER_PASSWORD, CUSTOM_AUTH, USER_AUTH and refresh; users:
 * - `alice` / `Passw0rd!`: confirmed, alice@example.com (verified: e-mailed sign-in codes), in group `admin`;
 * - `bob` / `Passw0rd!`: confirmed, TOTP MFA enabled and preferred with {@link DEMO_TOTP_SECRET};
 * - `carol` / temporary `Temp0rary!`: FORCE_CHANGE_PASSWORD;
 * - `dave` / `Passw0rd!`: confirmed, dave@example.com and +15555550104, both verified
 *   (sign-in codes by e-mail or by SMS).
 *
 * Passkeys need a relying party as well (SetUserPoolMfaConfig's `WebAuthnConfiguration`), which a
 * seed does not set: the example app sets `RelyingPartyId: 'localhost'` at start.
 */
export const DEMO_SEED: EmulatorSeed = deepFreeze<EmulatorSeed>({
  pools: [
    {
      name: 'demo',
      idSuffix: DEMO_POOL_ID_SUFFIX,
      mfa: 'OPTIONAL',
      // Sign-up sends its code by e-mail (to the outbox), as a new Cognito pool does by default.
      settings: { AutoVerifiedAttributes: ['email'] },
      allowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'],
      clients: [
        {
          name: 'demo-web',
          clientId: DEMO_CLIENT_ID,
          explicitAuthFlows: [
            'ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_CUSTOM_AUTH',
            // Choice-based sign-in: the example app's passwordless page.
            'ALLOW_USER_AUTH',
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
        {
          username: 'dave',
          password: 'Passw0rd!',
          attributes: { email: 'dave@example.com', email_verified: 'true', phone_number: DEMO_SMS_PHONE, phone_number_verified: 'true' },
        },
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
