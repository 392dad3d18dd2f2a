import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { resolveConfig } from '../../lib/config';
import { JwksNotLoadedError, JwksUnavailableError, TokenVerificationError, type TokenErrorCode } from '../../lib/errors';
import { clearJwksCaches, JwksCache } from '../../lib/jwks-cache';
import { MAX_TOKEN_LENGTH, TokenVerifier } from '../../lib/token-verifier';
import { atHash, signingKey, TokenFixture } from '../support/tokens';

const COOLDOWN = 30_000;

async function expectRefused(p: Promise<unknown>, code: TokenErrorCode, claim?: string, token?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TokenVerificationError, `expected TokenVerificationError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status, 401);
    if (claim !== undefined) assert.equal(e.claim, claim);
    assert.ok(e.reason.length > 0);
    if (token) {
      for (const part of token.split('.').filter((s) => s.length > 8)) {
        assert.ok(!e.message.includes(part) && !e.reason.includes(part), 'the message never holds the token');
      }
    }
    return true;
  });
}

describe('lib/token-verifier', () => {
  let fx: TokenFixture;
  let verifier: TokenVerifier;
  let now: number; // seconds, at fx.now

  beforeEach(async () => {
    fx = await TokenFixture.start();
    verifier = new TokenVerifier({ ...fx.options(), leewaySeconds: 5, jwksCooldownMs: COOLDOWN });
    now = Math.floor(fx.now / 1000);
  });
  afterEach(async () => {
    await fx.close();
    clearJwksCaches();
  });

  describe('valid tokens', () => {
    it('an access token: claims returned, keys fetched on first use only', async () => {
      assert.equal(fx.requests, 0, 'no I/O in the constructor');
      const claims = await verifier.verify(fx.accessToken(), 'access');
      assert.equal(claims.token_use, 'access');
      assert.equal(claims.client_id, fx.clientId);
      assert.equal(claims.username, 'alice');
      assert.equal(claims.iss, fx.issuer);
      assert.equal(claims.scope, 'aws.cognito.signin.user.admin');
      await verifier.verify(fx.accessToken(), 'access');
      assert.equal(fx.requests, 1);
    });

    it('an ID token, with its at_hash checked against the access token', async () => {
      const access = fx.accessToken();
      const id = fx.idToken({ at_hash: atHash(access), 'cognito:groups': ['admin'] });
      const claims = await verifier.verify(id, 'id', { accessToken: access });
      assert.equal(claims.token_use, 'id');
      assert.equal(claims.aud, fx.clientId);
      assert.equal(claims['cognito:username'], 'alice');
      assert.deepEqual(claims['cognito:groups'], ['admin']);
      assert.equal(claims.email_verified, true);
      // No at_hash in the token, or no access token given: nothing to compare.
      await verifier.verify(fx.idToken(), 'id', { accessToken: access });
      await verifier.verify(id, 'id');
    });

    it('an M2M access token without username', async () => {
      const claims = await verifier.verify(fx.accessToken({ username: undefined, sub: fx.clientId, scope: 'api/read' }), 'access');
      assert.equal(claims.username, undefined);
    });

    it('refuses a re-spelling of a valid token (non-zero unused bits in a segment\'s last character)', async () => {
      const token = fx.accessToken();
      await verifier.verify(token, 'access');
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const [h, p, sig] = token.split('.') as [string, string, string];
      assert.notEqual(sig.length % 4, 0, 'an RS256 signature leaves unused bits');
      const last = alphabet.indexOf(sig[sig.length - 1]);
      const respelt = `${h}.${p}.${sig.slice(0, -1)}${alphabet[last | 1]}`;
      assert.deepEqual(Buffer.from(respelt.split('.')[2], 'base64url'), Buffer.from(sig, 'base64url'), 'same bytes');
      await assert.rejects(verifier.verify(respelt, 'access'), { code: 'ERR_COGNITO_TOKEN_MALFORMED' });
    });

    it('accepts a typ header', async () => {
      await verifier.verify(fx.accessToken({}, { header: { typ: 'JWT' } }), 'access');
    });

    it('several allowed client ids', async () => {
      const v = new TokenVerifier({ ...fx.options(), clientId: ['web', fx.clientId, 'mobile'] });
      for (const id of ['web', fx.clientId, 'mobile']) {
        await v.verify(fx.accessToken({ client_id: id }), 'access');
        await v.verify(fx.idToken({ aud: id }), 'id');
      }
      await expectRefused(v.verify(fx.accessToken({ client_id: 'other' }), 'access'), 'ERR_COGNITO_TOKEN_AUDIENCE', 'client_id');
      await expectRefused(v.verify(fx.idToken({ aud: 'other' }), 'id'), 'ERR_COGNITO_TOKEN_AUDIENCE', 'aud');
    });

    it('the issuer of a pool without endpoint, with static keys', async () => {
      const v = new TokenVerifier({ userPoolId: fx.poolId, clientId: fx.clientId, jwks: fx.jwks(), clock: fx.clock });
      assert.equal(v.config.issuer, `https://cognito-idp.us-east-1.amazonaws.com/${fx.poolId}`);
      await v.verify(fx.accessToken({ iss: v.config.issuer }), 'access');
      await expectRefused(v.verify(fx.accessToken(), 'access'), 'ERR_COGNITO_TOKEN_ISSUER', 'iss');
      assert.equal(fx.requests, 0);
    });

    it('refuses a bad tokenUse argument with TypeError', async () => {
      await assert.rejects(verifier.verify(fx.accessToken(), 'refresh' as 'id'), TypeError);
    });
  });

  describe('each failure code', () => {
    it('ERR_COGNITO_TOKEN_MISSING', async () => {
      for (const t of ['', undefined, null]) await expectRefused(verifier.verify(t as unknown as string, 'access'), 'ERR_COGNITO_TOKEN_MISSING');
    });

    it('ERR_COGNITO_TOKEN_MALFORMED, before any JWKS fetch', async () => {
      const good = fx.accessToken();
      const [h, p, s] = good.split('.') as [string, string, string];
      const bad = [
        'abc', 'a.b', `${good}.x`, `${h}..${s}`, `${h}.${p}.`, `${h}.${p}!.${s}`, `${h}.${p}.${s}=`, ` ${good}`,
        `${Buffer.from('not json').toString('base64url')}.${p}.${s}`,
        `${Buffer.from('[1]').toString('base64url')}.${p}.${s}`,
        `${Buffer.from('"RS256"').toString('base64url')}.${p}.${s}`,
        fx.accessToken({ pad: 'x'.repeat(MAX_TOKEN_LENGTH) }),
      ];
      for (const t of bad) await expectRefused(verifier.verify(t, 'access'), 'ERR_COGNITO_TOKEN_MALFORMED', undefined, t);
      await expectRefused(verifier.verify(42 as unknown as string, 'access'), 'ERR_COGNITO_TOKEN_MALFORMED');
      assert.equal(fx.requests, 0);
    });

    it('ERR_COGNITO_TOKEN_MALFORMED for a signed payload that is not a JSON object', async () => {
      const header = Buffer.from(JSON.stringify({ kid: fx.key.kid, alg: 'RS256' })).toString('base64url');
      const { sign } = await import('node:crypto');
      for (const body of ['[1,2]', 'not json']) {
        const input = `${header}.${Buffer.from(body).toString('base64url')}`;
        const t = `${input}.${sign('sha256', Buffer.from(input), fx.key.privateKey).toString('base64url')}`;
        await expectRefused(verifier.verify(t, 'access'), 'ERR_COGNITO_TOKEN_MALFORMED');
      }
    });

    it('ERR_COGNITO_TOKEN_ALG: none, HS256 with the public key as secret, RS512, missing', async () => {
      const pem = fx.key.publicKey.export({ type: 'spki', format: 'pem' });
      const tokens = [
        fx.accessToken({}, { header: { alg: 'none' }, sign: { mode: 'none' } }),
        fx.accessToken({}, { header: { alg: 'HS256' }, sign: { mode: 'hs256', secret: pem } }),
        fx.accessToken({}, { header: { alg: 'RS512' } }),
        fx.accessToken({}, { header: { alg: undefined } }),
        fx.accessToken({}, { header: { alg: 'rs256' } }),
      ];
      for (const t of tokens) await expectRefused(verifier.verify(t, 'access'), 'ERR_COGNITO_TOKEN_ALG', 'alg', t);
      assert.equal(fx.requests, 0);
    });

    it('ERR_COGNITO_TOKEN_HEADER: jku, x5u, jwk, x5c, crit, b64, unknown parameters, missing or bad kid', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ jku: `${fx.endpoint}/evil.json` }, 'jku'],
        [{ x5u: 'https://evil.example/cert.pem' }, 'x5u'],
        [{ jwk: fx.key.publicJwk }, 'jwk'],
        [{ x5c: ['MIIB'] }, 'x5c'],
        [{ crit: ['exp'], exp: 1 }, 'crit'],
        [{ b64: false }, 'b64'],
        [{ zip: 'DEF' }, 'zip'],
        [{ foo: 'bar' }, 'foo'],
        [{ kid: undefined }, 'kid'],
        [{ kid: '' }, 'kid'],
        [{ kid: 42 }, 'kid'],
        [{ kid: 'k'.repeat(300) }, 'kid'],
        [{ typ: 7 }, 'typ'],
      ];
      for (const [header, claim] of cases) {
        await expectRefused(verifier.verify(fx.accessToken({}, { header }), 'access'), 'ERR_COGNITO_TOKEN_HEADER', claim);
      }
      assert.equal(fx.requests, 0);
    });

    it('ERR_COGNITO_TOKEN_KID_UNKNOWN', async () => {
      const t = fx.accessToken({}, { header: { kid: randomUUID() } });
      await expectRefused(verifier.verify(t, 'access'), 'ERR_COGNITO_TOKEN_KID_UNKNOWN', 'kid');
    });

    it('ERR_COGNITO_TOKEN_SIGNATURE: a stranger\'s key under our kid, a tampered payload, a garbage signature', async () => {
      const stranger = await signingKey(2, fx.key.kid);
      const good = fx.accessToken();
      const [h, , s] = good.split('.') as [string, string, string];
      const tampered = `${h}.${Buffer.from(JSON.stringify(fx.accessClaims({ username: 'admin' }))).toString('base64url')}.${s}`;
      const tokens = [
        fx.accessToken({}, { sign: { mode: 'rs256', key: stranger } }),
        tampered,
        fx.accessToken({}, { sign: { mode: 'raw', signature: 'AAAA' } }),
        fx.accessToken({}, { sign: { mode: 'raw', signature: s.slice(0, -4) + (s.endsWith('AAAA') ? 'BBBB' : 'AAAA') } }),
      ];
      for (const t of tokens) await expectRefused(verifier.verify(t, 'access'), 'ERR_COGNITO_TOKEN_SIGNATURE', undefined, t);
    });

    it('ERR_COGNITO_TOKEN_ISSUER: another pool, a trailing slash, missing, not a string', async () => {
      for (const iss of [`${fx.endpoint}/us-east-1_Other`, `${fx.issuer}/`, 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Fixture1', undefined, 42]) {
        await expectRefused(verifier.verify(fx.accessToken({ iss }), 'access'), 'ERR_COGNITO_TOKEN_ISSUER', 'iss');
      }
    });

    it('ERR_COGNITO_TOKEN_AUDIENCE: client_id on access tokens (aud ignored), aud on ID tokens', async () => {
      await expectRefused(verifier.verify(fx.accessToken({ client_id: 'other', aud: fx.clientId }), 'access'), 'ERR_COGNITO_TOKEN_AUDIENCE', 'client_id');
      await expectRefused(verifier.verify(fx.idToken({ aud: 'other', client_id: fx.clientId }), 'id'), 'ERR_COGNITO_TOKEN_AUDIENCE', 'aud');
      // An access token's aud (Cognito sends none) does not matter.
      await verifier.verify(fx.accessToken({ aud: 'whatever' }), 'access');
    });

    it('ERR_COGNITO_TOKEN_USE: an ID token used as access token and the reverse', async () => {
      await expectRefused(verifier.verify(fx.idToken(), 'access'), 'ERR_COGNITO_TOKEN_USE', 'token_use');
      await expectRefused(verifier.verify(fx.accessToken(), 'id'), 'ERR_COGNITO_TOKEN_USE', 'token_use');
      await expectRefused(verifier.verify(fx.accessToken({ token_use: 'refresh' }), 'access'), 'ERR_COGNITO_TOKEN_USE', 'token_use');
    });

    it('ERR_COGNITO_TOKEN_EXPIRED / NOT_YET_VALID / IAT with the leeway on both sides (5 s)', async () => {
      await verifier.verify(fx.accessToken({ exp: now - 4 }), 'access');
      await expectRefused(verifier.verify(fx.accessToken({ exp: now - 5 }), 'access'), 'ERR_COGNITO_TOKEN_EXPIRED', 'exp');
      await expectRefused(verifier.verify(fx.accessToken({ exp: now - 3600 }), 'access'), 'ERR_COGNITO_TOKEN_EXPIRED', 'exp');
      await verifier.verify(fx.accessToken({ nbf: now + 5 }), 'access');
      await expectRefused(verifier.verify(fx.accessToken({ nbf: now + 6 }), 'access'), 'ERR_COGNITO_TOKEN_NOT_YET_VALID', 'nbf');
      await verifier.verify(fx.accessToken({ iat: now + 5 }), 'access');
      await expectRefused(verifier.verify(fx.accessToken({ iat: now + 6 }), 'access'), 'ERR_COGNITO_TOKEN_IAT', 'iat');
    });

    it('the clock is injected: moving it expires a token', async () => {
      const t = fx.accessToken({ exp: now + 60 });
      await verifier.verify(t, 'access');
      fx.now += 64_000;
      await verifier.verify(t, 'access');
      fx.now += 1_000;
      await expectRefused(verifier.verify(t, 'access'), 'ERR_COGNITO_TOKEN_EXPIRED', 'exp');
    });

    it('leewaySeconds: 0 is strict', async () => {
      const strict = new TokenVerifier({ ...fx.options(), leewaySeconds: 0 });
      await strict.verify(fx.accessToken({ exp: now + 1, iat: now }), 'access');
      await expectRefused(strict.verify(fx.accessToken({ exp: now }), 'access'), 'ERR_COGNITO_TOKEN_EXPIRED', 'exp');
      await expectRefused(strict.verify(fx.accessToken({ iat: now + 1 }), 'access'), 'ERR_COGNITO_TOKEN_IAT', 'iat');
      await expectRefused(strict.verify(fx.accessToken({ nbf: now + 1 }), 'access'), 'ERR_COGNITO_TOKEN_NOT_YET_VALID', 'nbf');
    });

    it('ERR_COGNITO_TOKEN_CLAIM: a claim missing or of the wrong type', async () => {
      const access: Array<[Record<string, unknown>, string]> = [
        [{ exp: undefined }, 'exp'], [{ exp: String(now + 60) }, 'exp'],
        [{ iat: undefined }, 'iat'], [{ iat: 'yesterday' }, 'iat'],
        [{ nbf: 'soon' }, 'nbf'],
        [{ sub: undefined }, 'sub'], [{ sub: 42 }, 'sub'], [{ sub: '' }, 'sub'],
        [{ token_use: undefined }, 'token_use'], [{ token_use: ['access'] }, 'token_use'],
        [{ client_id: undefined }, 'client_id'], [{ client_id: [fx.clientId] }, 'client_id'],
        [{ 'cognito:groups': 'admin' }, 'cognito:groups'], [{ 'cognito:groups': [1] }, 'cognito:groups'],
        [{ auth_time: 'x' }, 'auth_time'], [{ scope: ['a'] }, 'scope'], [{ username: 7 }, 'username'],
      ];
      for (const [claims, claim] of access) {
        await expectRefused(verifier.verify(fx.accessToken(claims), 'access'), 'ERR_COGNITO_TOKEN_CLAIM', claim);
      }
      const id: Array<[Record<string, unknown>, string]> = [
        [{ aud: undefined }, 'aud'], [{ aud: [fx.clientId] }, 'aud'], [{ 'cognito:username': undefined }, 'cognito:username'],
      ];
      for (const [claims, claim] of id) await expectRefused(verifier.verify(fx.idToken(claims), 'id'), 'ERR_COGNITO_TOKEN_CLAIM', claim);
      await expectRefused(verifier.verify(fx.idToken({ at_hash: 5 }), 'id', { accessToken: 'x' }), 'ERR_COGNITO_TOKEN_CLAIM', 'at_hash');
    });

    it('ERR_COGNITO_TOKEN_AT_HASH', async () => {
      const access = fx.accessToken();
      const id = fx.idToken({ at_hash: atHash(fx.accessToken()) });
      await expectRefused(verifier.verify(id, 'id', { accessToken: access }), 'ERR_COGNITO_TOKEN_AT_HASH', 'at_hash');
    });
  });

  describe('verifyNow: the answer in the same tick when no I/O is needed', () => {
    it('a promise while the keys are not loaded; then claims (not a promise) for new and cached tokens alike', async () => {
      const first = verifier.verifyNow(fx.accessToken(), 'access');
      assert.ok(first instanceof Promise, 'the keys must be fetched first');
      assert.equal((await first).token_use, 'access');
      const fresh = fx.accessToken({ username: 'bob' });
      const claims = verifier.verifyNow(fresh, 'access');
      assert.ok(!(claims instanceof Promise), 'a new token signed by a held key: verified synchronously');
      assert.equal(claims.username, 'bob');
      assert.equal(verifier.verifyNow(fresh, 'access'), claims, 'then from the cache: the same frozen claims');
      const id = fx.idToken();
      assert.equal((verifier.verifyNow(id, 'id') as { token_use: string }).token_use, 'id');
      assert.equal(fx.requests, 1);
    });

    it('refusals are thrown synchronously, with the same codes as verify()', async () => {
      await verifier.verify(fx.accessToken(), 'access');
      const good = fx.accessToken();
      const [h, p, s] = good.split('.') as [string, string, string];
      const cases: Array<[string, TokenErrorCode]> = [
        [`${h}.${p}.${s.slice(0, 20)}${s[20] === 'A' ? 'B' : 'A'}${s.slice(21)}`, 'ERR_COGNITO_TOKEN_SIGNATURE'],
        [fx.accessToken({ exp: now - 60 }), 'ERR_COGNITO_TOKEN_EXPIRED'],
        [fx.accessToken({ client_id: 'another' }), 'ERR_COGNITO_TOKEN_AUDIENCE'],
        [fx.idToken(), 'ERR_COGNITO_TOKEN_USE'],
        ['not.a.jwt', 'ERR_COGNITO_TOKEN_MALFORMED'],
        ['', 'ERR_COGNITO_TOKEN_MISSING'],
      ];
      for (const [token, code] of cases) {
        assert.throws(() => verifier.verifyNow(token, 'access'), (e: unknown) => e instanceof TokenVerificationError && e.code === code, code);
        await expectRefused(verifier.verify(token, 'access'), code);
      }
      // A cached token refused on a hit (another tokenUse) is thrown synchronously too.
      void verifier.verifyNow(good, 'access');
      assert.throws(() => verifier.verifyNow(good, 'id'), (e: unknown) => e instanceof TokenVerificationError && e.code === 'ERR_COGNITO_TOKEN_USE');
      assert.throws(() => verifier.verifyNow(good, 'refresh' as 'id'), TypeError);
    });

    it('an unknown kid is a promise (a refetch may find it), rejected with ERR_COGNITO_TOKEN_KID_UNKNOWN', async () => {
      await verifier.verify(fx.accessToken(), 'access');
      const answer = verifier.verifyNow(fx.accessToken({}, { header: { kid: randomUUID() } }), 'access');
      assert.ok(answer instanceof Promise);
      await expectRefused(answer, 'ERR_COGNITO_TOKEN_KID_UNKNOWN');
    });
  });

  describe('verifySync: never any I/O', () => {
    it('refuses with ERR_COGNITO_JWKS_NOT_LOADED (503) before the keys are loaded, without fetching them', () => {
      assert.throws(() => verifier.verifySync(fx.accessToken(), 'access'), (e: unknown) => {
        assert.ok(e instanceof JwksNotLoadedError && e instanceof JwksUnavailableError);
        assert.equal(e.code, 'ERR_COGNITO_JWKS_NOT_LOADED');
        assert.equal(e.status, 503);
        return true;
      });
      assert.equal(fx.requests, 0, 'verifySync fetched nothing');
    });

    it('after loadKeys(): claims in the same tick, refusals thrown with the codes of verify()', async () => {
      await verifier.loadKeys();
      assert.equal(fx.requests, 1);
      const token = fx.accessToken({ username: 'carol' });
      const claims = verifier.verifySync(token, 'access');
      assert.equal(claims.username, 'carol');
      assert.ok(Object.isFrozen(claims));
      assert.equal(verifier.verifySync(token, 'access'), claims, 'a second time from the cache');
      assert.equal(verifier.verifySync(fx.idToken(), 'id').token_use, 'id');
      const cases: Array<[string, TokenErrorCode]> = [
        [fx.accessToken({ exp: now - 60 }), 'ERR_COGNITO_TOKEN_EXPIRED'],
        [fx.accessToken({}, { header: { kid: randomUUID() } }), 'ERR_COGNITO_TOKEN_KID_UNKNOWN'],
        [fx.idToken(), 'ERR_COGNITO_TOKEN_USE'],
        [token, 'ERR_COGNITO_TOKEN_USE'],
        ['', 'ERR_COGNITO_TOKEN_MISSING'],
      ];
      for (const [t, code] of cases) {
        const tokenUse = t === token ? 'id' : 'access';
        assert.throws(() => verifier.verifySync(t, tokenUse), (e: unknown) => e instanceof TokenVerificationError && e.code === code, code);
      }
      assert.equal(fx.requests, 1, 'an unknown kid does not refetch in verifySync');
    });

    it('keys held but not imported yet (static jwks) are imported on the spot', () => {
      const v = new TokenVerifier({ ...fx.options(), jwks: fx.jwks() }, { tokenCacheSize: 0 });
      assert.equal(v.verifySync(fx.accessToken(), 'access').token_use, 'access');
      assert.equal(fx.requests, 0);
    });

    it('loadKeys() with the JWKS down: JwksUnavailableError, and verifySync still says not loaded', async () => {
      fx.mode = 'status500';
      await assert.rejects(verifier.loadKeys(), (e: unknown) => e instanceof JwksUnavailableError && e.code === 'ERR_COGNITO_JWKS_UNAVAILABLE');
      assert.throws(() => verifier.verifySync(fx.accessToken(), 'access'), JwksNotLoadedError);
    });
  });

  describe('keys', () => {
    it('concurrent cold-start verifications share one fetch', async () => {
      const tokens = Array.from({ length: 100 }, () => fx.accessToken());
      await Promise.all(tokens.map((t) => verifier.verify(t, 'access')));
      assert.equal(fx.requests, 1);
    });

    it('200 concurrent unknown-kid verifications: exactly one refetch per cooldown', async () => {
      await verifier.verify(fx.accessToken(), 'access');
      assert.equal(fx.requests, 1);
      const storm = async (): Promise<void> => {
        const tokens = Array.from({ length: 200 }, () => fx.accessToken({}, { header: { kid: randomUUID() } }));
        const results = await Promise.allSettled(tokens.map((t) => verifier.verify(t, 'access')));
        for (const r of results) {
          assert.equal(r.status, 'rejected');
          assert.equal((r).reason.code, 'ERR_COGNITO_TOKEN_KID_UNKNOWN');
        }
      };
      await storm();
      assert.equal(fx.requests, 1, 'within the cooldown of the first fetch');
      fx.now += COOLDOWN;
      await storm();
      assert.equal(fx.requests, 2);
      await storm();
      assert.equal(fx.requests, 2);
      fx.now += COOLDOWN;
      await storm();
      assert.equal(fx.requests, 3);
      await verifier.verify(fx.accessToken(), 'access');
    });

    it('key rotation: a token signed by a new key → one refetch, then success', async () => {
      await verifier.verify(fx.accessToken(), 'access');
      fx.now += COOLDOWN;
      const next = await fx.rotate();
      const claims = await verifier.verify(fx.accessToken({}, { sign: { mode: 'rs256', key: next } }), 'access');
      assert.equal(claims.token_use, 'access');
      assert.equal(fx.requests, 2);
      await verifier.verify(fx.accessToken(), 'access');
      assert.equal(fx.requests, 2);
    });

    it('JWKS server down after a fetch: the keys held still work', async () => {
      await verifier.verify(fx.accessToken(), 'access');
      fx.mode = 'status500';
      fx.now += COOLDOWN;
      await verifier.verify(fx.accessToken(), 'access');
      await expectRefused(verifier.verify(fx.accessToken({}, { header: { kid: 'gone' } }), 'access'), 'ERR_COGNITO_TOKEN_KID_UNKNOWN', 'kid');
      await verifier.verify(fx.accessToken(), 'access');
    });

    it('JWKS server down at cold start: JwksUnavailableError (503), then recovery', async () => {
      fx.mode = 'status500';
      await assert.rejects(verifier.verify(fx.accessToken(), 'access'), (e: unknown) => {
        assert.ok(e instanceof JwksUnavailableError);
        assert.equal(e.code, 'ERR_COGNITO_JWKS_UNAVAILABLE');
        assert.equal(e.status, 503);
        return true;
      });
      fx.mode = 'ok';
      await verifier.verify(fx.accessToken(), 'access');
    });

    it('static jwks option: no fetch', async () => {
      const v = new TokenVerifier({ ...fx.options(), jwks: fx.jwks() });
      await v.verify(fx.accessToken(), 'access');
      await expectRefused(v.verify(fx.accessToken({}, { header: { kid: 'other' } }), 'access'), 'ERR_COGNITO_TOKEN_KID_UNKNOWN');
      assert.equal(fx.requests, 0);
    });

    it('COGNITO_JWKS: no fetch (config resolved from an environment)', async () => {
      const config = resolveConfig({ clock: fx.clock }, {
        COGNITO_USER_POOL_ID: fx.poolId, COGNITO_CLIENT_ID: fx.clientId, COGNITO_ENDPOINT: fx.endpoint,
        COGNITO_JWKS: JSON.stringify(fx.jwks()),
      });
      const v = new TokenVerifier(config);
      assert.equal(v.config, config);
      await v.verify(fx.accessToken(), 'access');
      await v.verify(fx.idToken(), 'id');
      assert.equal(fx.requests, 0);
    });

    it('verifiers of the same pool share one JWKS cache', async () => {
      const other = new TokenVerifier(fx.options());
      assert.equal(other.jwksCache, verifier.jwksCache);
      await verifier.verify(fx.accessToken(), 'access');
      await other.verify(fx.idToken(), 'id');
      assert.equal(fx.requests, 1);
    });

    it('an injected JwksCache is used', async () => {
      let fetched = 0;
      const cache = new JwksCache(fx.jwksUri, { fetcher: () => { fetched++; return Promise.resolve(fx.jwks()); } });
      const v = new TokenVerifier(fx.options(), { jwksCache: cache });
      await v.verify(fx.accessToken(), 'access');
      assert.equal(fetched, 1);
      assert.equal(fx.requests, 0);
    });
  });
});
