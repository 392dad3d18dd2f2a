/**
 * docs/examples/seed.json, the example docs/emulator-seed.md points to: it loads, and each user and
 * client is what the document says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminGetUserCommand, CognitoIdentityProviderClient, DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startEmulator, type EmulatorSeed } from '../../lib/emulator';

describe('emulator: the documented seed example', () => {
  it('docs/examples/seed.json seeds a pool with its clients, groups and users in the documented states', async () => {
    const seed = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'examples', 'seed.json'), 'utf8')) as EmulatorSeed;
    const emulator = await startEmulator({ seed });
    const sdk = new CognitoIdentityProviderClient({
      region: emulator.region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    });
    try {
      const UserPoolId = `${emulator.region}_ShopPool1`;
      const { UserPool } = await sdk.send(new DescribeUserPoolCommand({ UserPoolId }));
      assert.equal(UserPool?.Policies?.PasswordPolicy?.MinimumLength, 10);
      assert.deepEqual(UserPool?.AutoVerifiedAttributes, ['email']);
      const status = async (Username: string): Promise<string | undefined> =>
        (await sdk.send(new AdminGetUserCommand({ UserPoolId, Username }))).UserStatus;
      assert.equal(await status('dana'), 'CONFIRMED');
      assert.equal(await status('eli'), 'FORCE_CHANGE_PASSWORD');
      assert.equal(await status('fay'), 'UNCONFIRMED');
      const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'emulator-seed.md'), 'utf8');
      assert.ok(doc.includes('examples/seed.json'));
    } finally {
      sdk.destroy();
      await emulator.stop();
    }
  });
});
