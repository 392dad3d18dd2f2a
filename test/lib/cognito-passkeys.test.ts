/**
 * The `Cognito` class, passkey management: StartWebAuthnRegistration's options (a document),
 * CompleteWebAuthnRegistration with the credential a (software) authenticator made for them, the
 * list, deletion, GetUserAuthFactors; each refusal as its typed error, malformed input as a TypeError.
 */
import assert from 'node:assert/strict';
import { SetUserPoolMfaConfigCommand, type ExplicitAuthFlowsType } from '@aws-sdk/client-cognito-identity-provider';
import { SelectChallengeError, WebAuthnChallengeError } from '../../lib/errors';
import { SoftAuthenticator, type CreationOptions, type RequestOptions } from '../support/soft-authenticator';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { cognitoFor, newUser, PASSWORD, rejectsWithCode, rejectsWithTypeError } from '../support/cognito-user';

async function webAuthnChallengeOf(promise: Promise<unknown>): Promise<WebAuthnChallengeError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof WebAuthnChallengeError, `expected a WEB_AUTHN challenge, got ${(e as Error).message}`);
    return e;
  }
  throw new assert.AssertionError({ message: 'expected a challenge, but the call succeeded' });
}

const ORIGIN = 'http://localhost:3000';

describe('Cognito: passkeys (WebAuthn registration)', function () {
  this.timeout(20_000);
  let pool: TestPool;

  before(async () => {
    pool = await startTestPool({
      explicitAuthFlows: [...TEST_AUTH_FLOWS, 'ALLOW_USER_AUTH'] as ExplicitAuthFlowsType[],
      poolOptions: { Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } },
    });
    await pool.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.poolId, WebAuthnConfiguration: { RelyingPartyId: 'localhost' } }));
  });
  after(() => pool.stop());

  it('registers a passkey, lists it, reports WEB_AUTHN as a factor, deletes it', async () => {
    const { cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    assert.deepEqual((await cognito.getUserAuthFactors()).configuredFactors, ['PASSWORD']);
    const options = await cognito.startWebAuthnRegistration();
    assert.equal((options.rp as { id: string }).id, 'localhost');
    assert.equal(typeof options.challenge, 'string');
    const { response } = new SoftAuthenticator().register(options as unknown as CreationOptions, ORIGIN);
    // The credential as the browser's toJSON() gives it, or as the JSON text a form posts.
    await cognito.completeWebAuthnRegistration(JSON.stringify(response));
    const passkeys = await cognito.listWebAuthnCredentials();
    assert.equal(passkeys.length, 1);
    assert.equal(passkeys[0].credentialId, (response as { id: string }).id);
    assert.equal(passkeys[0].relyingPartyId, 'localhost');
    assert.ok(passkeys[0].createdAt instanceof Date);
    assert.deepEqual([...(await cognito.getUserAuthFactors()).configuredFactors].sort(), ['PASSWORD', 'WEB_AUTHN']);
    await cognito.deleteWebAuthnCredential(passkeys[0].credentialId);
    assert.deepEqual(await cognito.listWebAuthnCredentials(), []);
  });

  it('signs in with the passkey: WEB_AUTHN preferred or chosen at SELECT_CHALLENGE; a bad assertion is refused', async () => {
    const { username, cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const authenticator = new SoftAuthenticator();
    const creation = await cognito.startWebAuthnRegistration() as unknown as CreationOptions;
    await cognito.completeWebAuthnRegistration(authenticator.register(creation, ORIGIN).response);

    const direct = cognitoFor(pool, { username });
    const challenge = await webAuthnChallengeOf(direct.userAuthenticate({ preferredChallenge: 'WEB_AUTHN' }));
    assert.equal(challenge.code, 'ERR_COGNITO_WEB_AUTHN');
    const options = challenge.requestOptions as unknown as RequestOptions;
    assert.equal(options.rpId, 'localhost');
    await direct.respondToWebAuthnChallenge(authenticator.assert(options, ORIGIN));
    assert.ok(direct.accessToken);

    const chosen = cognitoFor(pool, { username });
    await assert.rejects(chosen.userAuthenticate(),
      (e: Error) => e instanceof SelectChallengeError && e.availableChallenges.includes('WEB_AUTHN'));
    const second = await webAuthnChallengeOf(chosen.selectChallenge('WEB_AUTHN'));
    // The assertion as the JSON text a form field carries.
    const assertion = authenticator.assert(second.requestOptions as unknown as RequestOptions, ORIGIN);
    await chosen.respondToWebAuthnChallenge(JSON.stringify(assertion));
    assert.ok(chosen.accessToken);

    const forged = cognitoFor(pool, { username });
    const third = await webAuthnChallengeOf(forged.userAuthenticate({ preferredChallenge: 'WEB_AUTHN' }));
    const bad = authenticator.assert(third.requestOptions as unknown as RequestOptions, ORIGIN, { badSignature: true });
    await rejectsWithCode(forged.respondToWebAuthnChallenge(bad), 'ERR_COGNITO_BAD_CREDENTIALS');
    assert.equal(forged.accessToken, undefined);
  });

  it('refusals: options used twice, another origin, no passkeys for the pool; malformed credentials are TypeErrors', async () => {
    const { cognito } = await newUser(pool);
    await cognito.authenticate(PASSWORD);
    const options = await cognito.startWebAuthnRegistration() as unknown as CreationOptions;
    const foreign = new SoftAuthenticator().register(options, 'https://evil.example').response;
    const err = await rejectsWithCode(cognito.completeWebAuthnRegistration(foreign), 'ERR_COGNITO_PASSKEY_REFUSED');
    assert.equal(err.status, 400);
    assert.equal(err.awsErrorName, 'WebAuthnOriginNotAllowedException');
    // The options answered once (even by a refused credential): a second try needs new ones.
    const late = new SoftAuthenticator().register(options, ORIGIN).response;
    assert.equal((await rejectsWithCode(cognito.completeWebAuthnRegistration(late), 'ERR_COGNITO_PASSKEY_REFUSED')).awsErrorName,
      'WebAuthnChallengeNotFoundException');
    const calls = pool.emulator.calls();
    for (const bad of ['', '{', '[]', { id: 'x' }, { id: 'x', type: 'public-key' }, 42 as never]) {
      await rejectsWithTypeError(cognito.completeWebAuthnRegistration(bad), /"credential"/);
    }
    await rejectsWithTypeError(cognito.deleteWebAuthnCredential('not base64url!'), /"credentialId"/);
    assert.equal(pool.emulator.calls(), calls, 'Cognito is not called for malformed input');

    const plain = await startTestPool();
    try {
      const { cognito: other } = await newUser(plain);
      await other.authenticate(PASSWORD);
      const off = await rejectsWithCode(other.startWebAuthnRegistration(), 'ERR_COGNITO_PASSKEYS_NOT_ENABLED');
      assert.equal(off.status, 403);
    } finally {
      await plain.stop();
    }
  });
});
