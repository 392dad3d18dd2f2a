/**
 * MFA settings of a signed-in user (the access token): a TOTP authenticator added
 * (AssociateSoftwareToken, then VerifySoftwareToken) and the MFA preference. Stateless: the `Cognito`
 * class and the web layer's routers call these with the tokens they hold.
 */
import { checkCode, checkFriendlyName, requireSecret } from './sign-in-engine';
import { command } from './sdk';
import type { ServiceClient } from './service-client';

const PREFERRED: readonly string[] = ['SMS', 'SOFTWARE_TOKEN'];

/**
 * AssociateSoftwareToken for a signed-in user: the TOTP secret (base32) to verify next.
 *
 * @example
 * const secretCode = await associateSoftwareToken(service, accessToken);
 */
export async function associateSoftwareToken(service: ServiceClient, accessToken: string): Promise<string> {
  const out = await service.send<{ SecretCode?: string }>(command('AssociateSoftwareToken', { AccessToken: accessToken }), 'other');
  return requireSecret(out.SecretCode);
}

/**
 * VerifySoftwareToken with the access token and a first code of the authenticator.
 *
 * @returns true once Cognito accepted the code.
 * @throws CodeMismatchError for a code that is not 6 digits (Cognito is not asked) or a wrong one.
 * @example
 * await verifySoftwareToken(service, accessToken, '123456', 'phone');
 */
export async function verifySoftwareToken(
  service: ServiceClient,
  accessToken: string,
  code: unknown,
  deviceName?: unknown,
): Promise<boolean> {
  const value = checkCode(code);
  const friendly = checkFriendlyName(deviceName, 'deviceName');
  const out = await service.send<{ Status?: string }>(command('VerifySoftwareToken', {
    AccessToken: accessToken, UserCode: value, ...(friendly !== undefined ? { FriendlyDeviceName: friendly } : {}),
  }), 'other');
  return out.Status === 'SUCCESS';
}

/**
 * SetUserMFAPreference: which factors are on, and the preferred one (required while one is on).
 *
 * @throws TypeError for a bad argument.
 * @example
 * await setMfaPreference(service, accessToken, false, true, 'SOFTWARE_TOKEN');
 */
export async function setMfaPreference(
  service: ServiceClient, accessToken: string, sms: unknown, softwareToken: unknown, preferred: unknown,
): Promise<void> {
  if (typeof sms !== 'boolean') throw new TypeError('"sms" must be a boolean');
  if (typeof softwareToken !== 'boolean') throw new TypeError('"softwareToken" must be a boolean');
  if (preferred !== undefined && (typeof preferred !== 'string' || !PREFERRED.includes(preferred))) {
    throw new TypeError('"preferred" must be "SMS" or "SOFTWARE_TOKEN"');
  }
  if ((sms || softwareToken) && preferred === undefined) {
    throw new TypeError('"preferred" must be "SMS" or "SOFTWARE_TOKEN" while a factor is enabled');
  }
  if ((preferred === 'SMS' && !sms) || (preferred === 'SOFTWARE_TOKEN' && !softwareToken)) {
    throw new TypeError('"preferred" must name an enabled factor');
  }
  await service.send(command('SetUserMFAPreference', {
    AccessToken: accessToken,
    SMSMfaSettings: { Enabled: sms, PreferredMfa: sms && preferred === 'SMS' },
    SoftwareTokenMfaSettings: { Enabled: softwareToken, PreferredMfa: softwareToken && preferred === 'SOFTWARE_TOKEN' },
  }), 'other');
}
