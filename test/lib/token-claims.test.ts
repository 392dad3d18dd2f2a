import { strict as assert } from 'node:assert';
import { generateKeyPairSync, sign } from 'node:crypto';
import { TokenVerificationError, type TokenErrorCode } from '../../lib/errors';
import { decodeClaimsSet, parseJws, verifySignature } from '../../lib/jws';
import { atHash, checkClaimsNow, checkClaimsShape, claimsRefusalNow, type ClaimRules } from '../../lib/token-claims';

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test';
const rules: ClaimRules = { issuer: ISSUER, clientIds: new Set(['web']), leewaySeconds: 5 };
const NOW = 1_700_000_000;
const access = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER, sub: 's-1', token_use: 'access', client_id: 'web', username: 'alice', iat: NOW - 10, exp: NOW + 3600, ...extra,
});
const id = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER, sub: 's-1', token_use: 'id', aud: 'web', 'cognito:username': 'alice', iat: NOW - 10, exp: NOW + 3600, ...extra,
});

function refusedWith(fn: () => unknown, code: TokenErrorCode, claim?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TokenVerificationError);
    assert.equal(e.code, code);
    if (claim !== undefined) assert.equal(e.claim, claim);
    return true;
  });
}

describe('lib/token-claims (pure)', () => {
  it('checkClaimsShape: the facts a cache entry keeps, from either kind of token', () => {
    assert.deepEqual(checkClaimsShape(access({ nbf: NOW - 10 }), rules), { tokenUse: 'access', clientId: 'web', exp: NOW + 3600, iat: NOW - 10, nbf: NOW - 10 });
    assert.deepEqual(checkClaimsShape(id(), rules), { tokenUse: 'id', clientId: 'web', exp: NOW + 3600, iat: NOW - 10, nbf: undefined });
    // Another token_use passes the shape (no client id) and is refused per request.
    assert.equal(checkClaimsShape(access({ token_use: 'refresh' }), rules).clientId, '');
  });

  it('checkClaimsShape refusals: issuer first, then presence, then types', () => {
    const cases: Array<[Record<string, unknown>, TokenErrorCode, string]> = [
      [{ ...access(), iss: undefined, sub: undefined }, 'ERR_COGNITO_TOKEN_ISSUER', 'iss'],
      [(() => { const p = access(); delete p.iss; return p; })(), 'ERR_COGNITO_TOKEN_ISSUER', 'iss'],
      [(() => { const p = access({ iss: 'elsewhere' }); delete p.exp; return p; })(), 'ERR_COGNITO_TOKEN_CLAIM', 'exp'],
      [access({ iss: `${ISSUER}/` }), 'ERR_COGNITO_TOKEN_ISSUER', 'iss'],
      [access({ exp: '1' }), 'ERR_COGNITO_TOKEN_CLAIM', 'exp'],
      [access({ iat: null }), 'ERR_COGNITO_TOKEN_CLAIM', 'iat'],
      [access({ nbf: '0' }), 'ERR_COGNITO_TOKEN_CLAIM', 'nbf'],
      [access({ sub: '' }), 'ERR_COGNITO_TOKEN_CLAIM', 'sub'],
      [access({ token_use: ['access'] }), 'ERR_COGNITO_TOKEN_CLAIM', 'token_use'],
      [access({ auth_time: '1' }), 'ERR_COGNITO_TOKEN_CLAIM', 'auth_time'],
      [access({ 'cognito:groups': 'admin' }), 'ERR_COGNITO_TOKEN_CLAIM', 'cognito:groups'],
      [access({ client_id: 7 }), 'ERR_COGNITO_TOKEN_CLAIM', 'client_id'],
      [access({ scope: ['a'] }), 'ERR_COGNITO_TOKEN_CLAIM', 'scope'],
      [id({ aud: ['web'] }), 'ERR_COGNITO_TOKEN_CLAIM', 'aud'],
      [id({ 'cognito:username': 1 }), 'ERR_COGNITO_TOKEN_CLAIM', 'cognito:username'],
      [id({ at_hash: 1 }), 'ERR_COGNITO_TOKEN_CLAIM', 'at_hash'],
    ];
    for (const [p, code, claim] of cases) refusedWith(() => checkClaimsShape(p, rules), code, claim);
  });

  it('claimsRefusalNow: the leeway on both sides, then token_use, then the app client', () => {
    const facts = checkClaimsShape(access({ nbf: NOW }), rules);
    assert.equal(claimsRefusalNow(facts, rules, 'access', NOW), undefined);
    assert.equal(claimsRefusalNow(facts, rules, 'access', NOW - 5), undefined, 'nbf within the leeway');
    assert.equal(claimsRefusalNow(facts, rules, 'access', NOW - 6)?.code, 'ERR_COGNITO_TOKEN_NOT_YET_VALID');
    assert.equal(claimsRefusalNow(facts, rules, 'access', NOW + 3604), undefined, 'exp within the leeway');
    assert.equal(claimsRefusalNow(facts, rules, 'access', NOW + 3605)?.code, 'ERR_COGNITO_TOKEN_EXPIRED');
    const future = checkClaimsShape(access({ iat: NOW + 6 }), rules);
    assert.equal(claimsRefusalNow(future, rules, 'access', NOW)?.code, 'ERR_COGNITO_TOKEN_IAT');
    assert.deepEqual(claimsRefusalNow(facts, rules, 'id', NOW), { code: 'ERR_COGNITO_TOKEN_USE', reason: 'token_use must be "id"', claim: 'token_use' });
    const other = checkClaimsShape(access({ client_id: 'mobile' }), rules);
    assert.equal(claimsRefusalNow(other, rules, 'access', NOW)?.claim, 'client_id');
    assert.equal(claimsRefusalNow(checkClaimsShape(id({ aud: 'mobile' }), rules), rules, 'id', NOW)?.claim, 'aud');
    // An expired token of the wrong use is refused as expired: the order of a full verification.
    assert.equal(claimsRefusalNow(facts, rules, 'id', NOW + 9999)?.code, 'ERR_COGNITO_TOKEN_EXPIRED');
  });

  it('checkClaimsNow: at_hash of an ID token against the access token given', () => {
    const hash = atHash('the-access-token');
    // Known answer: base64url(left half of SHA-256("the-access-token")), computed apart with openssl.
    assert.equal(hash, 'uby9Z8Gb_H_x4fPjwNzguw');
    const p = id({ at_hash: hash });
    const facts = checkClaimsShape(p, rules);
    checkClaimsNow(facts, p, rules, 'id', NOW, 'the-access-token');
    checkClaimsNow(facts, p, rules, 'id', NOW);
    refusedWith(() => checkClaimsNow(facts, p, rules, 'id', NOW, 'another-token'), 'ERR_COGNITO_TOKEN_AT_HASH', 'at_hash');
    const noHash = id();
    checkClaimsNow(checkClaimsShape(noHash, rules), noHash, rules, 'id', NOW, 'anything');
  });
});

describe('lib/jws (pure)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const signed = (header: unknown, payload: unknown): string => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  };

  it('parseJws → verifySignature → decodeClaimsSet on a well-formed token', () => {
    const token = signed({ alg: 'RS256', kid: 'k1' }, { sub: 'x' });
    const jws = parseJws(token);
    assert.equal(jws.kid, 'k1');
    assert.equal(jws.signedLength, token.lastIndexOf('.'));
    assert.equal(verifySignature(token, jws, publicKey), true);
    assert.deepEqual(decodeClaimsSet(jws.payload), { sub: 'x' });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    assert.equal(verifySignature(token, jws, other), false, 'another key');
  });

  it('structure refusals', () => {
    refusedWith(() => parseJws(undefined), 'ERR_COGNITO_TOKEN_MISSING');
    refusedWith(() => parseJws(42), 'ERR_COGNITO_TOKEN_MALFORMED');
    refusedWith(() => parseJws('a.b'), 'ERR_COGNITO_TOKEN_MALFORMED');
    refusedWith(() => parseJws(signed({ alg: 'none', kid: 'k' }, {})), 'ERR_COGNITO_TOKEN_ALG', 'alg');
    refusedWith(() => parseJws(signed({ alg: 'RS256', kid: 'k', jku: 'x' }, {})), 'ERR_COGNITO_TOKEN_HEADER', 'jku');
    refusedWith(() => parseJws(signed({ alg: 'RS256' }, {})), 'ERR_COGNITO_TOKEN_HEADER', 'kid');
    refusedWith(() => decodeClaimsSet(Buffer.from('[1]').toString('base64url')), 'ERR_COGNITO_TOKEN_MALFORMED');
    refusedWith(() => parseJws(`${'a'.repeat(16 * 1024)}.b.c`), 'ERR_COGNITO_TOKEN_MALFORMED');
  });
});
