/**
 * Passkey sign-in through USER_AUTH, by the AWS SDK: a passkey registered with the software
 * authenticator (StartWebAuthnRegistration / CompleteWebAuthnRegistration) signs in with
 * PREFERRED_CHALLENGE WEB_AUTHN and through SELECT_CHALLENGE; AvailableChallenges and
 * GetUserAuthFactors follow the passkeys; FactorConfiguration against a pool with MFA ON; each
 * refusal by Cognito's exception name (never a 5xx); a passkey kept across a restart with dataDir;
 * and two corpora — broken passkey assertions and wrong one-time codes — every one refused, with
 * the counts docs/security.md quotes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand, AdminSetUserMFAPreferenceCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient,
  CompleteWebAuthnRegistrationCommand, CreateUserPoolClientCommand, CreateUserPoolCommand, DeleteWebAuthnCredentialCommand,
  GetUserAuthFactorsCommand, InitiateAuthCommand, RespondToAuthChallengeCommand, SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand, type ExplicitAuthFlowsType, type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator, type EmulatorTriggers } from '../../lib/emulator';
import { SoftAuthenticator, type AssertionKnobs, type CreationOptions, type RequestOptions } from '../support/soft-authenticator';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { claimsOf, rejects, type SdkError } from './helpers';

const PASSWORD = 'Corr3ct-horse!';
const ORIGIN = 'http://localhost:5173';
const FLOWS = [...TEST_AUTH_FLOWS, 'ALLOW_USER_AUTH'] as ExplicitAuthFlowsType[];
const FACTORS = ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN'] as const;
const REFUSED = 'Incorrect username or password.';

/** Expects Cognito error `name`, answered with a 4xx. */
async function refused(promise: Promise<unknown>, name: string, message?: string | RegExp): Promise<SdkError> {
  const error = await rejects(promise, name, message);
  const status = error.$metadata?.httpStatusCode ?? 0;
  assert.ok(status >= 400 && status < 500, `${name} came with HTTP ${status}`);
  return error;
}

type Json = Record<string, unknown>;
const clone = (value: Json): Json => JSON.parse(JSON.stringify(value)) as Json;
const responseOf = (assertion: Json): Json => assertion.response as Json;

/** The base64url field `field` of `response` with bit `bit` of byte `index` flipped. */
function flipped(assertion: Json, field: string, index: number, bit = 0): Json {
  const out = clone(assertion);
  const bytes = Buffer.from(responseOf(out)[field] as string, 'base64url');
  bytes[index % bytes.length] ^= 1 << bit;
  responseOf(out)[field] = bytes.toString('base64url');
  return out;
}

describe('emulator: passkey sign-in through USER_AUTH', function () {
  this.timeout(60_000);
  let pool: TestPool;
  let legacyClientId = '';
  const calls: string[] = [];
  const authenticators = new Map<string, SoftAuthenticator>();

  const triggers: EmulatorTriggers = {
    PreAuthentication: (event) => { calls.push('PreAuthentication'); return event; },
    PostAuthentication: (event) => { calls.push('PostAuthentication'); return event; },
    PreTokenGeneration: (event) => { calls.push('PreTokenGeneration'); return event; },
  };

  const start = (username: string, params: Record<string, string> = {}, clientId = pool.clientId): Promise<InitiateAuthCommandOutput> =>
    pool.sdk.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: username, ...params } }));
  const answer = (name: string, session: string | undefined, responses: Record<string, string>, clientId = pool.clientId) =>
    pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: name as never, Session: session, ChallengeResponses: responses,
    }));
  const accessToken = async (username: string): Promise<string> => {
    const out = await pool.sdk.send(new InitiateAuthCommand({
      ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD },
    }));
    return out.AuthenticationResult!.AccessToken!;
  };
  const registerPasskey = async (username: string): Promise<string> => {
    const token = await accessToken(username);
    const started = await pool.sdk.send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
    const authenticator = authenticators.get(username) ?? new SoftAuthenticator();
    authenticators.set(username, authenticator);
    const { response } = authenticator.register(started.CredentialCreationOptions as unknown as CreationOptions, ORIGIN);
    await pool.sdk.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: response as never }));
    return response.id as string;
  };
  const factorsOf = async (username: string) =>
    (await pool.sdk.send(new GetUserAuthFactorsCommand({ AccessToken: await accessToken(username) }))).ConfiguredUserAuthFactors;
  const setWebAuthn = (config: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    pool.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.poolId, WebAuthnConfiguration: config, ...extra }));
  /** InitiateAuth with PREFERRED_CHALLENGE WEB_AUTHN: the session and the parsed request options. */
  const passkeyChallenge = async (username: string, clientId = pool.clientId) => {
    const out = await start(username, { PREFERRED_CHALLENGE: 'WEB_AUTHN' }, clientId);
    assert.equal(out.ChallengeName, 'WEB_AUTHN');
    const text = out.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS;
    assert.equal(typeof text, 'string');
    return { session: out.Session!, options: JSON.parse(text) as RequestOptions & Json };
  };
  const sign = (username: string, options: RequestOptions, knobs: AssertionKnobs = {}, origin = ORIGIN, signer = username): Json =>
    authenticators.get(signer)!.assert(options, origin, knobs);
  const respondWith = (username: string, session: string, credential: Json | string) =>
    answer('WEB_AUTHN', session, { USERNAME: username, CREDENTIAL: typeof credential === 'string' ? credential : JSON.stringify(credential) });
  /** A whole passkey sign-in; `knobs` break the assertion. */
  const passkeySignIn = async (username: string, knobs: AssertionKnobs = {}, origin = ORIGIN, signer = username) => {
    const { session, options } = await passkeyChallenge(username);
    return respondWith(username, session, sign(username, options, knobs, origin, signer));
  };

  before(async () => {
    pool = await startTestPool({
      mfa: 'OPTIONAL',
      explicitAuthFlows: FLOWS,
      clientOptions: { PreventUserExistenceErrors: 'ENABLED' },
      poolOptions: { Policies: { SignInPolicy: { AllowedFirstAuthFactors: [...FACTORS] } } },
      emulatorOptions: { triggers },
    });
    await setWebAuthn({ RelyingPartyId: 'localhost' });
    const legacy = await pool.sdk.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.poolId, ClientName: 'legacy', ExplicitAuthFlows: FLOWS, PreventUserExistenceErrors: 'LEGACY',
    }));
    legacyClientId = legacy.UserPoolClient!.ClientId!;
    await pool.createUser('ann', PASSWORD, {
      attributes: { email: 'ann@example.com', email_verified: 'true', phone_number: '+15550100001', phone_number_verified: 'true' },
    });
    for (const name of ['ben', 'cy', 'dee', 'eve']) await pool.createUser(name, PASSWORD);
    await pool.createUser('otto', PASSWORD, {
      attributes: { email: 'otto@example.com', email_verified: 'true', phone_number: '+15550100002', phone_number_verified: 'true' },
    });
    for (const name of ['ann', 'ben', 'dee', 'eve']) await registerPasskey(name);
  });
  after(() => pool.stop());
  afterEach(() => pool.emulator.clock.reset());

  describe('signing in with a passkey', () => {
    it('PREFERRED_CHALLENGE WEB_AUTHN: CREDENTIAL_REQUEST_OPTIONS (JSON text), then RespondToAuthChallenge WEB_AUTHN → tokens', async () => {
      calls.length = 0;
      const { session, options } = await passkeyChallenge('ben');
      assert.deepEqual(Object.keys(options).sort(), ['allowCredentials', 'challenge', 'rpId', 'timeout', 'userVerification']);
      assert.equal(options.rpId, 'localhost');
      assert.equal(options.userVerification, 'preferred');
      assert.deepEqual(options.allowCredentials!.map((c) => c.id), [...authenticators.get('ben')!.credentials.keys()]);
      const done = await respondWith('ben', session, sign('ben', options));
      assert.equal(done.ChallengeName, undefined);
      assert.ok(done.AuthenticationResult?.RefreshToken);
      assert.equal(claimsOf(done.AuthenticationResult.AccessToken!)['username'], 'ben');
      assert.deepEqual(calls, ['PreAuthentication', 'PostAuthentication', 'PreTokenGeneration']);
    });

    it('SELECT_CHALLENGE lists WEB_AUTHN; ANSWER WEB_AUTHN raises the challenge; its answer signs in', async () => {
      const choice = await start('ann');
      assert.equal(choice.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(choice.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN']);
      const challenge = await answer('SELECT_CHALLENGE', choice.Session, { USERNAME: 'ann', ANSWER: 'WEB_AUTHN' });
      assert.equal(challenge.ChallengeName, 'WEB_AUTHN');
      const options = JSON.parse(challenge.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS) as RequestOptions;
      const done = await respondWith('ann', challenge.Session!, sign('ann', options));
      assert.ok(done.AuthenticationResult?.IdToken);
    });

    it('no MFA follows a passkey: SMS MFA follows ann\'s password, not her passkey', async () => {
      await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.poolId, Username: 'ann', SMSMfaSettings: { Enabled: true } }));
      try {
        const withPassword = await start('ann', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
        assert.equal(withPassword.ChallengeName, 'SMS_MFA');
        assert.ok((await passkeySignIn('ann')).AuthenticationResult?.AccessToken);
      } finally {
        await pool.sdk.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.poolId, Username: 'ann', SMSMfaSettings: { Enabled: false } }));
      }
    });

    it('the one-step SELECT_CHALLENGE answer with a CREDENTIAL is refused: that session gave nothing to sign', async () => {
      // Options from a WEB_AUTHN session, signed, then offered on a SELECT_CHALLENGE session.
      const elsewhere = await passkeyChallenge('ann');
      const choice = await start('ann');
      const credential = JSON.stringify(sign('ann', elsewhere.options));
      await refused(answer('SELECT_CHALLENGE', choice.Session, { USERNAME: 'ann', ANSWER: 'WEB_AUTHN', CREDENTIAL: credential }), 'NotAuthorizedException', REFUSED);
      // The SELECT_CHALLENGE session is spent.
      await refused(answer('SELECT_CHALLENGE', choice.Session, { USERNAME: 'ann', ANSWER: 'WEB_AUTHN' }), 'NotAuthorizedException', /Invalid session/);
      // The WEB_AUTHN session it was signed for still works with a fresh assertion.
      assert.ok((await respondWith('ann', elsewhere.session, sign('ann', elsewhere.options))).AuthenticationResult);
    });

    it('AvailableChallenges and GetUserAuthFactors list WEB_AUTHN only for a user with a passkey, and drop it after DeleteWebAuthnCredential', async () => {
      assert.deepEqual((await start('cy')).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      assert.deepEqual(await factorsOf('cy'), ['PASSWORD']);
      // A preference the user cannot present falls back to the choice.
      assert.equal((await start('cy', { PREFERRED_CHALLENGE: 'WEB_AUTHN' })).ChallengeName, 'SELECT_CHALLENGE');
      const id = await registerPasskey('cy');
      assert.deepEqual((await start('cy')).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN']);
      assert.deepEqual(await factorsOf('cy'), ['PASSWORD', 'WEB_AUTHN']);
      assert.ok((await passkeySignIn('cy')).AuthenticationResult);
      await pool.sdk.send(new DeleteWebAuthnCredentialCommand({ AccessToken: await accessToken('cy'), CredentialId: id }));
      assert.deepEqual((await start('cy')).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      assert.deepEqual(await factorsOf('cy'), ['PASSWORD']);
      assert.equal((await start('cy', { PREFERRED_CHALLENGE: 'WEB_AUTHN' })).ChallengeName, 'SELECT_CHALLENGE');
    });

    it('a passkey deleted while the challenge was out is refused', async () => {
      const id = await registerPasskey('cy');
      const { session, options } = await passkeyChallenge('cy');
      await pool.sdk.send(new DeleteWebAuthnCredentialCommand({ AccessToken: await accessToken('cy'), CredentialId: id }));
      await refused(respondWith('cy', session, sign('cy', options)), 'NotAuthorizedException', REFUSED);
    });
  });

  describe('refusals', () => {
    it('wrong origin, wrong RP ID: NotAuthorizedException', async () => {
      for (const origin of ['https://evil.example', 'http://127.0.0.1:5173', 'https://localhost.evil.example']) {
        await refused(passkeySignIn('ben', {}, origin), 'NotAuthorizedException', REFUSED);
      }
      await refused(passkeySignIn('ben', { rpId: 'evil.example' }), 'NotAuthorizedException', REFUSED);
    });

    it('an expired challenge (the emulator clock past AuthSessionValidity): NotAuthorizedException', async () => {
      const { session, options } = await passkeyChallenge('ben');
      pool.emulator.clock.advance(3 * 60_000 + 1);
      await refused(respondWith('ben', session, sign('ben', options)), 'NotAuthorizedException', /expired/);
    });

    it('a reused challenge, a replayed assertion, and a failed answer spend the session', async () => {
      const first = await passkeyChallenge('ben');
      const assertion = sign('ben', first.options);
      assert.ok((await respondWith('ben', first.session, assertion)).AuthenticationResult);
      // The same session again, and the same assertion on a new session (another challenge).
      await refused(respondWith('ben', first.session, sign('ben', first.options)), 'NotAuthorizedException', /Invalid session/);
      const second = await passkeyChallenge('ben');
      await refused(respondWith('ben', second.session, assertion), 'NotAuthorizedException', REFUSED);
      // That failure spent the second session: a good assertion on it is too late.
      await refused(respondWith('ben', second.session, sign('ben', second.options)), 'NotAuthorizedException', /Invalid session/);
    });

    it('another user\'s credential, and another user\'s session: NotAuthorizedException', async () => {
      const { session, options } = await passkeyChallenge('ann');
      await refused(respondWith('ann', session, sign('ann', { ...options, allowCredentials: [] }, {}, ORIGIN, 'ben')), 'NotAuthorizedException', REFUSED);
      const bens = await passkeyChallenge('ben');
      await refused(respondWith('ann', bens.session, sign('ann', { ...bens.options, allowCredentials: [] })), 'NotAuthorizedException', /Invalid session for the user/);
    });

    it('a signature counter that goes backwards (or stays): NotAuthorizedException; the stored counter is kept', async () => {
      assert.ok((await passkeySignIn('dee', { counter: 50 })).AuthenticationResult);
      for (const counter of [49, 50, 0]) await refused(passkeySignIn('dee', { counter }), 'NotAuthorizedException', REFUSED);
      assert.ok((await passkeySignIn('dee', { counter: 51 })).AuthenticationResult);
    });

    it('UV missing when UserVerification is required: NotAuthorizedException', async () => {
      await setWebAuthn({ RelyingPartyId: 'localhost', UserVerification: 'required' });
      try {
        const { session, options } = await passkeyChallenge('ben');
        assert.equal(options.userVerification, 'required');
        await refused(respondWith('ben', session, sign('ben', options, { userVerified: false })), 'NotAuthorizedException', REFUSED);
        assert.ok((await passkeySignIn('ben')).AuthenticationResult);
      } finally {
        await setWebAuthn({ RelyingPartyId: 'localhost' });
      }
    });

    it('a decoy for an unknown user: WEB_AUTHN offered, plausible options, always NotAuthorizedException; LEGACY: UserNotFoundException', async () => {
      assert.deepEqual((await start('ghost')).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN']);
      const { session, options } = await passkeyChallenge('ghost');
      assert.equal(options.allowCredentials!.length, 1);
      assert.deepEqual((await passkeyChallenge('ghost')).options.allowCredentials, options.allowCredentials);
      const anns = sign('ann', { ...options, allowCredentials: [] });
      await refused(respondWith('ghost', session, anns), 'NotAuthorizedException', REFUSED);
      // Through SELECT_CHALLENGE too.
      const choice = await start('ghost');
      const challenge = await answer('SELECT_CHALLENGE', choice.Session, { USERNAME: 'ghost', ANSWER: 'WEB_AUTHN' });
      assert.equal(challenge.ChallengeName, 'WEB_AUTHN');
      const decoyOptions = JSON.parse(challenge.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS) as RequestOptions;
      await refused(respondWith('ghost', challenge.Session!, sign('ann', { ...decoyOptions, allowCredentials: [] })), 'NotAuthorizedException', REFUSED);
      await refused(start('ghost', { PREFERRED_CHALLENGE: 'WEB_AUTHN' }, legacyClientId), 'UserNotFoundException');
    });

    it('a WEB_AUTHN session answered without CREDENTIAL or under another name: InvalidParameterException, session kept', async () => {
      const { session, options } = await passkeyChallenge('ben');
      await refused(answer('WEB_AUTHN', session, { USERNAME: 'ben' }), 'InvalidParameterException', /CREDENTIAL/);
      await refused(answer('SELECT_CHALLENGE', session, { USERNAME: 'ben', ANSWER: 'WEB_AUTHN' }), 'InvalidParameterException');
      assert.ok((await respondWith('ben', session, sign('ben', options))).AuthenticationResult);
    });
  });

  describe('FactorConfiguration in a pool with MFA ON', () => {
    const mfaOn = (factor: string) => setWebAuthn(
      { RelyingPartyId: 'localhost', FactorConfiguration: factor },
      { MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } },
    );
    afterEach(() => setWebAuthn({ RelyingPartyId: 'localhost' }, { MfaConfiguration: 'OPTIONAL' }));

    it('SINGLE_FACTOR: a passkey is one factor, so WEB_AUTHN is not offered (not to decoys either)', async () => {
      await mfaOn('SINGLE_FACTOR');
      assert.deepEqual((await start('ben')).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      assert.equal((await start('ben', { PREFERRED_CHALLENGE: 'WEB_AUTHN' })).ChallengeName, 'SELECT_CHALLENGE');
      assert.ok(!(await start('ghost')).AvailableChallenges!.includes('WEB_AUTHN'));
      // GetUserAuthFactors: WEB_AUTHN is not available to ben (needs a token: MFA ON makes the password sign-in an MFA_SETUP).
      assert.equal((await start('ben', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD })).ChallengeName, 'MFA_SETUP');
    });

    it('MULTI_FACTOR_WITH_USER_VERIFICATION: user verification is required and the passkey satisfies MFA', async () => {
      await mfaOn('MULTI_FACTOR_WITH_USER_VERIFICATION');
      assert.ok((await start('ben')).AvailableChallenges!.includes('WEB_AUTHN'));
      assert.equal((await start('ben', { PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD })).ChallengeName, 'MFA_SETUP');
      const { session, options } = await passkeyChallenge('ben');
      assert.equal(options.userVerification, 'required');
      await refused(respondWith('ben', session, sign('ben', options, { userVerified: false })), 'NotAuthorizedException', REFUSED);
      const done = await passkeySignIn('ben');
      assert.equal(done.ChallengeName, undefined);
      assert.ok(done.AuthenticationResult?.AccessToken);
    });

    it('a challenge opened before MFA turned ON with SINGLE_FACTOR is refused when answered after', async () => {
      const { session, options } = await passkeyChallenge('ben');
      await mfaOn('SINGLE_FACTOR');
      await refused(respondWith('ben', session, sign('ben', options)), 'NotAuthorizedException', REFUSED);
    });
  });

  describe('corpora (counts quoted in docs/security.md)', () => {
    it('passkey assertion corpus: every broken assertion refused, none accepted', async () => {
      await setWebAuthn({ RelyingPartyId: 'localhost', UserVerification: 'required' });
      try {
        assert.ok((await passkeySignIn('eve', { counter: 1000 })).AuthenticationResult, 'a good assertion signs in');
        const bensId = [...authenticators.get('ben')!.credentials.keys()][0];
        const bensHandle = [...authenticators.get('ben')!.credentials.values()][0].userHandle;
        type Case = [label: string, build: (options: RequestOptions) => Json | string, exception?: string];
        const good = (options: RequestOptions, knobs: AssertionKnobs = {}, origin = ORIGIN) => sign('eve', options, knobs, origin);
        const edit = (fn: (a: Json) => void) => (options: RequestOptions): Json => {
          const a = good(options);
          fn(a);
          return a;
        };
        const cases: Case[] = [
          // Each knob of the soft authenticator.
          ['RP ID of another site', (o) => good(o, { rpId: 'evil.example' })],
          ['RP ID of a subdomain', (o) => good(o, { rpId: 'app.localhost' })],
          ['another challenge', (o) => good(o, { challenge: 'c29tZS1vdGhlci1jaGFsbGVuZ2U' })],
          ['an empty challenge', (o) => good(o, { challenge: '' })],
          ['ceremony type webauthn.create', (o) => good(o, { type: 'webauthn.create' })],
          ['ceremony type payment.get', (o) => good(o, { type: 'payment.get' })],
          ['user not present', (o) => good(o, { userPresent: false })],
          ['user not verified (UV required)', (o) => good(o, { userVerified: false })],
          ['counter lower', (o) => good(o, { counter: 999 })],
          ['counter equal', (o) => good(o, { counter: 1000 })],
          ['counter zero after non-zero', (o) => good(o, { counter: 0 })],
          ['bad signature', (o) => good(o, { badSignature: true })],
          ['another user\'s user handle', (o) => good(o, { userHandle: bensHandle })],
          ['another user\'s credential', (o) => sign('eve', { ...o, allowCredentials: [] }, {}, ORIGIN, 'ben')],
          // Origins a browser would never use for RP ID localhost.
          ...['https://evil.example', 'http://127.0.0.1:5173', 'http://[::1]:5173', 'https://localhost.evil.example', 'http://localhost:5173/login',
            'http://evil-localhost:5173', 'null', 'file://', 'chrome-extension://abcdef', 'ws://localhost:5173', 'http://localhost.:5173']
            .map((origin): Case => [`origin ${origin}`, (o) => good(o, {}, origin)]),
          // Every required field removed, or of the wrong type.
          ...['id', 'rawId', 'type', 'response'].flatMap((field): Case[] => [
            [`${field} removed`, edit((a) => { delete a[field]; })],
            [`${field} a number`, edit((a) => { a[field] = 7; })],
            [`${field} null`, edit((a) => { a[field] = null; })],
          ]),
          ...['authenticatorData', 'clientDataJSON', 'signature'].flatMap((field): Case[] => [
            [`response.${field} removed`, edit((a) => { delete responseOf(a)[field]; })],
            [`response.${field} empty`, edit((a) => { responseOf(a)[field] = ''; })],
            [`response.${field} not base64url`, edit((a) => { responseOf(a)[field] = '***'; })],
            [`response.${field} an object`, edit((a) => { responseOf(a)[field] = {}; })],
          ]),
          // Fields swapped or replaced.
          ['authenticatorData and clientDataJSON swapped', edit((a) => {
            const r = responseOf(a);
            [r.authenticatorData, r.clientDataJSON] = [r.clientDataJSON, r.authenticatorData];
          })],
          ['signature and authenticatorData swapped', edit((a) => {
            const r = responseOf(a);
            [r.signature, r.authenticatorData] = [r.authenticatorData, r.signature];
          })],
          ['id and rawId of another user\'s credential', edit((a) => { a.id = bensId; a.rawId = bensId; })],
          ['rawId differs from id', edit((a) => { a.rawId = bensId; })],
          ['type password', edit((a) => { a.type = 'password'; })],
          ['authenticatorData truncated to 36 bytes', edit((a) => {
            responseOf(a).authenticatorData = Buffer.from(responseOf(a).authenticatorData as string, 'base64url').subarray(0, 36).toString('base64url');
          })],
          ['signature of another assertion', (o) => {
            const a = good(o);
            responseOf(a).signature = responseOf(good({ ...o, challenge: 'b3RoZXI' })).signature;
            return a;
          }],
          // Not an AuthenticationResponseJSON at all.
          ['not JSON', () => '{"id":'],
          ['a JSON array', () => '[]'],
          ['JSON null', () => 'null'],
          ['a JSON number', () => '42'],
          ['a JSON string', (o) => JSON.stringify(JSON.stringify(good(o)))],
          ['an empty object', () => '{}'],
          ['an empty CREDENTIAL', () => '', 'InvalidParameterException'],
        ];
        // Bit flips, after signing: the first 64 bytes of the DER signature (70-72 bytes long), each byte of the
        // authenticator data (37), every third byte of the client data (fixed length: the challenge is always 43 characters).
        const clientDataLength = Buffer.from(responseOf(good({ challenge: 'A'.repeat(43) })).clientDataJSON as string, 'base64url').length;
        const flips: Array<[string, number, number]> = [['signature', 64, 1], ['authenticatorData', 37, 1], ['clientDataJSON', clientDataLength, 3]];
        for (const [field, length, step] of flips) {
          for (let i = 0; i < length; i += step) cases.push([`${field} byte ${i} bit-flipped`, (o) => flipped(good(o), field, i, i % 8)]);
        }
        let refusedCount = 0;
        for (const [label, build, exception = 'NotAuthorizedException'] of cases) {
          const { session, options } = await passkeyChallenge('eve');
          const error = await rejects(respondWith('eve', session, build(options)), exception).catch((e: Error) => {
            throw new Error(`${label}: ${e.message}`);
          });
          const status = error.$metadata?.httpStatusCode ?? 0;
          assert.ok(status >= 400 && status < 500, `${label}: HTTP ${status}`);
          refusedCount += 1;
        }
        assert.equal(refusedCount, cases.length);
        // The same setup still accepts a good assertion: the refusals were the breakage, not the rig.
        assert.ok((await passkeySignIn('eve')).AuthenticationResult);
        console.log(`      passkey assertion corpus: ${refusedCount} refused, 0 accepted`);
      } finally {
        await setWebAuthn({ RelyingPartyId: 'localhost' });
      }
    });

    it('one-time code corpus (EMAIL_OTP, SMS_OTP): every wrong, expired, reused, other user\'s or malformed code refused', async () => {
      const lastCode = (username: string, channel: 'EMAIL' | 'SMS'): string => {
        const message = pool.emulator.outbox({ username, purpose: 'SIGN_IN', channel }).at(-1);
        assert.ok(message?.code, `no sign-in code for ${username}`);
        return message.code;
      };
      let refusedCount = 0;
      for (const [factor, channel, field] of [['EMAIL_OTP', 'EMAIL', 'EMAIL_OTP_CODE'], ['SMS_OTP', 'SMS', 'SMS_OTP_CODE']] as const) {
        const open = async (username = 'ann') => {
          const out = await start(username, { PREFERRED_CHALLENGE: factor });
          assert.equal(out.ChallengeName, factor);
          return { session: out.Session!, code: lastCode(username, channel) };
        };
        const expect = async (label: string, promise: Promise<unknown>, exception: string) => {
          await refused(promise, exception).catch((e: Error) => { throw new Error(`${factor} ${label}: ${e.message}`); });
          refusedCount += 1;
        };
        const submit = (session: string, code: string, username = 'ann') => answer(factor, session, { USERNAME: username, [field]: code });
        // Wrong and malformed codes, each on a fresh session (CodeMismatchException, the session stays).
        const variants = (code: string): Array<[string, string]> => [
          ...[...code].map((digit, i): [string, string] => [`digit ${i} changed`, code.slice(0, i) + String((Number(digit) + 1) % 10) + code.slice(i + 1)]),
          ['one digit short', code.slice(0, -1)], ['one digit more', `${code}0`], ['a space before', ` ${code}`], ['a space after', `${code} `],
          ['a letter for a digit', `${code.slice(0, -1)}a`], ['full-width digits', [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('')],
          ['Arabic-Indic digits', [...code].map((d) => String.fromCharCode(0x0660 + Number(d))).join('')], ['a signed number', `+${code.slice(1)}`],
          ['the 6-digit SMS_MFA length', code.slice(0, 6)], ['all zeros but one', code === '00000001' ? '00000002' : '00000001'],
        ];
        for (const [index, [label]] of variants('12345678').entries()) {
          const { session, code } = await open();
          const sent = variants(code)[index][1];
          assert.notEqual(sent, code);
          await expect(label, submit(session, sent), 'CodeMismatchException');
        }
        await expect('empty code', submit((await open()).session, ''), 'InvalidParameterException');
        // The fifth wrong code ends the session: NotAuthorizedException, and the right code is then too late.
        const five = await open();
        const wrongOf = (code: string) => code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);
        for (let i = 0; i < 4; i += 1) await expect(`wrong code ${i + 1} of 5`, submit(five.session, wrongOf(five.code)), 'CodeMismatchException');
        await expect('wrong code 5 of 5', submit(five.session, wrongOf(five.code)), 'NotAuthorizedException');
        await expect('right code after five wrong', submit(five.session, five.code), 'NotAuthorizedException');
        // Expired: past AuthSessionValidity by the emulator clock.
        const late = await open();
        pool.emulator.clock.advance(3 * 60_000 + 1);
        await expect('expired code', submit(late.session, late.code), 'NotAuthorizedException');
        pool.emulator.clock.reset();
        // Reused: a right code signs in once.
        const used = await open();
        assert.ok((await submit(used.session, used.code)).AuthenticationResult, 'the right code signs in');
        await expect('reused code (same session)', submit(used.session, used.code), 'NotAuthorizedException');
        const next = await open();
        if (next.code !== used.code) await expect('reused code (new session)', submit(next.session, used.code), 'CodeMismatchException');
        else refusedCount += 1;
        // An earlier session's code after a new one was sent.
        const older = await open();
        const newer = await open();
        if (older.code !== newer.code) await expect('an earlier session\'s code', submit(newer.session, older.code), 'CodeMismatchException');
        else refusedCount += 1;
        // Another user's: otto's code on ann's session, and ann's session answered as otto.
        const anns = await open('ann');
        const ottos = await open('otto');
        if (anns.code !== ottos.code) await expect('another user\'s code', submit(anns.session, ottos.code), 'CodeMismatchException');
        else refusedCount += 1;
        await expect('another user\'s session', submit(ottos.session, ottos.code, 'ann'), 'NotAuthorizedException');
        // A decoy's code: nothing was sent, so nothing matches.
        const decoy = await start('ghost', { PREFERRED_CHALLENGE: factor });
        await expect('a decoy\'s session', submit(decoy.Session!, anns.code, 'ghost'), 'CodeMismatchException');
        // The other channel's challenge name on this session.
        await expect('the other challenge name', answer(factor === 'EMAIL_OTP' ? 'SMS_OTP' : 'EMAIL_OTP', anns.session, {
          USERNAME: 'ann', SMS_OTP_CODE: anns.code, EMAIL_OTP_CODE: anns.code,
        }), 'InvalidParameterException');
      }
      console.log(`      one-time code corpus: ${refusedCount} refused, 0 accepted`);
    });
  });
});

describe('emulator: a passkey kept in the data folder signs in after a restart', function () {
  this.timeout(30_000);
  let dir = '';
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'passkey-signin-')); });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('registered before the restart, USER_AUTH WEB_AUTHN after it; the counter carries on', async () => {
    const sdkFor = (endpoint: string) =>
      new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const authenticator = new SoftAuthenticator();
    let emulator = await startEmulator({ dataDir: dir });
    let sdk = sdkFor(emulator.endpoint);
    let poolId = '';
    let clientId = '';
    try {
      poolId = (await sdk.send(new CreateUserPoolCommand({
        PoolName: 'kept', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
      }))).UserPool!.Id!;
      clientId = (await sdk.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: FLOWS })))
        .UserPoolClient!.ClientId!;
      await sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: { RelyingPartyId: 'localhost' } }));
      await sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'kim', TemporaryPassword: PASSWORD, MessageAction: 'SUPPRESS' }));
      await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'kim', Password: PASSWORD, Permanent: true }));
      const token = (await sdk.send(new InitiateAuthCommand({
        ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'kim', PASSWORD },
      }))).AuthenticationResult!.AccessToken!;
      const started = await sdk.send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
      const { response } = authenticator.register(started.CredentialCreationOptions as unknown as CreationOptions, ORIGIN);
      await sdk.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: response as never }));
    } finally {
      sdk.destroy();
      await emulator.stop();
    }
    emulator = await startEmulator({ dataDir: dir });
    sdk = sdkFor(emulator.endpoint);
    try {
      assert.equal(emulator.restored, true);
      const signIn = async (knobs: AssertionKnobs = {}) => {
        const out = await sdk.send(new InitiateAuthCommand({
          ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'kim', PREFERRED_CHALLENGE: 'WEB_AUTHN' },
        }));
        assert.equal(out.ChallengeName, 'WEB_AUTHN');
        const options = JSON.parse(out.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS) as RequestOptions;
        return sdk.send(new RespondToAuthChallengeCommand({
          ClientId: clientId, ChallengeName: 'WEB_AUTHN', Session: out.Session,
          ChallengeResponses: { USERNAME: 'kim', CREDENTIAL: JSON.stringify(authenticator.assert(options, ORIGIN, knobs)) },
        }));
      };
      assert.ok((await signIn({ counter: 7 })).AuthenticationResult?.AccessToken);
    } finally {
      sdk.destroy();
      await emulator.stop();
    }
    // And the counter stored after that sign-in was kept too: going back is refused after another restart.
    emulator = await startEmulator({ dataDir: dir });
    sdk = sdkFor(emulator.endpoint);
    try {
      const out = await sdk.send(new InitiateAuthCommand({
        ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'kim', PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      }));
      const options = JSON.parse(out.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS) as RequestOptions;
      await refused(sdk.send(new RespondToAuthChallengeCommand({
        ClientId: clientId, ChallengeName: 'WEB_AUTHN', Session: out.Session,
        ChallengeResponses: { USERNAME: 'kim', CREDENTIAL: JSON.stringify(authenticator.assert(options, ORIGIN, { counter: 7 })) },
      })), 'NotAuthorizedException', REFUSED);
    } finally {
      sdk.destroy();
      await emulator.stop();
    }
  });
});
