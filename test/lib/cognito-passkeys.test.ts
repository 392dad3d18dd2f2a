/**
 * The `Cognito` class, passkey management: StartWebAuthnRegistration's options (a document),
 * CompleteWebAuthnRegistration with the credential a (software) authenticator made for them, the
 * list, deletion, GetUserAuthFactors; each refusal as its typed error, malformed input as a TypeError.
 */
import assert from 'node:assert/strict';
import { SetUserPoolMfaConfigCommand, type ExplicitAuthFlowsType } from '@aws-sdk/client-cognito-identity-provider';
import { SoftAuthenticator, type CreationOptions } from '../support/soft-authenticator';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { newUser, PASSWORD, rejectsWithCode, rejectsWithTypeError } from '../support/cognito-user';

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
