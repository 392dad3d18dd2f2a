/**
 * The sign-in side of passkeys (lib/emulator/webauthn.ts), called directly as the USER_AUTH flow
 * calls it: userHasPasskey, openWebAuthnChallenge's CREDENTIAL_REQUEST_OPTIONS and
 * verifyWebAuthnAnswer against a software authenticator, with each refusal (replay, another user's
 * credential, counter going back, wrong origin or RP ID, expired or reused challenge, UV missing
 * when required, bad signature, decoys), and a passkey still verifying after the state went through
 * the data file's encoding. Passkeys are registered through the operation handlers, in process.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createClock } from '../../lib/emulator/clock';
import type { EmulatorContext } from '../../lib/emulator/context';
import { WireError } from '../../lib/emulator/errors';
import { operations } from '../../lib/emulator/operations/registry';
import { restoreState, snapshotState } from '../../lib/emulator/persistence';
import { EmulatorStore, type ClientRecord, type PoolRecord, type UserRecord } from '../../lib/emulator/store';
import { issueTokens } from '../../lib/emulator/tokens';
import { TriggerRegistry } from '../../lib/emulator/triggers';
import { openWebAuthnChallenge, userHasPasskey, verifyWebAuthnAnswer } from '../../lib/emulator/webauthn';
import { isStrictDerSignature } from '../../lib/emulator/webauthn-ceremony';
import { SoftAuthenticator, type AssertionKnobs, type CreationOptions, type RequestOptions } from '../support/soft-authenticator';

const ORIGIN = 'https://app.example.com';
const RP_ID = 'example.com';

function contextWith(store: EmulatorStore): EmulatorContext {
  return { store, clock: createClock(), region: 'us-east-1', issuer: (poolId) => `http://emulator.test/${poolId}`, triggers: new TriggerRegistry(undefined) };
}

async function call(ctx: EmulatorContext, operation: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await operations[operation].handler(ctx, params)) as Record<string, unknown>;
}

/** Expects `promise` to reject with a WireError of `type`. */
async function refusedWith(promise: Promise<unknown>, type = 'NotAuthorizedException'): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof WireError && error.type === type && error.status === 400);
}

describe('emulator: passkey sign-in functions (webauthn.ts)', function () {
  this.timeout(30_000);
  let ctx: EmulatorContext;
  let pool: PoolRecord;
  let client: ClientRecord;
  let session = 0;
  const authenticators = new Map<string, SoftAuthenticator>();

  const user = (name: string): UserRecord => pool.users.get(name)!;
  const accessToken = async (name: string, scopes?: string[]): Promise<string> => {
    const options = { withRefreshToken: false, trigger: false as const, ...(scopes ? { oauth: { scopes } } : {}) };
    const issued = await issueTokens(ctx, pool, client, user(name), options);
    return issued.AccessToken;
  };
  const registerPasskey = async (name: string): Promise<void> => {
    const token = await accessToken(name);
    const { CredentialCreationOptions } = await call(ctx, 'StartWebAuthnRegistration', { AccessToken: token });
    const authenticator = authenticators.get(name) ?? new SoftAuthenticator();
    authenticators.set(name, authenticator);
    const { response } = authenticator.register(CredentialCreationOptions as CreationOptions, ORIGIN);
    await call(ctx, 'CompleteWebAuthnRegistration', { AccessToken: token, Credential: response });
  };
  /** Opens a challenge for `name` in a new session; returns the session id and the parsed request options. */
  const open = (name: string, target: UserRecord | undefined = user(name), ttlMs = 180_000) => {
    const sessionId = `session-${++session}`;
    const parameters = openWebAuthnChallenge(ctx, {
      pool, clientId: client.clientId, user: target, username: name, sessionId, expiresAt: ctx.clock.now() + ttlMs,
    });
    const options = JSON.parse(parameters.CREDENTIAL_REQUEST_OPTIONS) as RequestOptions & Record<string, unknown>;
    return { sessionId, options, parameters };
  };
  const answer = (
    name: string, sessionId: string, credential: unknown, clientId = client.clientId, target: UserRecord | undefined = user(name),
  ) =>
    verifyWebAuthnAnswer(ctx, { pool, clientId, user: target, sessionId, credential: JSON.stringify(credential) });
  const signIn = async (name: string, knobs: AssertionKnobs = {}, origin = ORIGIN, signer = name) => {
    const { sessionId, options } = open(name);
    return answer(name, sessionId, authenticators.get(signer)!.assert(options, origin, knobs));
  };

  before(async () => {
    ctx = contextWith(new EmulatorStore());
    const created = await call(ctx, 'CreateUserPool', {
      PoolName: 'passkeys', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
    });
    const poolId = (created.UserPool as { Id: string }).Id;
    await call(ctx, 'SetUserPoolMfaConfig', { UserPoolId: poolId, WebAuthnConfiguration: { RelyingPartyId: RP_ID } });
    const made = await call(ctx, 'CreateUserPoolClient', { UserPoolId: poolId, ClientName: 'web' });
    const clientId = (made.UserPoolClient as { ClientId: string }).ClientId;
    await call(ctx, 'CreateUserPoolClient', { UserPoolId: poolId, ClientName: 'other' });
    pool = ctx.store.pool(poolId);
    client = pool.clients.get(clientId)!;
    for (const name of ['ann', 'ben', 'cy', 'nokey']) {
      await call(ctx, 'AdminCreateUser', { UserPoolId: poolId, Username: name, TemporaryPassword: 'Passw0rd!', MessageAction: 'SUPPRESS' });
    }
    for (const name of ['ann', 'ben', 'cy']) await registerPasskey(name);
  });
  afterEach(() => ctx.clock.reset());

  it('userHasPasskey: true once a passkey is registered, false without one or when the pool no longer allows WEB_AUTHN', () => {
    assert.equal(userHasPasskey(pool, user('ann')), true);
    assert.equal(userHasPasskey(pool, user('nokey')), false);
    const factors = pool.allowedFirstAuthFactors;
    pool.allowedFirstAuthFactors = ['PASSWORD'];
    try {
      assert.equal(userHasPasskey(pool, user('ann')), false);
    } finally {
      pool.allowedFirstAuthFactors = factors;
    }
  });

  it('CREDENTIAL_REQUEST_OPTIONS is JSON text of PublicKeyCredentialRequestOptionsJSON listing the user\'s passkeys', () => {
    const { parameters, options } = open('ann');
    assert.equal(typeof parameters.CREDENTIAL_REQUEST_OPTIONS, 'string');
    assert.deepEqual(Object.keys(options).sort(), ['allowCredentials', 'challenge', 'rpId', 'timeout', 'userVerification']);
    assert.match(options.challenge, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(options.rpId, RP_ID);
    assert.equal(options.timeout, 60_000);
    assert.equal(options.userVerification, 'preferred');
    assert.deepEqual(options.allowCredentials, [{ type: 'public-key', id: user('ann').passkeys![0].credentialId, transports: ['hybrid', 'internal'] }]);
    assert.notEqual(open('ann').options.challenge, options.challenge);
  });

  it('verifies an assertion and raises the stored counter', async () => {
    const before = user('ann').passkeys![0].counter;
    const result = await signIn('ann');
    assert.deepEqual(result, { credentialId: user('ann').passkeys![0].credentialId, userVerified: true });
    assert.equal(user('ann').passkeys![0].counter, before + 1);
    const again = await signIn('ann', { userHandle: null, userVerified: false });
    assert.equal(again.userVerified, false);
    assert.equal(user('ann').passkeys![0].counter, before + 2);
  });

  it('refuses a replayed assertion: the same answer to the spent challenge, or to a new one', async () => {
    const { sessionId, options } = open('ann');
    const assertion = authenticators.get('ann')!.assert(options, ORIGIN);
    await answer('ann', sessionId, assertion);
    await refusedWith(answer('ann', sessionId, assertion));
    const next = open('ann');
    await refusedWith(answer('ann', next.sessionId, assertion));
    // The failed attempt spent the new challenge too.
    await refusedWith(answer('ann', next.sessionId, authenticators.get('ann')!.assert(next.options, ORIGIN)));
  });

  it('refuses another user\'s passkey, and a user handle that is not the user\'s', async () => {
    const { sessionId, options } = open('ann');
    const bens = authenticators.get('ben')!.assert({ ...options, allowCredentials: [] }, ORIGIN);
    await refusedWith(answer('ann', sessionId, bens));
    const next = open('ann');
    const handle = Buffer.from(user('ben').sub).toString('base64url');
    await refusedWith(answer('ann', next.sessionId, authenticators.get('ann')!.assert(next.options, ORIGIN, { userHandle: handle })));
  });

  it('refuses a signature counter that does not go up (lower, equal, or zero after non-zero)', async () => {
    await signIn('cy');
    const stored = user('cy').passkeys![0].counter;
    assert.ok(stored > 0);
    for (const counter of [stored - 1, stored, 0]) await refusedWith(signIn('cy', { counter }));
    assert.equal(user('cy').passkeys![0].counter, stored);
    await signIn('cy', { counter: stored + 10 });
    assert.equal(user('cy').passkeys![0].counter, stored + 10);
  });

  it('refuses another origin, another RP ID, a bad signature, another ceremony type, and user presence missing', async () => {
    for (const origin of ['https://evil.example', 'http://app.example.com', 'https://example.com.evil.example']) await refusedWith(signIn('ben', {}, origin));
    await refusedWith(signIn('ben', { rpId: 'evil.example' }));
    await refusedWith(signIn('ben', { badSignature: true }));
    await refusedWith(signIn('ben', { type: 'webauthn.create' }));
    await refusedWith(signIn('ben', { userPresent: false }));
    await refusedWith(signIn('ben', { challenge: 'c29tZS1vdGhlci1jaGFsbGVuZ2U' }));
    // A subdomain of the RP ID is an allowed origin.
    await signIn('ben', {}, 'https://login.app.example.com:8443');
  });

  it('refuses an expired challenge, an unknown session, another client, another user, and a malformed CREDENTIAL', async () => {
    const expired = open('ann', user('ann'), 1000);
    const assertion = authenticators.get('ann')!.assert(expired.options, ORIGIN);
    ctx.clock.advance(1001);
    await refusedWith(answer('ann', expired.sessionId, assertion));
    await refusedWith(answer('ann', 'no-such-session', assertion));
    const other = [...pool.clients.keys()].find((id) => id !== client.clientId)!;
    const forOther = open('ann');
    await refusedWith(answer('ann', forOther.sessionId, authenticators.get('ann')!.assert(forOther.options, ORIGIN), other));
    const forBen = open('ann');
    await refusedWith(answer('ann', forBen.sessionId, authenticators.get('ann')!.assert(forBen.options, ORIGIN), client.clientId, user('ben')));
    const broken = open('ann');
    await refusedWith(verifyWebAuthnAnswer(ctx, { pool, clientId: client.clientId, user: user('ann'), sessionId: broken.sessionId, credential: '{not json' }));
  });

  it('with UserVerification required, refuses an assertion without the UV flag', async () => {
    await call(ctx, 'SetUserPoolMfaConfig', { UserPoolId: pool.id, WebAuthnConfiguration: { RelyingPartyId: RP_ID, UserVerification: 'required' } });
    try {
      assert.equal(open('ben').options.userVerification, 'required');
      await refusedWith(signIn('ben', { userVerified: false }));
      assert.equal((await signIn('ben')).userVerified, true);
    } finally {
      await call(ctx, 'SetUserPoolMfaConfig', { UserPoolId: pool.id, WebAuthnConfiguration: { RelyingPartyId: RP_ID } });
    }
  });

  it('a decoy for an unknown name: plausible options, stable per name, always refused', async () => {
    const first = open('ghost', undefined);
    const second = open('ghost', undefined);
    assert.equal(first.options.allowCredentials!.length, 1);
    assert.deepEqual(first.options.allowCredentials, second.options.allowCredentials);
    assert.notDeepEqual(open('phantom', undefined).options.allowCredentials, first.options.allowCredentials);
    assert.match(first.options.allowCredentials![0].id, /^[A-Za-z0-9_-]{43}$/);
    const anns = authenticators.get('ann')!.assert({ ...first.options, allowCredentials: [] }, ORIGIN);
    await refusedWith(answer('ghost', first.sessionId, anns, client.clientId, undefined));
    // Even naming a real user for a decoy's session is refused.
    await refusedWith(answer('ann', second.sessionId, authenticators.get('ann')!.assert({ ...second.options, allowCredentials: [] }, ORIGIN)));
  });

  it('opening needs passkeys enabled and a relying party', () => {
    const factors = pool.allowedFirstAuthFactors;
    pool.allowedFirstAuthFactors = ['PASSWORD'];
    try {
      assert.throws(() => open('ann'), (e: unknown) => e instanceof WireError && e.type === 'WebAuthnNotEnabledException');
    } finally {
      pool.allowedFirstAuthFactors = factors;
    }
    const config = pool.webAuthn;
    delete pool.webAuthn;
    try {
      assert.throws(() => open('ann'), (e: unknown) => e instanceof WireError && e.type === 'WebAuthnConfigurationMissingException');
    } finally {
      pool.webAuthn = config;
    }
  });

  it('refuses an access token without aws.cognito.signin.user.admin for the registration operations', async () => {
    const token = await accessToken('nokey', ['openid', 'email']);
    await refusedWith(call(ctx, 'StartWebAuthnRegistration', { AccessToken: token }));
    await refusedWith(call(ctx, 'ListWebAuthnCredentials', { AccessToken: token }));
    const withScope = await accessToken('nokey', ['openid', 'aws.cognito.signin.user.admin']);
    assert.deepEqual((await call(ctx, 'ListWebAuthnCredentials', { AccessToken: withScope })).Credentials, []);
  });

  it('a passkey still verifies after the state went through the data file (public key bytes, counter)', async () => {
    await signIn('ann');
    const counter = user('ann').passkeys![0].counter;
    const restored = new EmulatorStore();
    restoreState(restored, 'us-east-1', JSON.parse(JSON.stringify(snapshotState(ctx.store, 'us-east-1'))), 'state.json');
    const restoredCtx = contextWith(restored);
    const restoredPool = restored.pool(pool.id);
    const ann = restoredPool.users.get('ann')!;
    assert.ok(ann.passkeys![0].publicKey instanceof Uint8Array);
    assert.deepEqual(Buffer.from(ann.passkeys![0].publicKey), Buffer.from(user('ann').passkeys![0].publicKey));
    assert.equal(ann.passkeys![0].counter, counter);
    const { CREDENTIAL_REQUEST_OPTIONS } = openWebAuthnChallenge(restoredCtx, {
      pool: restoredPool, clientId: client.clientId, user: ann, username: 'ann', sessionId: 'after-restart', expiresAt: restoredCtx.clock.now() + 60_000,
    });
    const assertion = authenticators.get('ann')!.assert(JSON.parse(CREDENTIAL_REQUEST_OPTIONS) as RequestOptions, ORIGIN);
    await verifyWebAuthnAnswer(restoredCtx, { pool: restoredPool, clientId: client.clientId, user: ann, sessionId: 'after-restart', credential: JSON.stringify(assertion) });
    assert.equal(ann.passkeys![0].counter, counter + 1);
  });
});

describe('emulator: ES256 signatures must be strict DER', function () {
  it('a real signature passes; every single-bit change to its structure bytes, and non-minimal integers, do not', function () {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let checked = 0;
    for (let n = 0; n < 40; n++) {
      const der = sign('sha256', Buffer.from(`message ${n}`), privateKey);
      assert.equal(isStrictDerSignature(der), true, 'node:crypto signs DER');
      const rLength = der[3];
      // The SEQUENCE tag and length, the INTEGER tags and lengths of r and s.
      for (const at of [0, 1, 2, 3, 4 + rLength, 5 + rLength]) {
        for (let bit = 0; bit < 8; bit++) {
          const bad = Buffer.from(der);
          bad[at] ^= 1 << bit;
          assert.equal(isStrictDerSignature(bad), false, `byte ${at} bit ${bit} of ${der.toString('hex')}`);
          checked += 1;
        }
      }
      // Padded with a needless zero (non-minimal), and trailing bytes.
      const padded = Buffer.concat([Buffer.from([0x30, der[1] + 1, 0x02, rLength + 1, 0x00]), der.subarray(4)]);
      if ((der[4] & 0x80) === 0) assert.equal(isStrictDerSignature(padded), false, 'a needless leading zero');
      assert.equal(isStrictDerSignature(Buffer.concat([der, Buffer.from([0])])), false, 'a trailing byte');
    }
    assert.equal(checked, 40 * 6 * 8);
  });
});
