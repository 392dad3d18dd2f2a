/**
 * The embedded emulator's passwordless demo, set up through the Cognito API at every start (as
 * `hosted-demo.ts` sets up the hosted UI): `server.ts` calls it, and the tests call the same function.
 *
 * - The demo pool allows the first factors PASSWORD, EMAIL_OTP, SMS_OTP and WEB_AUTHN
 *   (`Policies.SignInPolicy`) and its web client `ALLOW_USER_AUTH`: `DEMO_SEED` has both, a data
 *   folder made before them gets them here (and dave, the demo user with a verified phone). The
 *   client also gets `PreventUserExistenceErrors: ENABLED` (a new Cognito client's default): a page
 *   that asks for the username first would otherwise tell who has an account, where Cognito now
 *   answers an unknown name like a user with every factor, and sends nothing.
 * - Passkeys get their relying party: `WebAuthnConfiguration { RelyingPartyId: 'localhost' }`
 *   (SetUserPoolMfaConfig). A browser creates and uses passkeys for an RP ID that is the page's host
 *   or a parent domain of it, never an IP address: passkeys work on `http://localhost:<port>`, not on
 *   `http://127.0.0.1:<port>`.
 *
 * What is set already is left alone, so a second start changes nothing.
 */
import {
  AdminCreateUserCommand, AdminGetUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, DescribeUserPoolClientCommand,
  DescribeUserPoolCommand, GetUserPoolMfaConfigCommand, SetUserPoolMfaConfigCommand, UpdateUserPoolClientCommand, UpdateUserPoolCommand,
  type AuthFactorType,
} from '@aws-sdk/client-cognito-identity-provider';

/** The relying party of the demo pool's passkeys: the app must be opened on this host. */
export const PASSKEY_RP_ID = 'localhost';
/** The first factors the demo pool allows (USER_AUTH), in the order it offers them. */
export const DEMO_FIRST_FACTORS: readonly AuthFactorType[] = ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'];
/** The demo user whose sign-in codes can go by SMS (his phone number is verified). */
export const DEMO_SMS_USER = { username: 'dave', password: 'Passw0rd!', email: 'dave@example.com', phone: '+15555550104' } as const;

/** Input of {@link setUpPasswordlessDemo}. */
export interface PasswordlessDemoInput {
  /** An SDK client of the emulator (placeholder credentials: it checks no signature). */
  sdk: CognitoIdentityProviderClient;
  /** The seeded demo pool and its web client. */
  poolId: string;
  clientId: string;
}

/** What {@link setUpPasswordlessDemo} changed (nothing on a pool that had it all). */
export interface PasswordlessDemo {
  upgraded: Array<'signInPolicy' | 'client' | 'relyingParty' | 'smsUser'>;
}

/**
 * Makes the demo pool ready for USER_AUTH sign-in and passkeys; idempotent.
 *
 * @example
 * await setUpPasswordlessDemo({ sdk, poolId, clientId: DEMO_CLIENT_ID });
 * createApp({ cognito, passwordless: true, sessionSecret });
 */
export async function setUpPasswordlessDemo(input: PasswordlessDemoInput): Promise<PasswordlessDemo> {
  const { sdk, poolId, clientId } = input;
  const upgraded: PasswordlessDemo['upgraded'] = [];

  const pool = (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;
  const allowed = pool.Policies?.SignInPolicy?.AllowedFirstAuthFactors ?? [];
  if (DEMO_FIRST_FACTORS.some((f) => !allowed.includes(f))) {
    // UpdateUserPool puts every setting left out back to its default: send the pool's own again.
    await sdk.send(new UpdateUserPoolCommand({
      UserPoolId: poolId,
      Policies: { ...pool.Policies, SignInPolicy: { AllowedFirstAuthFactors: [...DEMO_FIRST_FACTORS] } },
      LambdaConfig: pool.LambdaConfig, MfaConfiguration: pool.MfaConfiguration, AutoVerifiedAttributes: pool.AutoVerifiedAttributes,
      AccountRecoverySetting: pool.AccountRecoverySetting, AdminCreateUserConfig: pool.AdminCreateUserConfig,
      UserAttributeUpdateSettings: pool.UserAttributeUpdateSettings, DeletionProtection: pool.DeletionProtection,
    }));
    upgraded.push('signInPolicy');
    // A data folder from before the passwordless demo has no user with a phone: this upgrade adds him, once.
    if (await addSmsUser(sdk, poolId)) upgraded.push('smsUser');
  }

  const mfa = await sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
  if (mfa.WebAuthnConfiguration?.RelyingPartyId !== PASSKEY_RP_ID) {
    // SetUserPoolMfaConfig, too, resets what it is not sent.
    await sdk.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId, MfaConfiguration: mfa.MfaConfiguration, SoftwareTokenMfaConfiguration: mfa.SoftwareTokenMfaConfiguration,
      ...(mfa.SmsMfaConfiguration ? { SmsMfaConfiguration: mfa.SmsMfaConfiguration } : {}),
      ...(mfa.EmailMfaConfiguration ? { EmailMfaConfiguration: mfa.EmailMfaConfiguration } : {}),
      WebAuthnConfiguration: { RelyingPartyId: PASSKEY_RP_ID, UserVerification: 'preferred' },
    }));
    upgraded.push('relyingParty');
  }

  const client = (await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!;
  if (!client.ExplicitAuthFlows?.includes('ALLOW_USER_AUTH') || client.PreventUserExistenceErrors !== 'ENABLED') {
    // UpdateUserPoolClient resets every setting left out: the client's own again, plus these two.
    await sdk.send(new UpdateUserPoolClientCommand({
      UserPoolId: poolId, ClientId: clientId, ClientName: client.ClientName,
      ExplicitAuthFlows: [...new Set([...(client.ExplicitAuthFlows ?? []), 'ALLOW_USER_AUTH' as const])],
      PreventUserExistenceErrors: 'ENABLED', EnableTokenRevocation: client.EnableTokenRevocation,
      AuthSessionValidity: client.AuthSessionValidity, RefreshTokenValidity: client.RefreshTokenValidity,
      AccessTokenValidity: client.AccessTokenValidity, IdTokenValidity: client.IdTokenValidity,
      TokenValidityUnits: client.TokenValidityUnits,
      ReadAttributes: client.ReadAttributes, WriteAttributes: client.WriteAttributes,
      CallbackURLs: client.CallbackURLs, LogoutURLs: client.LogoutURLs, AllowedOAuthFlows: client.AllowedOAuthFlows,
      AllowedOAuthFlowsUserPoolClient: client.AllowedOAuthFlowsUserPoolClient, AllowedOAuthScopes: client.AllowedOAuthScopes,
      SupportedIdentityProviders: client.SupportedIdentityProviders,
    }));
    upgraded.push('client');
  }
  return { upgraded };
}

// dave, as DEMO_SEED has him, unless the pool has a dave already.
async function addSmsUser(sdk: CognitoIdentityProviderClient, poolId: string): Promise<boolean> {
  const { username, password, email, phone } = DEMO_SMS_USER;
  const exists = await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username })).then(
    () => true,
    (error: unknown) => {
      if ((error as { name?: string }).name === 'UserNotFoundException') return false;
      throw error;
    },
  );
  if (exists) return false;
  await sdk.send(new AdminCreateUserCommand({
    UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' },
      { Name: 'phone_number', Value: phone }, { Name: 'phone_number_verified', Value: 'true' },
    ],
  }));
  await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
  return true;
}
