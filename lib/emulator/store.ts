/**
 * The emulator's in-memory state: typed records for pools, app clients, users, groups, refresh
 * tokens, SRP challenges, challenge sessions, one-time codes, sent messages and wrong-password
 * lockouts, and the containers that hold them.
 * Lookups that raise Cognito errors live next to the records they find.
 */
import { WireError, resourceNotFound } from './errors';
import type { LockoutState } from './lockout';
import type { OutboxMessage } from './outbox';
import type { PasswordPolicy } from './password-policy';
import type { KeyRing } from './signing-keys';
import type { PasswordVerifier, ServerEphemeral } from './srp-server';
import type { EmulatorTriggers } from './triggers';

/** `MfaConfiguration` of a pool. */
export type MfaConfiguration = 'OFF' | 'ON' | 'OPTIONAL';
/** `UserStatus` values the emulator produces. */
export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED' | 'EXTERNAL_PROVIDER';
/** A second factor. */
export type MfaType = 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP';
/** A first sign-in factor of `SignInPolicy.AllowedFirstAuthFactors` (USER_AUTH). */
export type AuthFactor = 'PASSWORD' | 'EMAIL_OTP' | 'SMS_OTP' | 'WEB_AUTHN' | 'SOFTWARE_TOKEN';
/** Challenges the emulator raises. */
export type ChallengeName = 'PASSWORD_VERIFIER' | 'NEW_PASSWORD_REQUIRED' | 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'SELECT_MFA_TYPE' | 'MFA_SETUP'
  | 'DEVICE_SRP_AUTH' | 'DEVICE_PASSWORD_VERIFIER' | 'CUSTOM_CHALLENGE'
  | 'SELECT_CHALLENGE' | 'EMAIL_OTP' | 'SMS_OTP' | 'PASSWORD' | 'PASSWORD_SRP' | 'WEB_AUTHN';

/** A user pool. */
export interface PoolRecord {
  id: string;
  name: string;
  arn: string;
  createdAt: number;
  updatedAt: number;
  passwordPolicy: PasswordPolicy;
  mfa: MfaConfiguration;
  softwareTokenMfa: boolean;
  smsMfa: boolean;
  usernameAttributes: string[];
  aliasAttributes: string[];
  caseSensitive: boolean;
  deviceConfiguration?: Record<string, unknown>;
  /** `WebAuthnConfiguration` of SetUserPoolMfaConfig (passkeys); absent until set. */
  webAuthn?: WebAuthnPoolConfig;
  /** Other CreateUserPool members, stored and echoed as given (not modelled). */
  extra: Record<string, unknown>;
  keyRing: KeyRing;
  clients: Map<string, ClientRecord>;
  users: Map<string, UserRecord>;
  groups: Map<string, GroupRecord>;
  /** CreateUserPoolDomain: at most one prefix domain and one custom domain. */
  domains: DomainRecord[];
  /** CreateResourceServer, by identifier. */
  resourceServers: Map<string, ResourceServerRecord>;
  /** CreateIdentityProvider, by provider name. */
  identityProviders: Map<string, IdentityProviderRecord>;
  /** A seeded pool's own trigger functions (in-process only: not in `LambdaConfig`, not persisted). */
  triggers?: EmulatorTriggers;
  /** `Policies.SignInPolicy.AllowedFirstAuthFactors` (USER_AUTH); absent: `['PASSWORD']`. */
  allowedFirstAuthFactors?: AuthFactor[];
  /** SetUserPoolMfaConfig `EmailMfaConfiguration`: set, email MFA is available; its texts for MFA and sign-in codes. */
  emailMfaConfiguration?: { Message?: string; Subject?: string };
}

/** A pool's domain: a prefix (`myapp` → `myapp.auth.<region>.amazoncognito.com`) or a custom FQDN. */
export interface DomainRecord {
  domain: string;
  /** 1: hosted UI (classic); 2: managed login. */
  managedLoginVersion: number;
  /** Set for a custom domain. */
  certificateArn?: string;
  createdAt: number;
}

/** A resource server: an identifier and the custom scopes `<identifier>/<scope>` it defines. */
export interface ResourceServerRecord {
  identifier: string;
  name: string;
  scopes: Array<{ ScopeName: string; ScopeDescription: string }>;
}

/** A federated identity provider of a pool. */
export interface IdentityProviderRecord {
  name: string;
  type: string;
  details: Record<string, string>;
  attributeMapping: Record<string, string>;
  idpIdentifiers: string[];
  createdAt: number;
  updatedAt: number;
}

/** The OAuth 2.0 settings of an app client (hosted UI / managed login). */
export interface ClientOAuth {
  callbackUrls: string[];
  logoutUrls: string[];
  defaultRedirectUri?: string;
  /** `AllowedOAuthFlows`: `code`, `implicit`, `client_credentials`. */
  flows: string[];
  /** `AllowedOAuthScopes`. */
  scopes: string[];
  /** `AllowedOAuthFlowsUserPoolClient`: the OAuth endpoints serve this client at all. */
  enabled: boolean;
  /** `SupportedIdentityProviders`: `COGNITO` and provider names. */
  identityProviders: string[];
}

/** Token validity units. */
export type ValidityUnit = 'seconds' | 'minutes' | 'hours' | 'days';

/** An app client. */
export interface ClientRecord {
  poolId: string;
  clientId: string;
  clientName: string;
  clientSecret?: string;
  /** As given (or the default), echoed by DescribeUserPoolClient. */
  explicitAuthFlows: string[];
  /** Normalised `ALLOW_*` flows in force. */
  allowedFlows: Set<string>;
  accessTokenValidity: number;
  idTokenValidity: number;
  refreshTokenValidity: number;
  units: { AccessToken: ValidityUnit; IdToken: ValidityUnit; RefreshToken: ValidityUnit };
  accessTtlSeconds: number;
  idTtlSeconds: number;
  refreshTtlSeconds: number;
  enableTokenRevocation: boolean;
  preventUserExistenceErrors: 'ENABLED' | 'LEGACY';
  authSessionValidityMinutes: number;
  refreshTokenRotation?: { Feature: 'ENABLED' | 'DISABLED'; RetryGracePeriodSeconds?: number };
  oauth: ClientOAuth;
  /** Other CreateUserPoolClient members, stored and echoed as given (not modelled). */
  extra: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** A user's second factors. */
export interface UserMfa {
  totpSecret?: string;
  totpVerified: boolean;
  totpEnabled: boolean;
  smsEnabled: boolean;
  preferred?: MfaType;
  /** Secret handed out by AssociateSoftwareToken (access-token form), not yet verified. */
  pendingTotpSecret?: string;
  /** Recently accepted TOTP codes, refused again within their validity window. */
  usedTotpCodes: Array<{ code: string; at: number }>;
  /** `EmailMfaSettings.Enabled`: email MFA (an EMAIL_OTP challenge after the password). */
  emailEnabled?: boolean;
}

/** A pool's passkey settings (`WebAuthnConfiguration`). */
export interface WebAuthnPoolConfig {
  /** `RelyingPartyId`; when absent the pool's domain is the relying party. */
  relyingPartyId?: string;
  userVerification: 'required' | 'preferred';
  factorConfiguration: 'SINGLE_FACTOR' | 'MULTI_FACTOR_WITH_USER_VERIFICATION';
}

/** A passkey registered by CompleteWebAuthnRegistration. */
export interface PasskeyRecord {
  /** The credential id, base64url. */
  credentialId: string;
  /** The COSE public key from the attested credential data. */
  publicKey: Uint8Array;
  /** COSE algorithm of the key (-7 ES256, -257 RS256). */
  algorithm: number;
  /** The authenticator's signature counter as last seen (0: the authenticator keeps none). */
  counter: number;
  transports: string[];
  /** `platform` or `cross-platform`, when the browser said. */
  attachment?: string;
  friendlyName: string;
  relyingPartyId: string;
  createdAt: number;
}

/** A user. */
export interface UserRecord {
  /** Internal username (USER_ID_FOR_SRP, `cognito:username`). */
  username: string;
  sub: string;
  attributes: Map<string, string>;
  status: UserStatus;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
  /** When the current (possibly temporary) password was set. */
  passwordSetAt: number;
  password?: PasswordVerifier;
  groups: Set<string>;
  mfa: UserMfa;
  /** Registered passkeys, oldest first (absent: none). */
  passkeys?: PasskeyRecord[];
}

/** A group. */
export interface GroupRecord {
  name: string;
  description?: string;
  precedence?: number;
  roleArn?: string;
  createdAt: number;
  updatedAt: number;
}

/** A refresh token and the sign-in it belongs to. */
export interface RefreshRecord {
  token: string;
  poolId: string;
  clientId: string;
  username: string;
  originJti: string;
  authTime: number;
  expiresAt: number;
  revoked: boolean;
  deviceKey?: string;
  /** The OAuth scopes of a sign-in through the OAuth endpoints: refreshed tokens keep them. */
  scopes?: string[];
}

/** Server-side state behind a SECRET_BLOCK. */
export interface SrpChallengeRecord {
  secretBlock: string;
  poolId: string;
  clientId: string;
  /** Internal username, or the name as sent for a fake challenge. */
  username: string;
  /** A decoy for an unknown user (PreventUserExistenceErrors): always fails. */
  fake: boolean;
  /** The client's SRP_A. */
  A: bigint;
  ephemeral: ServerEphemeral;
  expiresAt: number;
  /** Within CUSTOM_AUTH (`CHALLENGE_NAME: SRP_A`): the rounds so far; DefineAuthChallenge decides after the proof. */
  custom?: CustomAuthRound[];
}

/** Server-side state behind a challenge `Session`. */
export interface SessionRecord {
  id: string;
  poolId: string;
  clientId: string;
  username: string;
  challenge: ChallengeName;
  expiresAt: number;
  /** Wrong MFA codes so far. */
  failures: number;
  smsCode?: string;
  /** MFA_SETUP: secret from AssociateSoftwareToken, and whether VerifySoftwareToken accepted it. */
  pendingTotpSecret?: string;
  totpVerified?: boolean;
  deviceKey?: string;
  /** CUSTOM_CHALLENGE: the rounds so far, what CreateAuthChallenge kept private, and whether the user exists. */
  custom?: { history: CustomAuthRound[]; privateParameters: Record<string, string>; metadata?: string; userNotFound: boolean };
  /** EMAIL_OTP / SMS_OTP (a sign-in code or an email MFA code): the code sent. */
  otpCode?: string;
  /** USER_AUTH (choice-based sign-in, operations/user-auth.ts): the first factor is still to be proven. */
  userAuth?: UserAuthSession;
}

/** What a USER_AUTH session knows before the first factor is proven. */
export interface UserAuthSession {
  /** `AvailableChallenges` offered (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN). */
  available: string[];
  /** A decoy for an unknown user (PreventUserExistenceErrors: ENABLED): never ends in tokens. */
  userNotFound: boolean;
}

/** A SignUp / ConfirmSignUp `Session`: lets the confirmed user sign in once with USER_AUTH, no second code. */
export interface SignUpSessionRecord {
  id: string;
  poolId: string;
  clientId: string;
  /** Internal username. */
  username: string;
  /** `SIGN_UP`: from SignUp, for ConfirmSignUp; `CONFIRMED`: from ConfirmSignUp, for InitiateAuth. */
  stage: 'SIGN_UP' | 'CONFIRMED';
  expiresAt: number;
}

/** One answered round of a CUSTOM_AUTH sign-in, as DefineAuthChallenge's `request.session` lists it. */
export interface CustomAuthRound {
  challengeName: 'CUSTOM_CHALLENGE' | 'SRP_A' | 'PASSWORD_VERIFIER';
  challengeResult: boolean;
  challengeMetadata?: string;
}

/**
 * One text message carrying a code, as `emulator.smsOutbox()` lists it (derived from the outbox).
 */
export interface SmsMessage {
  poolId: string;
  username: string;
  phoneNumber: string;
  code: string;
  at: number;
}

/** What a one-time code confirms. */
export type CodeKind = 'SIGN_UP' | 'FORGOT_PASSWORD' | 'VERIFY_EMAIL' | 'VERIFY_PHONE_NUMBER';

/** A one-time code a user was sent and has not used yet. */
export interface PendingCode {
  code: string;
  expiresAt: number;
  /** Wrong answers so far. */
  failures: number;
  /** The attribute the code went to (`email` / `phone_number`): it becomes verified. */
  attribute?: 'email' | 'phone_number';
  /** A new value kept aside until verified (`AttributesRequireVerificationBeforeUpdate`). */
  pendingValue?: string;
}

/** A checked `/oauth2/authorize` request, kept while the user signs in on the hosted pages. */
export interface AuthorizeRequest {
  poolId: string;
  clientId: string;
  redirectUri: string;
  responseType: 'code' | 'token';
  /** Granted: asked for (or all the client may have, when none were asked for) ∩ allowed. */
  scopes: string[];
  state?: string;
  nonce?: string;
  /** PKCE `code_challenge` (S256 only). */
  codeChallenge?: string;
}

/** A one-time authorization code (five minutes). */
export interface AuthCodeRecord {
  code: string;
  request: AuthorizeRequest;
  username: string;
  /** Seconds since the epoch of the sign-in behind it. */
  authTime: number;
  expiresAt: number;
  /** Set when exchanged: a second exchange is refused and revokes what the first one issued. */
  usedBy?: string;
}

/** The managed-login session of a browser (its cookie), one hour. */
export interface SsoSessionRecord {
  id: string;
  poolId: string;
  username: string;
  authTime: number;
  expiresAt: number;
}

/** A sign-in in progress on the hosted pages: the request, the form's CSRF token, the challenge reached. */
export interface HostedLoginRecord {
  id: string;
  request: AuthorizeRequest;
  csrf: string;
  expiresAt: number;
  challenge?: { name: ChallengeName; session: string; username: string; parameters: Record<string, string> };
}

/** A federated sign-in waiting for the identity provider to send the browser back (its `state`). */
export interface FederationRecord {
  state: string;
  request: AuthorizeRequest;
  provider: string;
  nonce: string;
  codeVerifier: string;
  expiresAt: number;
}

const SWEEP_EVERY = 256;

/** All state of one emulator. */
export class EmulatorStore {
  readonly pools = new Map<string, PoolRecord>();
  /** Every pool domain (prefix or custom), to the pool that has it: domains are unique across pools. */
  readonly domains = new Map<string, string>();
  readonly refreshTokens = new Map<string, RefreshRecord>();
  /** `origin_jti` values of sign-ins that were revoked (RevokeToken, GlobalSignOut). */
  readonly revokedOrigins = new Set<string>();
  readonly srpChallenges = new Map<string, SrpChallengeRecord>();
  readonly sessions = new Map<string, SessionRecord>();
  /** Every e-mail and text message the emulator "sent", oldest first. */
  readonly outbox: OutboxMessage[] = [];
  /** Told of each message as it is sent (`startEmulator({ onMessage })`; the CLI prints them). */
  onMessage: ((message: OutboxMessage) => void) | undefined = undefined;
  /** Outstanding one-time codes, by `<sub>/<CodeKind>`. */
  readonly codes = new Map<string, PendingCode>();
  /** When each user asked for codes of a kind (rate limit), by `<sub>/<CodeKind>`. */
  readonly codeRequests = new Map<string, number[]>();
  /** Wrong-password lockout state, by user `sub`. */
  readonly lockouts = new Map<string, LockoutState>();
  /** Authorization codes of the OAuth endpoints, by code. */
  readonly authCodes = new Map<string, AuthCodeRecord>();
  /** Managed-login sessions (the hosted UI's cookie), by id. */
  readonly ssoSessions = new Map<string, SsoSessionRecord>();
  /** Sign-ins in progress on the hosted pages, by id. */
  readonly hostedLogins = new Map<string, HostedLoginRecord>();
  /** Federated sign-ins waiting for their identity provider, by state. */
  readonly federations = new Map<string, FederationRecord>();
  /** SignUp / ConfirmSignUp sessions (USER_AUTH sign-in right after sign-up), by id. */
  readonly signUpSessions = new Map<string, SignUpSessionRecord>();
  private writes = 0;

  /**
   * The pool with this id.
   *
   * @throws WireError ResourceNotFoundException.
   */
  pool(poolId: string): PoolRecord {
    const pool = this.pools.get(poolId);
    if (!pool) throw resourceNotFound(`User pool ${poolId} does not exist.`);
    return pool;
  }

  /**
   * An app client and its pool by client id (data-plane calls name only the client).
   *
   * @throws WireError ResourceNotFoundException.
   */
  client(clientId: string, poolId?: string): { pool: PoolRecord; client: ClientRecord } {
    const pools = poolId === undefined ? this.pools.values() : [this.pool(poolId)];
    for (const pool of pools) {
      const client = pool.clients.get(clientId);
      if (client) return { pool, client };
    }
    throw resourceNotFound(`User pool client ${clientId} does not exist.`);
  }

  /** Stores an SRP challenge, dropping expired ones now and then. */
  putSrpChallenge(record: SrpChallengeRecord, now: number): void {
    this.srpChallenges.set(record.secretBlock, record);
    this.maybeSweep(now);
  }

  /** Counts a write towards the periodic sweep of expired records (codes, SSO sessions, hosted logins). */
  noteWrite(now: number): void {
    this.maybeSweep(now);
  }

  /** Stores a challenge session, dropping expired ones now and then. */
  putSession(record: SessionRecord, now: number): void {
    this.sessions.set(record.id, record);
    this.maybeSweep(now);
  }

  /**
   * The live session with this id, for this client.
   *
   * @throws WireError NotAuthorizedException when unknown, for another client, or expired.
   */
  session(id: string, clientId: string | undefined, now: number): SessionRecord {
    const record = this.sessions.get(id);
    if (!record || (clientId !== undefined && record.clientId !== clientId)) {
      throw new WireError('NotAuthorizedException', 'Invalid session for the user.');
    }
    if (now >= record.expiresAt) {
      this.sessions.delete(id);
      throw new WireError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    }
    return record;
  }

  private maybeSweep(now: number): void {
    if (++this.writes % SWEEP_EVERY !== 0) return;
    for (const [id, s] of this.sessions) if (now >= s.expiresAt) this.sessions.delete(id);
    for (const [id, s] of this.srpChallenges) if (now >= s.expiresAt) this.srpChallenges.delete(id);
    for (const [id, c] of this.authCodes) if (now >= c.expiresAt + 3600_000) this.authCodes.delete(id);
    for (const [id, s] of this.ssoSessions) if (now >= s.expiresAt) this.ssoSessions.delete(id);
    for (const [id, l] of this.hostedLogins) if (now >= l.expiresAt) this.hostedLogins.delete(id);
    for (const [id, f] of this.federations) if (now >= f.expiresAt) this.federations.delete(id);
    for (const [id, s] of this.signUpSessions) if (now >= s.expiresAt) this.signUpSessions.delete(id);
  }
}
