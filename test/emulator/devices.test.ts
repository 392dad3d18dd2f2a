/**
 * Remembered devices in the emulator: NewDeviceMetadata in pools with a DeviceConfiguration,
 * ConfirmDevice, device SRP (DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER) checked against
 * amazon-cognito-identity-js and lib/srp.ts, refresh bound to DEVICE_KEY, UpdateDeviceStatus,
 * GetDevice / ListDevices / AdminListDevices, ForgetDevice / AdminForgetDevice.
 */
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminForgetDeviceCommand,
  AdminListDevicesCommand,
  AdminSetUserPasswordCommand,
  ConfirmDeviceCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgetDeviceCommand,
  GetDeviceCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  RespondToAuthChallengeCommand,
  UpdateDeviceStatusCommand,
  type AuthenticationResultType,
  type DeviceConfigurationType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type ICognitoStorage } from 'amazon-cognito-identity-js';
import { generateDeviceVerifier } from '../../lib/device-verifier';
import { createSrpEphemeral, devicePasswordVerifierResponse } from '../../lib/srp';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { claimsOf, rejects, srpLogin } from './helpers';

const PASSWORD = 'Passw0rd!';

class MemoryStorage implements ICognitoStorage {
  readonly items = new Map<string, string>();
  setItem(key: string, value: string): void { this.items.set(key, value); }
  getItem(key: string): string | null { return this.items.get(key) ?? null; }
  removeItem(key: string): void { this.items.delete(key); }
  clear(): void { this.items.clear(); }
}

describe('emulator: remembered devices', () => {
  let pool: TestPool;
  let poolId: string;
  let clientId: string;
  let counter = 0;

  async function devicePool(config: DeviceConfigurationType): Promise<{ poolId: string; clientId: string }> {
    const { UserPool } = await pool.sdk.send(new CreateUserPoolCommand({ PoolName: 'devices', DeviceConfiguration: config }));
    const { UserPoolClient } = await pool.sdk.send(new CreateUserPoolClientCommand({
      UserPoolId: UserPool!.Id!, ClientName: 'devices', ExplicitAuthFlows: TEST_AUTH_FLOWS as never,
    }));
    return { poolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId! };
  }

  async function user(targetPool = poolId): Promise<string> {
    const username = `dev${++counter}`;
    await pool.sdk.send(new AdminCreateUserCommand({ UserPoolId: targetPool, Username: username, TemporaryPassword: PASSWORD, MessageAction: 'SUPPRESS' }));
    await pool.sdk.send(
      new AdminSetUserPasswordCommand({ UserPoolId: targetPool, Username: username, Password: PASSWORD, Permanent: true }),
    );
    return username;
  }

  const target = () => ({ sdk: pool.sdk, poolId, clientId });

  /** A signed-in user with a confirmed device: its keys, password and first tokens. */
  async function confirmedDevice(): Promise<{
    username: string; deviceKey: string; deviceGroupKey: string; devicePassword: string; first: AuthenticationResultType;
  }> {
    const username = await user();
    const out = await srpLogin(target(), username, PASSWORD);
    const first = out.AuthenticationResult!;
    const { DeviceKey: deviceKey, DeviceGroupKey: deviceGroupKey } = first.NewDeviceMetadata!;
    const { devicePassword, passwordVerifier, salt } = generateDeviceVerifier(deviceGroupKey!, deviceKey!);
    const confirmed = await pool.sdk.send(new ConfirmDeviceCommand({
      AccessToken: first.AccessToken!, DeviceKey: deviceKey!, DeviceName: 'laptop',
      DeviceSecretVerifierConfig: { PasswordVerifier: passwordVerifier, Salt: salt },
    }));
    assert.equal(confirmed.UserConfirmationNecessary, false);
    return { username, deviceKey: deviceKey!, deviceGroupKey: deviceGroupKey!, devicePassword, first };
  }

  before(async () => {
    pool = await startTestPool();
    ({ poolId, clientId } = await devicePool({ ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false }));
  });
  after(() => pool.stop());

  it('a pool without DeviceConfiguration offers no device', async () => {
    await pool.createUser('plain', PASSWORD);
    const out = await srpLogin({ sdk: pool.sdk, poolId: pool.poolId, clientId: pool.clientId }, 'plain', PASSWORD);
    assert.equal(out.AuthenticationResult!.NewDeviceMetadata, undefined);
    assert.equal(claimsOf(out.AuthenticationResult!.AccessToken!).device_key, undefined);
  });

  it('offers a new device, binds the tokens to it, and confirms it', async () => {
    const { username, deviceKey, deviceGroupKey, first } = await confirmedDevice();
    assert.match(deviceKey, /^us-east-1_[0-9a-f-]{36}$/);
    assert.match(deviceGroupKey, /^-\w+$/);
    assert.equal(claimsOf(first.AccessToken!).device_key, deviceKey);
    const { Device } = await pool.sdk.send(new GetDeviceCommand({ AccessToken: first.AccessToken!, DeviceKey: deviceKey }));
    assert.equal(Device!.DeviceKey, deviceKey);
    assert.deepEqual(Device!.DeviceAttributes!.find((a) => a.Name === 'device_name')?.Value, 'laptop');
    assert.deepEqual(Device!.DeviceAttributes!.find((a) => a.Name === 'dev:device_remembered_status')?.Value, 'remembered');
    const { Devices } = await pool.sdk.send(new ListDevicesCommand({ AccessToken: first.AccessToken! }));
    assert.deepEqual(Devices!.map((d) => d.DeviceKey), [deviceKey]);
    const admin = await pool.sdk.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: username }));
    assert.deepEqual(admin.Devices!.map((d) => d.DeviceKey), [deviceKey]);
  });

  it('a refresh token bound to a device needs its DEVICE_KEY', async () => {
    const { deviceKey, first } = await confirmedDevice();
    const refresh = (params: Record<string, string>) => pool.sdk.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: first.RefreshToken!, ...params },
    }));
    await rejects(refresh({}), 'NotAuthorizedException', 'Invalid Refresh Token');
    const out = await refresh({ DEVICE_KEY: deviceKey });
    assert.equal(claimsOf(out.AuthenticationResult!.AccessToken!).device_key, deviceKey);
  });

  it('the DEVICE_SRP_AUTH challenge names the device (DEVICE_KEY) and its Session is shaped like Cognito\'s', async () => {
    const { username, deviceKey } = await confirmedDevice();
    const step = await srpLogin(target(), username, PASSWORD, { tamper: (a) => { a.DEVICE_KEY = deviceKey; } });
    assert.equal(step.ChallengeName, 'DEVICE_SRP_AUTH');
    assert.deepEqual(step.ChallengeParameters, { USERNAME: username, DEVICE_KEY: deviceKey });
    assert.match(step.Session!, /^AYAB[A-Za-z0-9_-]+$/);
  });

  it('challenge Sessions never begin with "-" (they begin AYAB, as Cognito\'s do)', async () => {
    // Random base64url begins with "-" once in 64: 128 sessions would show it with p ≈ 0.87.
    const { username, deviceKey } = await confirmedDevice();
    for (let i = 0; i < 128; i++) {
      const step = await srpLogin(target(), username, PASSWORD, { tamper: (a) => { a.DEVICE_KEY = deviceKey; } });
      assert.match(step.Session!, /^AYAB[A-Za-z0-9_-]+$/);
    }
  });

  it('a later sign-in with the device proves it by device SRP (lib/srp.ts) and gets no new device', async () => {
    const { username, deviceKey, deviceGroupKey, devicePassword } = await confirmedDevice();
    const step = await srpLogin(target(), username, PASSWORD, { tamper: (a) => { a.DEVICE_KEY = deviceKey; } });
    assert.equal(step.ChallengeName, 'DEVICE_SRP_AUTH');
    const ephemeral = createSrpEphemeral();
    const srp = await pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: 'DEVICE_SRP_AUTH', Session: step.Session!,
      ChallengeResponses: { USERNAME: username, DEVICE_KEY: deviceKey, SRP_A: ephemeral.srpA },
    }));
    assert.equal(srp.ChallengeName, 'DEVICE_PASSWORD_VERIFIER');
    assert.equal(srp.ChallengeParameters!.USERNAME, username);
    const answer = (password: string) => devicePasswordVerifierResponse({
      deviceGroupKey, deviceKey, devicePassword: password, ephemeral,
      challengeParameters: srp.ChallengeParameters!, now: new Date(pool.emulator.clock.now()),
    });
    const respond = (password: string) => pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: 'DEVICE_PASSWORD_VERIFIER', Session: srp.Session!,
      ChallengeResponses: { ...answer(password), USERNAME: username },
    }));
    await rejects(respond('not-the-device-password'), 'NotAuthorizedException');
    // The session answered once; prove again from the start.
    await rejects(respond(devicePassword), 'NotAuthorizedException', /Invalid session/);
    const again = await srpLogin(target(), username, PASSWORD, { tamper: (a) => { a.DEVICE_KEY = deviceKey; } });
    const eph2 = createSrpEphemeral();
    const srp2 = await pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: 'DEVICE_SRP_AUTH', Session: again.Session!,
      ChallengeResponses: { USERNAME: username, DEVICE_KEY: deviceKey, SRP_A: eph2.srpA },
    }));
    const done = await pool.sdk.send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: 'DEVICE_PASSWORD_VERIFIER', Session: srp2.Session!,
      ChallengeResponses: {
        ...devicePasswordVerifierResponse({
          deviceGroupKey, deviceKey, devicePassword, ephemeral: eph2, challengeParameters: srp2.ChallengeParameters!, now: new Date(),
        }),
        USERNAME: username,
      },
    }));
    assert.equal(done.AuthenticationResult!.NewDeviceMetadata, undefined);
    assert.equal(claimsOf(done.AuthenticationResult!.AccessToken!).device_key, deviceKey);
  });

  it('an unknown DEVICE_KEY is ResourceNotFoundException, as Cognito answers', async () => {
    const username = await user();
    await rejects(
      srpLogin(target(), username, PASSWORD, { tamper: (a) => { a.DEVICE_KEY = 'us-east-1_00000000-0000-0000-0000-000000000000'; } }),
      'ResourceNotFoundException', 'Device does not exist.',
    );
  });

  it('amazon-cognito-identity-js confirms the device, then signs in with device SRP', async () => {
    const username = await user();
    const storage = new MemoryStorage();
    const login = () => new Promise<void>((resolve, reject) => {
      const userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: pool.endpoint, Storage: storage });
      const cognitoUser = new CognitoUser({ Username: username, Pool: userPool, Storage: storage });
      cognitoUser.authenticateUser(new AuthenticationDetails({ Username: username, Password: PASSWORD }), {
        onSuccess: () => resolve(),
        onFailure: reject,
      });
    });
    await login();
    const deviceKey = [...storage.items].find(([k]) => k.endsWith('.deviceKey'))?.[1];
    assert.ok(deviceKey, 'identity-js stored the device key after ConfirmDevice');
    pool.emulator.resetCalls();
    await login();
    assert.equal(pool.emulator.calls('RespondToAuthChallenge'), 3, 'PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER');
    assert.equal(pool.emulator.calls('ConfirmDevice'), 0);
    const idToken = [...storage.items].find(([k]) => k.endsWith('.accessToken'))![1];
    assert.equal(claimsOf(idToken).device_key, deviceKey);
  });

  it('UpdateDeviceStatus, ForgetDevice and AdminForgetDevice; a forgotten device\'s refresh token stops working', async () => {
    const { username, deviceKey, first } = await confirmedDevice();
    await pool.sdk.send(new UpdateDeviceStatusCommand({ AccessToken: first.AccessToken!, DeviceKey: deviceKey, DeviceRememberedStatus: 'not_remembered' }));
    const { Device } = await pool.sdk.send(new GetDeviceCommand({ AccessToken: first.AccessToken!, DeviceKey: deviceKey }));
    assert.equal(Device!.DeviceAttributes!.find((a) => a.Name === 'dev:device_remembered_status')?.Value, 'not_remembered');
    await rejects(pool.sdk.send(new UpdateDeviceStatusCommand({ AccessToken: first.AccessToken!, DeviceKey: deviceKey, DeviceRememberedStatus: 'maybe' as never })), 'InvalidParameterException');
    await pool.sdk.send(new ForgetDeviceCommand({ AccessToken: first.AccessToken!, DeviceKey: deviceKey }));
    await rejects(pool.sdk.send(new GetDeviceCommand({ AccessToken: first.AccessToken!, DeviceKey: deviceKey })), 'ResourceNotFoundException');
    await rejects(pool.sdk.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: first.RefreshToken!, DEVICE_KEY: deviceKey },
    })), 'NotAuthorizedException');
    // The next sign-in gets a new device.
    const next = await srpLogin(target(), username, PASSWORD);
    const other = next.AuthenticationResult!.NewDeviceMetadata!.DeviceKey!;
    assert.notEqual(other, deviceKey);
    await pool.sdk.send(new AdminForgetDeviceCommand({ UserPoolId: poolId, Username: username, DeviceKey: other }));
    await rejects(pool.sdk.send(new AdminForgetDeviceCommand({ UserPoolId: poolId, Username: username, DeviceKey: other })), 'ResourceNotFoundException');
  });

  it('ConfirmDevice refuses another user\'s device and a malformed verifier', async () => {
    const a = await confirmedDevice();
    const b = await confirmedDevice();
    await rejects(pool.sdk.send(new ConfirmDeviceCommand({
      AccessToken: b.first.AccessToken!, DeviceKey: a.deviceKey, DeviceSecretVerifierConfig: { PasswordVerifier: 'AAAA', Salt: 'AAAA' },
    })), 'ResourceNotFoundException');
    await rejects(pool.sdk.send(new ConfirmDeviceCommand({
      AccessToken: b.first.AccessToken!, DeviceKey: b.deviceKey, DeviceSecretVerifierConfig: { PasswordVerifier: 'AQ==', Salt: 'not base64!' },
    })), 'InvalidParameterException');
  });

  it('DeviceOnlyRememberedOnUserPrompt: ConfirmDevice asks for the user\'s consent', async () => {
    const prompt = await devicePool({ DeviceOnlyRememberedOnUserPrompt: true });
    const username = await user(prompt.poolId);
    const out = await srpLogin({ sdk: pool.sdk, ...prompt }, username, PASSWORD);
    const { DeviceKey, DeviceGroupKey } = out.AuthenticationResult!.NewDeviceMetadata!;
    const { passwordVerifier, salt } = generateDeviceVerifier(DeviceGroupKey!, DeviceKey!);
    const confirmed = await pool.sdk.send(new ConfirmDeviceCommand({
      AccessToken: out.AuthenticationResult!.AccessToken!,
      DeviceKey: DeviceKey!,
      DeviceSecretVerifierConfig: { PasswordVerifier: passwordVerifier, Salt: salt },
    }));
    assert.equal(confirmed.UserConfirmationNecessary, true);
  });
});
