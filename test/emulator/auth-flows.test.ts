/**
 * ExplicitAuthFlows normalisation (legacy names included) and the SECRET_HASH check.
 */
import assert from 'node:assert/strict';
import { checkSecretHash, resolveClientFlows } from '../../lib/emulator/operations/auth-flows';
import type { ClientRecord } from '../../lib/emulator/store';
import { secretHash } from '../../lib/secret-hash';

describe('emulator: auth flows and SECRET_HASH', () => {
  it('defaults to SRP, custom and refresh', () => {
    assert.deepEqual([...resolveClientFlows(undefined).allowed].sort(), ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
  });

  it('maps legacy names and keeps SRP and refresh with them', () => {
    const { explicit, allowed } = resolveClientFlows(['ADMIN_NO_SRP_AUTH', 'USER_PASSWORD_AUTH']);
    assert.deepEqual(explicit, ['ADMIN_NO_SRP_AUTH', 'USER_PASSWORD_AUTH']);
    for (const flow of ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']) {
      assert.ok(allowed.has(flow), flow);
    }
    assert.equal(resolveClientFlows(['CUSTOM_AUTH_FLOW_ONLY']).allowed.has('ALLOW_USER_SRP_AUTH'), false);
  });

  it('refuses legacy and new names together, and unknown names', () => {
    assert.throws(() => resolveClientFlows(['ADMIN_NO_SRP_AUTH', 'ALLOW_USER_SRP_AUTH']), { name: 'InvalidParameterException' });
    assert.throws(() => resolveClientFlows(['ALLOW_ANYTHING']), { name: 'InvalidParameterException' });
  });

  it('checks SECRET_HASH against the given username in constant-time comparison', () => {
    const client = { clientId: 'client1', clientSecret: 'secret1' } as ClientRecord;
    const good = secretHash('alice', 'client1', 'secret1');
    assert.doesNotThrow(() => checkSecretHash(client, good, 'alice'));
    assert.throws(() => checkSecretHash(client, good, 'bob'), { name: 'NotAuthorizedException', message: 'Unable to verify secret hash for client client1' });
    assert.throws(() => checkSecretHash(client, undefined, 'alice'), { message: 'Client client1 is configured with secret but SECRET_HASH was not received' });
    assert.throws(() => checkSecretHash(client, 'short', 'alice'), { name: 'NotAuthorizedException' });
    const publicClient = { clientId: 'client2' } as ClientRecord;
    assert.doesNotThrow(() => checkSecretHash(publicClient, undefined, 'alice'));
    assert.throws(() => checkSecretHash(publicClient, good, 'alice'), { name: 'InvalidParameterException' });
  });
});
