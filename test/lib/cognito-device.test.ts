/**
 * The `Cognito` class, part 4: remembered devices — confirmed on first sign-in (after MFA), exposed to
 * persist, proven by device SRP on a later sign-in (SRP and admin), skipping MFA once remembered,
 * sent as DEVICE_KEY on refresh; user-prompted remembering; forgetting; a device Cognito no longer knows.
 */
import assert from 'node:assert/strict';
import { ListDevicesCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Cognito } from '../../lib/cognito';
import { SoftwareTokenMFAChallengeError } from '../../lib/errors';
import { startTestPool, type TestPool } from '../support/pool';
import { cognitoFor, extraPool, newUser, nextTotpStep, PASSWORD, rejectsWithCode, totpNow } from '../support/cognito-user';

describe('Cognito: remembered devices', () => {
  let base: TestPool;
  let pool: TestPool;
  let promptPool: TestPool;

  /** Signs in (answering TOTP when asked); returns whether MFA was asked. */
  async function signIn(u: Cognito, secret: string, admin = false): Promise<boolean> {
    try {
      await (admin ? u.adminAuthenticate(PASSWORD) : u.authenticate(PASSWORD));
      return false;
    } catch (e) {
      if (!(e instanceof SoftwareTokenMFAChallengeError)) throw e;
      await u.respondToSoftwareTokenMfaChallenge(totpNow(pool, secret));
      nextTotpStep(pool);
      return true;
    }
  }

  /** A user with TOTP on, in `target`. */
  async function totpUser(target: TestPool): Promise<{ username: string; secret: string }> {
    const { username, cognito } = await newUser(target);
    await cognito.authenticate(PASSWORD);
    const { secretCode } = await cognito.associateSoftwareToken();
    await cognito.verifySoftwareToken(totpNow(target, secretCode));
    await cognito.setUserMfaPreference(false, true, 'SOFTWARE_TOKEN');
    // That sign-in offered a device; forget it so that the tests start from a new device.
    await cognito.forgetDevice();
    nextTotpStep(target);
    return { username, secret: secretCode };
  }

  const saved = (u: Cognito) => ({ deviceKey: u.deviceKey!, deviceGroupKey: u.deviceGroupKey!, devicePassword: u.devicePassword! });

  before(async () => {
    base = await startTestPool();
    pool = await extraPool(base, { mfa: 'OPTIONAL', deviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false } });
    promptPool = await extraPool(base, { mfa: 'OPTIONAL', deviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true } });
  });
  after(() => base.stop());
  afterEach(() => base.emulator.clock.reset());

  for (const admin of [false, true]) {
    it(`${admin ? 'admin' : 'SRP'} sign-in: the device is confirmed after MFA, then proven by device SRP and MFA is skipped`, async () => {
      const { username, secret } = await totpUser(pool);
      const first = cognitoFor(pool, { username, deviceName: 'test laptop', client: base.sdk });
      assert.equal(await signIn(first, secret, admin), true, 'a new device gets the MFA challenge');
      assert.match(first.deviceKey ?? '', /^us-east-1_/);
      assert.equal(typeof first.deviceGroupKey, 'string');
      assert.equal(typeof first.devicePassword, 'string');
      assert.equal(first.userConfirmationNecessary, false);
      assert.equal(first.accessClaims?.device_key, first.deviceKey);
      const { Devices } = await base.sdk.send(new ListDevicesCommand({ AccessToken: first.accessToken! }));
      assert.equal(Devices!.find((d) => d.DeviceKey === first.deviceKey)?.DeviceAttributes?.find((a) => a.Name === 'device_name')?.Value, 'test laptop');

      // Later, a new instance with the persisted device.
      const later = cognitoFor(pool, { username, client: base.sdk, ...saved(first) });
      base.emulator.resetCalls();
      assert.equal(await signIn(later, secret, admin), false, 'a remembered device skips MFA');
      const answers = base.emulator.calls(admin ? 'AdminRespondToAuthChallenge' : 'RespondToAuthChallenge');
      assert.equal(answers, admin ? 2 : 3, 'device SRP took DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER');
      assert.equal(base.emulator.calls('ConfirmDevice'), 0);
      assert.equal(later.deviceKey, first.deviceKey);
      assert.equal(later.accessClaims?.device_key, first.deviceKey);

      // Refresh needs DEVICE_KEY; the instance sends it.
      base.emulator.clock.advance(60 * 60 * 1000);
      assert.equal(await later.checkToken(), true);
      assert.equal(later.accessClaims?.device_key, first.deviceKey);
      const withoutDevice = cognitoFor(pool, { refreshToken: later.refreshToken!, idToken: later.idToken! });
      await rejectsWithCode(withoutDevice.renewAccessToken(), 'ERR_COGNITO_REFRESH_REJECTED');
    });
  }

  it('a wrong device password fails the sign-in as bad credentials', async () => {
    const { username, secret } = await totpUser(pool);
    const first = cognitoFor(pool, { username });
    await signIn(first, secret);
    const forged = cognitoFor(pool, { username, ...saved(first), devicePassword: 'not-it' });
    await rejectsWithCode(forged.authenticate(PASSWORD), 'ERR_COGNITO_BAD_CREDENTIALS');
  });

  it('DeviceOnlyRememberedOnUserPrompt: MFA until the user opts in with rememberDevice()', async () => {
    const { username, secret } = await totpUser(promptPool);
    const first = cognitoFor(promptPool, { username });
    await signIn(first, secret);
    assert.equal(first.userConfirmationNecessary, true);
    const second = cognitoFor(promptPool, { username, ...saved(first) });
    assert.equal(await signIn(second, secret), true, 'a device not remembered still gets MFA');
    await second.rememberDevice();
    assert.equal(second.userConfirmationNecessary, false);
    const third = cognitoFor(promptPool, { username, ...saved(first) });
    assert.equal(await signIn(third, secret), false);
    await third.rememberDevice(false);
    assert.equal(await signIn(cognitoFor(promptPool, { username, ...saved(first) }), secret), true);
  });

  it('forgetDevice, and a saved device Cognito no longer knows: signed in as a new device', async () => {
    const { username, secret } = await totpUser(pool);
    const first = cognitoFor(pool, { username });
    await signIn(first, secret);
    const old = saved(first);
    await first.forgetDevice();
    assert.deepEqual([first.deviceKey, first.deviceGroupKey, first.devicePassword], [undefined, undefined, undefined]);
    const returning = cognitoFor(pool, { username, ...old });
    assert.equal(await signIn(returning, secret), true);
    assert.ok(returning.deviceKey !== undefined && returning.deviceKey !== old.deviceKey, 'a new device was confirmed');
    await assert.rejects(cognitoFor(pool).rememberDevice(), TypeError);
    await assert.rejects(cognitoFor(pool).forgetDevice(), TypeError);
  });
});
