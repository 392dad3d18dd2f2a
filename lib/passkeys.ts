/**
 * Passkeys of the signed-in user as stateless functions of `{ config, service }` and the access
 * token: StartWebAuthnRegistration (the creation options for `navigator.credentials.create()`),
 * CompleteWebAuthnRegistration (the browser's credential), ListWebAuthnCredentials,
 * DeleteWebAuthnCredential, and GetUserAuthFactors (which first factors the user can sign in with).
 * Registration options and credentials are JSON documents here (Cognito's registration API takes
 * objects), unlike the WEB_AUTHN sign-in challenge, whose options and answer are JSON strings.
 */
import { checkCredentialObject } from './challenge-handlers';
import { on, stringList, type AccountContext } from './account';
import { PasskeyNotFoundError } from './account-errors';
import { isCognitoError } from './errors';

/** One registered passkey, as ListWebAuthnCredentials describes it. */
export interface Passkey {
  credentialId: string;
  friendlyName: string | undefined;
  relyingPartyId: string | undefined;
  authenticatorAttachment: string | undefined;
  transports: string[];
  createdAt: Date | undefined;
}

/** What GetUserAuthFactors says about the user. */
export interface UserAuthFactors {
  username: string;
  /** The first factors the user can sign in with (`PASSWORD`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`). */
  configuredFactors: string[];
  /** MFA set up (`SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`) and the preferred one. */
  mfa: string[];
  preferredMfa: string | undefined;
}

/** The most passkeys a user may have (Cognito's limit); listing stops there. */
export const MAX_PASSKEYS = 20;

/**
 * StartWebAuthnRegistration: PublicKeyCredentialCreationOptionsJSON for the browser.
 *
 * @throws PasskeysNotEnabledError; NotAuthorizedError for a token without `aws.cognito.signin.user.admin`.
 * @example
 * const options = await startPasskeyRegistration(ctx, accessToken); // { challenge, rp, user, … }
 */
export async function startPasskeyRegistration(ctx: AccountContext, accessToken: string): Promise<Record<string, unknown>> {
  const out = await on<{ CredentialCreationOptions?: unknown }>(ctx)('StartWebAuthnRegistration', { AccessToken: accessToken });
  const options = out.CredentialCreationOptions;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('Cognito answered StartWebAuthnRegistration without creation options');
  }
  return options as Record<string, unknown>;
}

/**
 * CompleteWebAuthnRegistration with the browser's RegistrationResponseJSON (`credential.toJSON()`),
 * an object or its JSON text.
 *
 * @throws TypeError for a malformed credential (Cognito is not called); PasskeyRefusedError.
 * @example
 * await completePasskeyRegistration(ctx, accessToken, req.body.credential);
 */
export async function completePasskeyRegistration(ctx: AccountContext, accessToken: string, credential: unknown): Promise<void> {
  const document = checkCredentialObject(credential);
  await on(ctx)('CompleteWebAuthnRegistration', { AccessToken: accessToken, Credential: document as never });
}

/**
 * ListWebAuthnCredentials, every page (a user has at most {@link MAX_PASSKEYS}).
 *
 * @example
 * const passkeys = await listPasskeys(ctx, accessToken);
 */
export async function listPasskeys(ctx: AccountContext, accessToken: string): Promise<Passkey[]> {
  const passkeys: Passkey[] = [];
  let nextToken: string | undefined;
  do {
    const out = await on<{ Credentials?: unknown; NextToken?: unknown }>(ctx)('ListWebAuthnCredentials', {
      AccessToken: accessToken, MaxResults: MAX_PASSKEYS, ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
    });
    for (const raw of Array.isArray(out.Credentials) ? (out.Credentials as unknown[]) : []) {
      const passkey = passkeyOf(raw);
      if (passkey !== undefined) passkeys.push(passkey);
    }
    nextToken = typeof out.NextToken === 'string' && out.NextToken !== '' ? out.NextToken : undefined;
  } while (nextToken !== undefined && passkeys.length < MAX_PASSKEYS * 5);
  return passkeys;
}

/**
 * DeleteWebAuthnCredential of one of the user's passkeys.
 *
 * @throws TypeError for a malformed id; PasskeyNotFoundError for one the user does not have.
 * @example
 * await deletePasskey(ctx, accessToken, credentialId);
 */
export async function deletePasskey(ctx: AccountContext, accessToken: string, credentialId: unknown): Promise<void> {
  if (typeof credentialId !== 'string' || !/^[A-Za-z0-9_-]{1,1364}$/.test(credentialId)) {
    throw new TypeError('"credentialId" must be a base64url credential id');
  }
  try {
    await on(ctx)('DeleteWebAuthnCredential', { AccessToken: accessToken, CredentialId: credentialId });
  } catch (e) {
    // Here ResourceNotFoundException names the passkey, not a misconfigured pool or client.
    if (isCognitoError(e) && e.awsErrorName === 'ResourceNotFoundException') throw new PasskeyNotFoundError();
    throw e;
  }
}

/**
 * GetUserAuthFactors: the first factors and MFA the user has.
 *
 * @example
 * const { configuredFactors } = await getUserAuthFactors(ctx, accessToken); // ['PASSWORD', 'WEB_AUTHN']
 */
export async function getUserAuthFactors(ctx: AccountContext, accessToken: string): Promise<UserAuthFactors> {
  const out = await on<Record<string, unknown>>(ctx)('GetUserAuthFactors', { AccessToken: accessToken });
  return {
    username: typeof out.Username === 'string' ? out.Username : '',
    configuredFactors: stringList(out.ConfiguredUserAuthFactors),
    mfa: stringList(out.UserMFASettingList),
    preferredMfa: typeof out.PreferredMfaSetting === 'string' ? out.PreferredMfaSetting : undefined,
  };
}

function passkeyOf(raw: unknown): Passkey | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const c = raw as Record<string, unknown>;
  if (typeof c.CredentialId !== 'string') return undefined;
  const created = c.CreatedAt instanceof Date ? c.CreatedAt : typeof c.CreatedAt === 'number' ? new Date(c.CreatedAt * 1000) : undefined;
  return {
    credentialId: c.CredentialId,
    friendlyName: typeof c.FriendlyCredentialName === 'string' ? c.FriendlyCredentialName : undefined,
    relyingPartyId: typeof c.RelyingPartyId === 'string' ? c.RelyingPartyId : undefined,
    authenticatorAttachment: typeof c.AuthenticatorAttachment === 'string' ? c.AuthenticatorAttachment : undefined,
    transports: stringList(c.AuthenticatorTransports),
    createdAt: created,
  };
}
