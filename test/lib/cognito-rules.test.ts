/** Known-answer tests of the Cognito rules kept once in lib/cognito-rules.ts (issue 11). */
import { strict as assert } from 'node:assert';
import { AdminCreateUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { Cognito } from '../../lib/cognito';
import { startEmulator } from '../../lib/emulator';
import { MAX_USERNAME_FIELD_LENGTH } from '../../strategies/login-fields';
import {
  internalUsernameFromChallenge, internalUsernameFromTokens, MAX_USERNAME_LENGTH, renewalDue, secretHashParam, unverifiedClaims,
} from '../../lib/cognito-rules';

function jwt(payload: Record<string, unknown>): string {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'RS256', kid: 'k' })}.${b64(payload)}.c2ln`;
}

describe('lib/cognito-rules', () => {
  it('unverifiedClaims: the claims set, or undefined for anything that is not a JWT', () => {
    assert.deepEqual(unverifiedClaims(jwt({ sub: 's', exp: 10 })), { sub: 's', exp: 10 });
    for (const bad of [undefined, '', 'garbage', 'a.b.c', `${jwt({})}.extra`]) assert.equal(unverifiedClaims(bad), undefined, String(bad));
  });

  it('internalUsernameFromChallenge: recorded, else USER_ID_FOR_SRP, else the name typed', () => {
    assert.equal(internalUsernameFromChallenge({ USER_ID_FOR_SRP: 'b7d1' }, 'rec', 'bob@example.com'), 'rec');
    assert.equal(internalUsernameFromChallenge({ USER_ID_FOR_SRP: 'b7d1' }, undefined, 'bob@example.com'), 'b7d1');
    assert.equal(internalUsernameFromChallenge({ USER_ID_FOR_SRP: '' }, '', 'bob@example.com'), 'bob@example.com');
    assert.equal(internalUsernameFromChallenge(undefined, undefined, undefined), undefined);
  });

  it('internalUsernameFromTokens: cognito:username, else username, else the fallback', () => {
    assert.equal(internalUsernameFromTokens(jwt({ 'cognito:username': 'internal' }), jwt({ username: 'other' }), 'typed'), 'internal');
    assert.equal(internalUsernameFromTokens(undefined, jwt({ username: 'other' }), 'typed'), 'other');
    assert.equal(internalUsernameFromTokens('garbage', 'garbage', 'typed'), 'typed');
    assert.equal(internalUsernameFromTokens(jwt({ 'cognito:username': 42 }), jwt({ username: '' }), undefined), undefined);
  });

  it('renewalDue: expired, or within the leeway; a non-number exp is due', () => {
    const exp = 1_700_000_100;
    assert.equal(renewalDue(exp, 1_700_000_094_999, 5), false); // 5.001 s left
    assert.equal(renewalDue(exp, 1_700_000_095_000, 5), true); // exactly the leeway
    assert.equal(renewalDue(exp, 1_700_000_099_000, 0), false);
    assert.equal(renewalDue(exp, 1_700_000_100_000, 0), true);
    for (const bad of [undefined, '1700000100', Number.NaN, Infinity, null]) assert.equal(renewalDue(bad, 0, 5), true, String(bad));
  });

  it('secretHashParam: HMAC-SHA256(secret, username + clientId), base64; nothing without a secret', () => {
    // Known answer: printf 'alice4u1h0k1ck3d' | openssl dgst -sha256 -hmac 'the-client-secret' -binary | base64
    assert.deepEqual(secretHashParam({ clientId: '4u1h0k1ck3d', clientSecret: 'the-client-secret' }, 'alice'),
      { SECRET_HASH: '7HMIdxBHXzEbb2d+Iowgo3sCZD06Eh7KyFiBE+0pQSI=' });
    assert.deepEqual(secretHashParam({ clientId: '4u1h0k1ck3d' }, 'alice'), {});
  });

  it('one username length limit: Cognito\'s 128, applied by Cognito, the strategy\'s form reader and the emulator', async () => {
    assert.equal(MAX_USERNAME_LENGTH, 128);
    assert.equal(MAX_USERNAME_FIELD_LENGTH, 2 * MAX_USERNAME_LENGTH);
    assert.doesNotThrow(() => new Cognito('eu-west-1_Test', 'web', { username: 'u'.repeat(128) }));
    assert.throws(() => new Cognito('eu-west-1_Test', 'web', { username: 'u'.repeat(129) }), /at most 128 characters/);
    const emulator = await startEmulator({ seed: { pools: [{ name: 'limit', idSuffix: 'Limit' }] } });
    try {
      const admin = new CognitoIdentityProviderClient({
        region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
      });
      const UserPoolId = `${emulator.region}_Limit`;
      await admin.send(new AdminCreateUserCommand({ UserPoolId, Username: 'u'.repeat(128), MessageAction: 'SUPPRESS' }));
      await assert.rejects(admin.send(new AdminCreateUserCommand({ UserPoolId, Username: 'u'.repeat(129) })),
        (e: Error) => e.name === 'InvalidParameterException' && /less than or equal to 128/.test(e.message));
    } finally {
      await emulator.stop();
    }
  });
});
