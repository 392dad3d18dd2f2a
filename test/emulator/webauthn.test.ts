/**
 * Passkeys through the AWS SDK: WebAuthnConfiguration on SetUserPoolMfaConfig / GetUserPoolMfaConfig,
 * StartWebAuthnRegistration's creation options, CompleteWebAuthnRegistration with a software
 * authenticator's credential, ListWebAuthnCredentials (pages), DeleteWebAuthnCredential, each
 * refusal by Cognito's exception name (never a 5xx), and passkeys kept across a restart with dataDir.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, CompleteWebAuthnRegistrationCommand,
  CreateUserPoolClientCommand, CreateUserPoolCommand, CreateUserPoolDomainCommand, DeleteWebAuthnCredentialCommand,
  GetUserCommand, GetUserPoolMfaConfigCommand, InitiateAuthCommand, ListWebAuthnCredentialsCommand, SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand, UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator } from '../../lib/emulator';
import { SoftAuthenticator, type CreationOptions, type RegistrationKnobs } from '../support/soft-authenticator';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { rejects, type SdkError } from './helpers';

const PASSWORD = 'Passw0rd!';
const ORIGIN = 'http://localhost:5173';
const PASSKEY_POLICY = { Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD' as const, 'WEB_AUTHN' as const] } } };

/** Expects Cognito error `name`, answered with a 4xx. */
async function refused(promise: Promise<unknown>, name: string, message?: string | RegExp): Promise<SdkError> {
  const error = await rejects(promise, name, message);
  const status = error.$metadata?.httpStatusCode ?? 0;
  assert.ok(status >= 400 && status < 500, `${name} came with HTTP ${status}`);
  return error;
}

describe('emulator: passkeys (WebAuthn) through the SDK', function () {
  this.timeout(30_000);
  let pool: TestPool;
  let otherClientId = '';

  const signIn = async (username: string, clientId = pool.clientId): Promise<string> => {
    const out = await pool.sdk.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD },
    }));
    return out.AuthenticationResult!.AccessToken!;
  };
  const start = async (token: string): Promise<CreationOptions> =>
    (await pool.sdk.send(new StartWebAuthnRegistrationCommand({ AccessToken: token })))
      .CredentialCreationOptions as unknown as CreationOptions;
  const complete = (token: string, credential: unknown) =>
    pool.sdk.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: credential as never }));
  const list = async (token: string, more: { MaxResults?: number; NextToken?: string } = {}) =>
    pool.sdk.send(new ListWebAuthnCredentialsCommand({ AccessToken: token, ...more }));
  const setWebAuthn = (config: Record<string, unknown>, poolId = pool.poolId) =>
    pool.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: config }));
  /** Start + register with a new authenticator; returns the credential response sent. */
  const register = async (token: string, knobs: RegistrationKnobs = {}, origin = ORIGIN) => {
    const options = await start(token);
    const { response } = new SoftAuthenticator().register(options, origin, knobs);
    await complete(token, response);
    return response;
  };

  before(async () => {
    pool = await startTestPool({ poolOptions: PASSKEY_POLICY });
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'many']) await pool.createUser(name, PASSWORD);
    const { UserPoolClient } = await pool.sdk.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.poolId, ClientName: 'other', ExplicitAuthFlows: TEST_AUTH_FLOWS as never,
    }));
    otherClientId = UserPoolClient!.ClientId!;
    await setWebAuthn({ RelyingPartyId: 'localhost' });
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  it('SetUserPoolMfaConfig stores WebAuthnConfiguration with defaults; GetUserPoolMfaConfig returns it', async () => {
    const set = await setWebAuthn({ RelyingPartyId: 'localhost', UserVerification: 'required', FactorConfiguration: 'MULTI_FACTOR_WITH_USER_VERIFICATION' });
    assert.deepEqual(set.WebAuthnConfiguration, {
      RelyingPartyId: 'localhost', UserVerification: 'required', FactorConfiguration: 'MULTI_FACTOR_WITH_USER_VERIFICATION',
    });
    assert.equal(set.MfaConfiguration, 'OFF');
    await setWebAuthn({ RelyingPartyId: 'localhost' });
    const got = await pool.sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.poolId }));
    assert.deepEqual(got.WebAuthnConfiguration, { RelyingPartyId: 'localhost', UserVerification: 'preferred', FactorConfiguration: 'SINGLE_FACTOR' });
    assert.deepEqual(got.SoftwareTokenMfaConfiguration, { Enabled: true });
  });

  it('refuses bad WebAuthnConfiguration values (InvalidParameterException) and the LITE tier (FeatureUnavailableInTierException)', async () => {
    await refused(setWebAuthn({ RelyingPartyId: 'a'.repeat(128) }), 'InvalidParameterException', /length less than or equal to 127/);
    await refused(setWebAuthn({ RelyingPartyId: '' }), 'InvalidParameterException', /greater than or equal to 1/);
    await refused(setWebAuthn({ RelyingPartyId: 'https://localhost' }), 'InvalidParameterException', /not a valid domain name/);
    await refused(setWebAuthn({ UserVerification: 'discouraged' }), 'InvalidParameterException', /enum value set: \[required, preferred\]/);
    await refused(setWebAuthn({ FactorConfiguration: 'BOTH' }), 'InvalidParameterException', /MULTI_FACTOR_WITH_USER_VERIFICATION/);
    const { UserPool } = await pool.sdk.send(new CreateUserPoolCommand({ PoolName: 'lite', UserPoolTier: 'LITE' }));
    await refused(setWebAuthn({ RelyingPartyId: 'localhost' }, UserPool!.Id), 'FeatureUnavailableInTierException');
    const got = await pool.sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: UserPool!.Id! }));
    assert.equal(got.WebAuthnConfiguration, undefined);
    assert.equal((await pool.sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.poolId }))).WebAuthnConfiguration?.RelyingPartyId, 'localhost');
  });

  it('StartWebAuthnRegistration returns PublicKeyCredentialCreationOptionsJSON with a fresh challenge', async () => {
    const token = await signIn('alice');
    const sub = (await pool.sdk.send(new GetUserCommand({ AccessToken: token }))).UserAttributes!.find((a) => a.Name === 'sub')!.Value!;
    const started = await pool.sdk.send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
    const options = started.CredentialCreationOptions as Record<string, unknown>;
    assert.match(options.challenge as string, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(options.rp, { id: 'localhost', name: 'test' });
    assert.deepEqual(options.user, { id: Buffer.from(sub).toString('base64url'), name: 'alice', displayName: 'alice' });
    assert.deepEqual(options.pubKeyCredParams, [{ alg: -7, type: 'public-key' }, { alg: -257, type: 'public-key' }]);
    assert.equal(options.timeout, 60_000);
    assert.deepEqual(options.excludeCredentials, []);
    assert.deepEqual(options.authenticatorSelection, { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' });
    assert.notEqual((await start(token)).challenge, options.challenge);
  });

  it('registers a passkey: listed with its details, excluded from the next registration, deleted by its owner only', async () => {
    const token = await signIn('bob');
    const before = Math.floor(Date.now() / 1000);
    const response = await register(token);
    const listed = await list(token);
    assert.equal(listed.NextToken, undefined);
    assert.equal(listed.Credentials!.length, 1);
    const [credential] = listed.Credentials!;
    assert.equal(credential.CredentialId, response.id);
    assert.equal(credential.FriendlyCredentialName, 'Passkey');
    assert.equal(credential.RelyingPartyId, 'localhost');
    assert.equal(credential.AuthenticatorAttachment, 'platform');
    assert.deepEqual(credential.AuthenticatorTransports, ['hybrid', 'internal']);
    assert.ok(credential.CreatedAt instanceof Date && credential.CreatedAt.getTime() / 1000 >= before - 1);
    assert.deepEqual((await start(token)).excludeCredentials, [{ type: 'public-key', id: response.id, transports: ['hybrid', 'internal'] }]);

    const carol = await signIn('carol');
    await refused(pool.sdk.send(new DeleteWebAuthnCredentialCommand({ AccessToken: carol, CredentialId: response.id as string })), 'ResourceNotFoundException');
    await refused(pool.sdk.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: 'bm90LWEta2V5' })), 'ResourceNotFoundException');
    await pool.sdk.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: response.id as string }));
    assert.deepEqual((await list(token)).Credentials, []);
  });

  it('ListWebAuthnCredentials pages with MaxResults and NextToken; MaxResults above 20 is refused', async () => {
    const token = await signIn('dave');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await register(token)).id);
    const first = await list(token, { MaxResults: 2 });
    assert.deepEqual(first.Credentials!.map((c) => c.CredentialId), ids.slice(0, 2));
    assert.ok(first.NextToken);
    const second = await list(token, { MaxResults: 2, NextToken: first.NextToken });
    assert.deepEqual(second.Credentials!.map((c) => c.CredentialId), ids.slice(2));
    assert.equal(second.NextToken, undefined);
    await refused(list(token, { MaxResults: 21 }), 'InvalidParameterException');
    await refused(list(await signIn('erin'), { NextToken: first.NextToken }), 'InvalidParameterException', /Paging marker/);
  });

  it('refuses a completion without a live challenge, a spent one, an expired one, and one answering another challenge', async () => {
    const token = await signIn('carol');
    const authenticator = new SoftAuthenticator();
    const stale = authenticator.register(await start(token), ORIGIN).response;
    await complete(token, stale);
    await refused(complete(token, stale), 'WebAuthnChallengeNotFoundException');
    const options = await start(token);
    await refused(complete(token, authenticator.register(options, ORIGIN, { challenge: 'b3RoZXItY2hhbGxlbmdl' }).response), 'WebAuthnChallengeNotFoundException');
    // The failed attempt spent the challenge.
    await refused(complete(token, authenticator.register(options, ORIGIN).response), 'WebAuthnChallengeNotFoundException');
    const later = await start(token);
    pool.emulator.clock.advance(5 * 60_000 + 1);
    await refused(complete(await signIn('carol'), authenticator.register(later, ORIGIN).response), 'WebAuthnChallengeNotFoundException');
  });

  it('refuses another origin, another relying party, another client, an unsupported algorithm, a duplicate and a malformed credential', async () => {
    const token = await signIn('erin');
    const authenticator = new SoftAuthenticator();
    for (const origin of ['https://evil.example', 'http://localhost.evil.example:5173', 'http://localhost:5173/path', 'null']) {
      await refused(complete(token, authenticator.register(await start(token), origin).response), 'WebAuthnOriginNotAllowedException');
    }
    await refused(complete(token, authenticator.register(await start(token), ORIGIN, { rpId: 'example.com' }).response), 'WebAuthnRelyingPartyMismatchException');
    const options = await start(token);
    await refused(complete(await signIn('erin', otherClientId), authenticator.register(options, ORIGIN).response), 'WebAuthnClientMismatchException');
    // The mismatch did not spend the challenge: the client that opened it still completes.
    const kept = authenticator.register(options, ORIGIN).response;
    await complete(token, kept);
    await refused(complete(token, authenticator.register(await start(token), ORIGIN, { algorithm: 'EdDSA' }).response), 'WebAuthnCredentialNotSupportedException');
    const again = authenticator.register(await start(token), ORIGIN, { credentialId: kept.id as string }).response;
    await refused(complete(token, again), 'InvalidParameterException', /already registered/);
    const broken = authenticator.register(await start(token), ORIGIN).response;
    (broken.response as Record<string, unknown>).attestationObject = 'AAAA';
    await refused(complete(token, broken), 'InvalidParameterException');
    await refused(complete(token, 'not a credential'), 'InvalidParameterException');
    await refused(pool.sdk.send(new StartWebAuthnRegistrationCommand({ AccessToken: 'not.a.token' })), 'NotAuthorizedException');
    assert.equal((await list(token)).Credentials!.length, 1);
  });

  it('with UserVerification required, refuses a credential made without user verification', async () => {
    await setWebAuthn({ RelyingPartyId: 'localhost', UserVerification: 'required' });
    try {
      const token = await signIn('alice');
      const options = await start(token);
      assert.equal((options as unknown as { authenticatorSelection: { userVerification: string } }).authenticatorSelection.userVerification, 'required');
      await refused(complete(token, new SoftAuthenticator().register(options, ORIGIN, { userVerified: false }).response), 'WebAuthnCredentialNotSupportedException');
      await register(token);
    } finally {
      await setWebAuthn({ RelyingPartyId: 'localhost' });
    }
  });

  it('allows 20 passkeys per user: the 21st is LimitExceededException', async () => {
    const token = await signIn('many');
    for (let i = 0; i < 20; i++) await register(token);
    assert.equal((await list(token)).Credentials!.length, 20);
    await refused(start(token), 'LimitExceededException');
  });

  it('a pool whose sign-in policy does not allow WEB_AUTHN answers WebAuthnNotEnabledException', async () => {
    const { UserPool } = await pool.sdk.send(new CreateUserPoolCommand({ PoolName: 'password-only' }));
    const poolId = UserPool!.Id!;
    await setWebAuthn({ RelyingPartyId: 'localhost' }, poolId);
    const { UserPoolClient } = await pool.sdk.send(new CreateUserPoolClientCommand({
      UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: TEST_AUTH_FLOWS as never,
    }));
    await pool.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'pat', TemporaryPassword: PASSWORD, MessageAction: 'SUPPRESS' }));
    await pool.sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'pat', Password: PASSWORD, Permanent: true }));
    const token = await signIn('pat', UserPoolClient!.ClientId);
    await refused(start(token), 'WebAuthnNotEnabledException');
    await refused(complete(token, { id: 'x', response: {} }), 'WebAuthnNotEnabledException');
    assert.deepEqual((await list(token)).Credentials, []);
  });

  it('without an RP ID the pool domain is the relying party; with neither it is WebAuthnConfigurationMissingException; LITE: WebAuthnNotEnabledException', async () => {
    const { UserPool } = await pool.sdk.send(new CreateUserPoolCommand({ PoolName: 'bare', ...PASSKEY_POLICY }));
    const poolId = UserPool!.Id!;
    const { UserPoolClient } = await pool.sdk.send(new CreateUserPoolClientCommand({
      UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: TEST_AUTH_FLOWS as never,
    }));
    await pool.sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'zed', TemporaryPassword: PASSWORD, MessageAction: 'SUPPRESS' }));
    await pool.sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'zed', Password: PASSWORD, Permanent: true }));
    const token = await signIn('zed', UserPoolClient!.ClientId);
    await refused(start(token), 'WebAuthnConfigurationMissingException');
    await pool.sdk.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: 'bare-passkeys' }));
    const options = await start(token);
    assert.deepEqual(options.rp, { id: 'bare-passkeys.auth.us-east-1.amazoncognito.com', name: 'bare' });
    const atDomain = new SoftAuthenticator().register(options, 'https://bare-passkeys.auth.us-east-1.amazoncognito.com').response;
    await complete(token, atDomain);
    await pool.sdk.send(new UpdateUserPoolCommand({ UserPoolId: poolId, UserPoolTier: 'LITE' }));
    await refused(start(token), 'WebAuthnNotEnabledException');
    await refused(complete(token, atDomain), 'WebAuthnNotEnabledException');
  });
});

describe('emulator: passkeys kept in the data folder', function () {
  this.timeout(30_000);
  let dir = '';
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'webauthn-data-')); });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('a restart keeps the WebAuthnConfiguration and the registered passkeys', async () => {
    const sdkFor = (endpoint: string) =>
      new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    let emulator = await startEmulator({ dataDir: dir });
    let sdk = sdkFor(emulator.endpoint);
    let token = '';
    let poolId = '';
    let credentialId = '';
    let clientId = '';
    try {
      poolId = (await sdk.send(new CreateUserPoolCommand({ PoolName: 'kept', ...PASSKEY_POLICY }))).UserPool!.Id!;
      clientId = (await sdk.send(new CreateUserPoolClientCommand({
        UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: TEST_AUTH_FLOWS as never,
      }))).UserPoolClient!.ClientId!;
      await sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' } }));
      await sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'kim', TemporaryPassword: PASSWORD, MessageAction: 'SUPPRESS' }));
      await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'kim', Password: PASSWORD, Permanent: true }));
      token = (await sdk.send(new InitiateAuthCommand({
        ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'kim', PASSWORD },
      }))).AuthenticationResult!.AccessToken!;
      const started = await sdk.send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
      const options = started.CredentialCreationOptions as unknown as CreationOptions;
      const { response } = new SoftAuthenticator().register(options, ORIGIN);
      credentialId = response.id as string;
      await sdk.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: response as never }));
    } finally {
      sdk.destroy();
      await emulator.stop();
    }
    emulator = await startEmulator({ dataDir: dir });
    sdk = sdkFor(emulator.endpoint);
    try {
      assert.equal(emulator.restored, true);
      const got = await sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
      assert.deepEqual(got.WebAuthnConfiguration, { RelyingPartyId: 'localhost', UserVerification: 'required', FactorConfiguration: 'SINGLE_FACTOR' });
      // A new port means a new issuer, so the old access token is not accepted: sign in again.
      token = (await sdk.send(new InitiateAuthCommand({
        ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'kim', PASSWORD },
      }))).AuthenticationResult!.AccessToken!;
      const listed = await sdk.send(new ListWebAuthnCredentialsCommand({ AccessToken: token }));
      assert.deepEqual(listed.Credentials!.map((c) => [c.CredentialId, c.RelyingPartyId]), [[credentialId, 'localhost']]);
    } finally {
      sdk.destroy();
      await emulator.stop();
    }
  });
});
