/**
 * lib/renewal with a scripted client: which operation is used when, what it is sent, and which error
 * comes out — without the emulator.
 */
import assert from 'node:assert/strict';
import { resolveConfig } from '../../lib/config';
import { isCognitoError } from '../../lib/errors';
import { refreshUsername, renewTokens, type RenewalInput } from '../../lib/renewal';
import { secretHash } from '../../lib/secret-hash';
import { ServiceClient } from '../../lib/service-client';

function jwt(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.sig`;
}

function sdkError(name: string, status = 400, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

const RESULT = { AuthenticationResult: { AccessToken: 'a', IdToken: 'i', ExpiresIn: 3600, TokenType: 'Bearer' } };

/** A client answering each command from `script` by command name, recording what it was sent. */
function scripted(
  script: Record<string, Array<unknown>>,
): { service: ServiceClient; sent: Array<{ name: string; input: Record<string, unknown> }> } {
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client = {
    send: (command: unknown) => {
      const name = (command as object).constructor.name.replace(/Command$/, '');
      sent.push({ name, input: (command as { input: Record<string, unknown> }).input });
      const next = script[name]?.shift();
      if (next instanceof Error) return Promise.reject(next);
      if (next === undefined) return Promise.reject(new Error(`unexpected ${name}`));
      return Promise.resolve(next);
    },
  };
  return { service: new ServiceClient(resolveConfig({ userPoolId: 'eu-west-1_AbC', clientId: 'client', client }, {})), sent };
}

const input = (extra: Partial<RenewalInput> = {}): RenewalInput => ({ clientId: 'client', refreshToken: 'r', rotation: false, ...extra });

describe('lib/renewal', () => {
  it('refreshUsername: cognito:username of the ID token, else username of the access token, else the fallback', () => {
    assert.equal(refreshUsername(jwt({ 'cognito:username': 'internal' }), jwt({ username: 'other' }), 'typed'), 'internal');
    assert.equal(refreshUsername(undefined, jwt({ username: 'other' }), 'typed'), 'other');
    assert.equal(refreshUsername('garbage', 'garbage', 'typed'), 'typed');
    assert.equal(refreshUsername(jwt({ 'cognito:username': 42 }), undefined, undefined), undefined);
  });

  it('REFRESH_TOKEN_AUTH with SECRET_HASH of the internal username and DEVICE_KEY', async () => {
    const { service, sent } = scripted({ InitiateAuth: [RESULT] });
    const out = await renewTokens(service, input({ clientSecret: 'shh', username: 'internal', deviceKey: 'dk' }));
    assert.equal(out.rotation, false);
    assert.deepEqual(sent[0], {
      name: 'InitiateAuth',
      input: { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: 'client', AuthParameters: { REFRESH_TOKEN: 'r', SECRET_HASH: secretHash('internal', 'client', 'shh'), DEVICE_KEY: 'dk' } },
    });
  });

  it('rotation, or a secret without a known username: GetTokensFromRefreshToken with ClientSecret', async () => {
    for (const extra of [{ rotation: true }, { clientSecret: 'shh' }]) {
      const { service, sent } = scripted({ GetTokensFromRefreshToken: [{ AuthenticationResult: { ...RESULT.AuthenticationResult, RefreshToken: 'r2' } }] });
      const out = await renewTokens(service, input({ ...extra, deviceKey: 'dk' }));
      assert.equal(out.rotation, true);
      assert.equal(out.result.RefreshToken, 'r2');
      assert.deepEqual(sent.map((s) => s.name), ['GetTokensFromRefreshToken']);
      assert.equal(sent[0].input.DeviceKey, 'dk');
      assert.equal(sent[0].input.ClientSecret, 'clientSecret' in extra ? 'shh' : undefined);
    }
  });

  it('a refused REFRESH_TOKEN_AUTH is retried once with GetTokensFromRefreshToken', async () => {
    for (const refusal of [sdkError('InvalidParameterException'), sdkError('NotAuthorizedException')]) {
      const { service, sent } = scripted({ InitiateAuth: [refusal], GetTokensFromRefreshToken: [RESULT] });
      assert.equal((await renewTokens(service, input())).rotation, true);
      assert.deepEqual(sent.map((s) => s.name), ['InitiateAuth', 'GetTokensFromRefreshToken']);
    }
  });

  it('errors: a refused token is ERR_COGNITO_REFRESH_REJECTED; throttling is not retried; an unknown operation keeps the first answer', async () => {
    const expect = async (script: Record<string, unknown[]>, code: string, calls: string[]) => {
      const { service, sent } = scripted(script);
      const error = await renewTokens(service, input()).catch((e: unknown) => e);
      assert.ok(isCognitoError(error), String(error));
      assert.equal(error.code, code);
      assert.deepEqual(sent.map((s) => s.name), calls);
    };
    await expect({ InitiateAuth: [sdkError('NotAuthorizedException')], GetTokensFromRefreshToken: [sdkError('NotAuthorizedException')] },
      'ERR_COGNITO_REFRESH_REJECTED', ['InitiateAuth', 'GetTokensFromRefreshToken']);
    await expect({ InitiateAuth: [sdkError('TooManyRequestsException')] }, 'ERR_COGNITO_THROTTLED', ['InitiateAuth']);
    await expect({ InitiateAuth: [sdkError('InternalErrorException', 500)] }, 'ERR_COGNITO_UNAVAILABLE', ['InitiateAuth']);
    await expect({ InitiateAuth: [sdkError('NotAuthorizedException')], GetTokensFromRefreshToken: [sdkError('UnknownOperationException')] },
      'ERR_COGNITO_REFRESH_REJECTED', ['InitiateAuth', 'GetTokensFromRefreshToken']);
    await expect({ InitiateAuth: [sdkError('NotAuthorizedException')], GetTokensFromRefreshToken: [sdkError('ThrottlingException')] },
      'ERR_COGNITO_THROTTLED', ['InitiateAuth', 'GetTokensFromRefreshToken']);
    await expect({ InitiateAuth: [{ AuthenticationResult: {} }] }, 'ERR_COGNITO_SERVICE', ['InitiateAuth']);
  });
});
