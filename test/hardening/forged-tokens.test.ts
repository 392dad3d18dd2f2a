/**
 * Hardening: forged and broken tokens (issue 6).
 *
 * 1. A named corpus, each case refused with its own `code`, none accepted, none a 5xx — against
 *    `TokenVerifier.verify`, `Cognito.verifyToken` and `requireCognito()` over HTTP (bearer).
 * 2. Cases that need a real user pool (another app client of the same pool, the same pool id in
 *    another region, a logged-out session's tokens) against the emulator.
 * 3. A fast-check property: ≥ 10,000 random mutations of valid tokens, 0 accepted, 0 crashes.
 *
 * Every file-level count (tried, refused, accepted) is printed at the end, for docs/security.md.
 */
import { strict as assert } from 'node:assert';
import { createHmac, sign as cryptoSign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { AdminInitiateAuthCommand, CognitoIdentityProviderClient, CreateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import express from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { Cognito } from '../../lib/cognito';
import { isCognitoError, TokenVerificationError, type TokenErrorCode } from '../../lib/errors';
import { startEmulator, type Emulator } from '../../lib/emulator';
import { clearJwksCaches } from '../../lib/jwks-cache';
import { TokenVerifier } from '../../lib/token-verifier';
import { requireCognito } from '../../middleware/require-cognito';
import { MemoryRevocationStore } from '../../middleware/revocation-store';
import { EXPRESS_FLAVORS, poolOptions, poolTokens, startApp, storedSession, type TestApp } from '../support/app';
import { startTestPool, TEST_AUTH_FLOWS, type TestPool } from '../support/pool';
import { atHash, signingKey, TokenFixture, type SigningKey } from '../support/tokens';

const LEEWAY = 5;
const COOLDOWN_MS = 30_000;

/** What a case builds its token from. */
interface Ctx {
  fx: TokenFixture;
  /** fx.now, in seconds. */
  now: number;
  /** A key the pool never published (an attacker's). */
  foreign: SigningKey;
  /** A valid access token and ID token of the fixture. */
  access: string;
  id: string;
}

type Target = 'verifier' | 'cognito' | 'http';

/** One forged or broken token. */
interface Case {
  name: string;
  /** The token use the target demands. */
  use: 'access' | 'id';
  make(ctx: Ctx): string;
  /** The code every target must answer with… */
  code: TokenErrorCode;
  /** …and the header parameter or claim at fault, when there is one. */
  claim?: string;
  /**
   * Over HTTP the Authorization header is read strictly (RFC 6750 b64token, ≤ 16 KiB) before any
   * verification: a token that is not a b64token is refused there, with this code.
   */
  httpCode?: string;
  /** The verifier is configured with the AWS issuer and static keys (no endpoint). */
  awsIssuer?: boolean;
  /** Verifier option: the access token the ID token's at_hash is checked against. */
  accessTokenFor?: (ctx: Ctx) => string;
  /** Only these targets (default: all). */
  only?: Target[];
}

const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const seg = (t: string, i: number): string => t.split('.')[i];
const signRaw = (key: SigningKey, headerSeg: string, payloadSeg: string): string =>
  `${headerSeg}.${payloadSeg}.${cryptoSign('sha256', Buffer.from(`${headerSeg}.${payloadSeg}`), key.privateKey).toString('base64url')}`;
const AWS_ISSUER = (region: string, poolId: string): string => `https://cognito-idp.${region}.amazonaws.com/${poolId}`;

// ------------------------------------------------------------------------------------------------
// The corpus

const CORPUS: Case[] = [
  // --- algorithm confusion
  { name: 'alg "none", unsigned', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.accessToken({}, { header: { alg: 'none' }, sign: { mode: 'none' } }) },
  { name: 'alg "none" keeping the original signature', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx, access }) => `${b64({ kid: fx.key.kid, alg: 'none' })}.${seg(access, 1)}.${seg(access, 2)}` },
  { name: 'alg "None" (case variant), unsigned', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.accessToken({}, { header: { alg: 'None' }, sign: { mode: 'none' } }) },
  { name: 'no alg at all', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.accessToken({}, { header: { alg: undefined } }) },
  { name: 'HS256 signed with the public key PEM as the HMAC secret', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.accessToken({}, { header: { alg: 'HS256' }, sign: { mode: 'hs256', secret: fx.key.publicKey.export({ type: 'spki', format: 'pem' }) } }) },
  { name: 'HS256 signed with the public JWK JSON as the HMAC secret', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.accessToken({}, { header: { alg: 'HS256' }, sign: { mode: 'hs256', secret: JSON.stringify(fx.key.publicJwk) } }) },
  { name: 'HS256 signed with the modulus bytes as the HMAC secret', use: 'id', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.idToken({}, { header: { alg: 'HS256' }, sign: { mode: 'hs256', secret: Buffer.from(fx.key.publicJwk.n as string, 'base64url') } }) },
  { name: 'HS512 signed with the public key DER', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => {
      const h = b64({ kid: fx.key.kid, alg: 'HS512' });
      const p = b64(fx.accessClaims());
      const der = fx.key.publicKey.export({ type: 'spki', format: 'der' });
      return `${h}.${p}.${createHmac('sha512', der).update(`${h}.${p}`).digest('base64url')}`;
    } },
  { name: 'PS256 header over an RS256 signature', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.accessToken({}, { header: { alg: 'PS256' } }) },
  { name: 'RS512 header over an RS256 signature', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.accessToken({}, { header: { alg: 'RS512' } }) },
  { name: 'ES256 header', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.accessToken({}, { header: { alg: 'ES256' } }) },
  { name: 'alg "rs256" (lower case)', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.accessToken({}, { header: { alg: 'rs256' } }) },
  { name: 'alg as an array ["RS256"]', use: 'access', code: 'ERR_COGNITO_TOKEN_ALG', claim: 'alg',
    make: ({ fx }) => fx.accessToken({}, { header: { alg: ['RS256'] } }) },

  // --- keys
  { name: 'RS256 by a foreign key under the pool\'s known kid', use: 'access', code: 'ERR_COGNITO_TOKEN_SIGNATURE',
    make: ({ fx, foreign }) => fx.accessToken({}, { header: { kid: fx.key.kid }, sign: { mode: 'rs256', key: foreign } }) },
  { name: 'RS256 by a foreign key under its own (unknown) kid', use: 'id', code: 'ERR_COGNITO_TOKEN_KID_UNKNOWN', claim: 'kid',
    make: ({ fx, foreign }) => fx.idToken({}, { sign: { mode: 'rs256', key: foreign } }) },
  { name: 'unknown kid, otherwise valid', use: 'access', code: 'ERR_COGNITO_TOKEN_KID_UNKNOWN', claim: 'kid',
    make: ({ fx }) => fx.accessToken({}, { header: { kid: 'c2lnbmluZy1rZXktdGhhdC1kb2VzLW5vdC1leGlzdA=' } }) },
  { name: 'kid with a path traversal', use: 'access', code: 'ERR_COGNITO_TOKEN_KID_UNKNOWN', claim: 'kid',
    make: ({ fx }) => fx.accessToken({}, { header: { kid: '../../../../dev/null' } }) },
  { name: 'kid "__proto__"', use: 'access', code: 'ERR_COGNITO_TOKEN_KID_UNKNOWN', claim: 'kid',
    make: ({ fx }) => fx.accessToken({}, { header: { kid: '__proto__' } }) },
  { name: 'no kid', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'kid',
    make: ({ fx }) => fx.accessToken({}, { header: { kid: undefined } }) },
  { name: 'empty kid', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'kid',
    make: ({ fx }) => fx.accessToken({}, { header: { kid: '' } }) },
  { name: 'kid as a number', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'kid',
    make: ({ fx }) => fx.accessToken({}, { header: { kid: 1 } }) },
  { name: 'kid of 300 characters', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'kid',
    make: ({ fx }) => fx.accessToken({}, { header: { kid: 'k'.repeat(300) } }) },

  // --- header parameters Cognito never sends (key injection, critical extensions)
  { name: '"jku" header pointing at an attacker\'s JWKS', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'jku',
    make: ({ fx, foreign }) => fx.accessToken({}, { header: { kid: foreign.kid, jku: 'https://evil.example/jwks.json' }, sign: { mode: 'rs256', key: foreign } }) },
  { name: '"x5u" header', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'x5u',
    make: ({ fx, foreign }) => fx.accessToken({}, { header: { kid: foreign.kid, x5u: 'https://evil.example/cert.pem' }, sign: { mode: 'rs256', key: foreign } }) },
  { name: 'embedded "jwk" header with the attacker\'s key', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'jwk',
    make: ({ fx, foreign }) => fx.accessToken({}, { header: { kid: foreign.kid, jwk: foreign.publicJwk }, sign: { mode: 'rs256', key: foreign } }) },
  { name: 'embedded "jwk" header under the pool\'s kid', use: 'id', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'jwk',
    make: ({ fx, foreign }) => fx.idToken({}, { header: { jwk: { ...foreign.publicJwk, kid: fx.key.kid } }, sign: { mode: 'rs256', key: foreign } }) },
  { name: '"x5c" header', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'x5c',
    make: ({ fx }) => fx.accessToken({}, { header: { x5c: ['MIIB'] } }) },
  { name: '"crit" header', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'crit',
    make: ({ fx }) => fx.accessToken({}, { header: { crit: ['exp'], exp: 1 } }) },
  { name: '"b64": false (unencoded payload)', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'b64',
    make: ({ fx }) => fx.accessToken({}, { header: { b64: false, crit: ['b64'] } }) },
  { name: '"zip" header', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'zip',
    make: ({ fx }) => fx.accessToken({}, { header: { zip: 'DEF' } }) },
  { name: '"__proto__" header parameter', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: '__proto__',
    make: ({ fx, access }) => {
      const h = Buffer.from(`{"kid":"${fx.key.kid}","alg":"RS256","__proto__":{"alg":"none"}}`).toString('base64url');
      return signRaw(fx.key, h, seg(access, 1));
    } },
  { name: '"typ" that is not a string', use: 'access', code: 'ERR_COGNITO_TOKEN_HEADER', claim: 'typ',
    make: ({ fx }) => fx.accessToken({}, { header: { typ: 7 } }) },

  // --- signatures
  { name: 'tampered payload (username → admin) with the original signature', use: 'access', code: 'ERR_COGNITO_TOKEN_SIGNATURE',
    make: ({ fx, access }) => `${seg(access, 0)}.${b64(fx.accessClaims({ username: 'admin', 'cognito:groups': ['admin'] }))}.${seg(access, 2)}` },
  { name: 'tampered payload (exp + 1 day) with the original signature', use: 'access', code: 'ERR_COGNITO_TOKEN_SIGNATURE',
    make: ({ access }) => {
      const claims = JSON.parse(Buffer.from(seg(access, 1), 'base64url').toString()) as { exp: number };
      return `${seg(access, 0)}.${b64({ ...claims, exp: claims.exp + 86_400 })}.${seg(access, 2)}`;
    } },
  { name: 'tampered header (typ added) with the original signature', use: 'access', code: 'ERR_COGNITO_TOKEN_SIGNATURE',
    make: ({ fx, access }) => `${b64({ kid: fx.key.kid, alg: 'RS256', typ: 'JWT' })}.${seg(access, 1)}.${seg(access, 2)}` },
  { name: 'an ID token\'s payload under an access token\'s signature', use: 'id', code: 'ERR_COGNITO_TOKEN_SIGNATURE',
    make: ({ access, id }) => `${seg(id, 0)}.${seg(id, 1)}.${seg(access, 2)}` },
  { name: 'signature cut by one byte', use: 'access', code: 'ERR_COGNITO_TOKEN_SIGNATURE',
    make: ({ access }) => `${seg(access, 0)}.${seg(access, 1)}.${Buffer.from(seg(access, 2), 'base64url').subarray(1).toString('base64url')}` },
  { name: 'signature of all zero bytes', use: 'access', code: 'ERR_COGNITO_TOKEN_SIGNATURE',
    make: ({ fx }) => fx.accessToken({}, { sign: { mode: 'raw', signature: Buffer.alloc(256).toString('base64url') } }) },
  { name: 'signature stripped (trailing dot)', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => `${seg(access, 0)}.${seg(access, 1)}.` },

  // --- shape
  { name: 'two segments', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => `${seg(access, 0)}.${seg(access, 1)}` },
  { name: 'four segments', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => `${access}.${seg(access, 2)}` },
  { name: 'five segments (JWE shape)', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => `${access}.AAAA.BBBB` },
  { name: 'one segment (no dots)', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => access.replace(/\./g, '') },
  { name: 'standard base64 characters (+ and /) in the payload', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => `${seg(access, 0)}.${Buffer.from(seg(access, 1), 'base64url').toString('base64').replace(/=+$/, '')}+/.${seg(access, 2)}` },
  { name: 'base64 padding (=) on the signature', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => `${access}==` },
  { name: 'a space inside the payload', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED', httpCode: 'ERR_COGNITO_AUTHORIZATION_MALFORMED',
    make: ({ access }) => `${seg(access, 0)}.${seg(access, 1).slice(0, 10)} ${seg(access, 1).slice(10)}.${seg(access, 2)}` },
  { name: 'non-ASCII characters in the header', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED', httpCode: 'ERR_COGNITO_AUTHORIZATION_MALFORMED',
    make: ({ access }) => `é${access}` },
  { name: 'a NUL byte in the signature', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED', only: ['verifier', 'cognito'],
    make: ({ access }) => `${access.slice(0, -4)}\0${access.slice(-3)}` },
  { name: 'a 64 KiB token', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED', httpCode: 'ERR_COGNITO_AUTHORIZATION_MALFORMED',
    make: ({ fx }) => fx.accessToken({ pad: 'x'.repeat(48 * 1024) }) },
  { name: 'a header that is not JSON', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => `${b64('{"alg":"RS256","kid":')}.${seg(access, 1)}.${seg(access, 2)}` },
  { name: 'a header that is a JSON array', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => `${b64(['RS256'])}.${seg(access, 1)}.${seg(access, 2)}` },
  { name: 'a header that is JSON null', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => `${b64('null')}.${seg(access, 1)}.${seg(access, 2)}` },
  { name: 'an empty header segment', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ access }) => `.${seg(access, 1)}.${seg(access, 2)}` },
  { name: 'a properly signed payload that is not JSON', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ fx }) => signRaw(fx.key, b64({ kid: fx.key.kid, alg: 'RS256' }), b64('{"sub":')) },
  { name: 'a properly signed payload that is a JSON array', use: 'access', code: 'ERR_COGNITO_TOKEN_MALFORMED',
    make: ({ fx }) => signRaw(fx.key, b64({ kid: fx.key.kid, alg: 'RS256' }), b64([fx.accessClaims()])) },
  { name: 'an empty token', use: 'access', code: 'ERR_COGNITO_TOKEN_MISSING', httpCode: 'ERR_COGNITO_AUTHORIZATION_MALFORMED',
    only: ['verifier', 'http'], make: () => '' },

  // --- issuer
  { name: 'wrong issuer (another pool on the same endpoint)', use: 'access', code: 'ERR_COGNITO_TOKEN_ISSUER', claim: 'iss',
    make: ({ fx }) => fx.accessToken({ iss: `${fx.endpoint}/us-east-1_Another1` }) },
  { name: 'issuer with a trailing slash', use: 'access', code: 'ERR_COGNITO_TOKEN_ISSUER', claim: 'iss',
    make: ({ fx }) => fx.accessToken({ iss: `${fx.issuer}/` }) },
  { name: 'issuer in another case', use: 'id', code: 'ERR_COGNITO_TOKEN_ISSUER', claim: 'iss',
    make: ({ fx }) => fx.idToken({ iss: fx.issuer.replace(fx.poolId, fx.poolId.toLowerCase()) }) },
  { name: 'issuer over https instead of the endpoint\'s http', use: 'access', code: 'ERR_COGNITO_TOKEN_ISSUER', claim: 'iss',
    make: ({ fx }) => fx.accessToken({ iss: fx.issuer.replace('http:', 'https:') }) },
  { name: 'issuer as an array holding the right one', use: 'access', code: 'ERR_COGNITO_TOKEN_ISSUER', claim: 'iss',
    make: ({ fx }) => fx.accessToken({ iss: [fx.issuer] }) },
  { name: 'no issuer', use: 'access', code: 'ERR_COGNITO_TOKEN_ISSUER', claim: 'iss',
    make: ({ fx }) => fx.accessToken({ iss: undefined }) },
  { name: 'the right pool in another region (AWS issuer)', use: 'access', code: 'ERR_COGNITO_TOKEN_ISSUER', claim: 'iss', awsIssuer: true,
    make: ({ fx }) => fx.accessToken({ iss: AWS_ISSUER('eu-west-1', fx.poolId) }) },
  { name: 'the right pool in another region, ID token (AWS issuer)', use: 'id', code: 'ERR_COGNITO_TOKEN_ISSUER', claim: 'iss', awsIssuer: true,
    make: ({ fx }) => fx.idToken({ iss: AWS_ISSUER('us-west-2', fx.poolId) }) },
  { name: 'the AWS issuer with a trailing slash (AWS issuer)', use: 'access', code: 'ERR_COGNITO_TOKEN_ISSUER', claim: 'iss', awsIssuer: true,
    make: ({ fx }) => fx.accessToken({ iss: `${AWS_ISSUER('us-east-1', fx.poolId)}/` }) },
  { name: 'the AWS issuer over http (AWS issuer)', use: 'access', code: 'ERR_COGNITO_TOKEN_ISSUER', claim: 'iss', awsIssuer: true,
    make: ({ fx }) => fx.accessToken({ iss: AWS_ISSUER('us-east-1', fx.poolId).replace('https:', 'http:') }) },

  // --- audience / app client
  { name: 'access token of another app client (client_id)', use: 'access', code: 'ERR_COGNITO_TOKEN_AUDIENCE', claim: 'client_id',
    make: ({ fx }) => fx.accessToken({ client_id: 'someotherclient' }) },
  { name: 'access token with the right aud but another client_id', use: 'access', code: 'ERR_COGNITO_TOKEN_AUDIENCE', claim: 'client_id',
    make: ({ fx }) => fx.accessToken({ client_id: 'someotherclient', aud: fx.clientId }) },
  { name: 'access token without client_id', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'client_id',
    make: ({ fx }) => fx.accessToken({ client_id: undefined }) },
  { name: 'client_id as an array holding the right one', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'client_id',
    make: ({ fx }) => fx.accessToken({ client_id: [fx.clientId] }) },
  { name: 'ID token of another app client (aud)', use: 'id', code: 'ERR_COGNITO_TOKEN_AUDIENCE', claim: 'aud',
    make: ({ fx }) => fx.idToken({ aud: 'someotherclient' }) },
  { name: 'ID token with aud as an array holding the right one', use: 'id', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'aud',
    make: ({ fx }) => fx.idToken({ aud: [fx.clientId, 'someotherclient'] }) },
  { name: 'ID token without aud', use: 'id', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'aud',
    make: ({ fx }) => fx.idToken({ aud: undefined }) },
  { name: 'client id differing only in case', use: 'access', code: 'ERR_COGNITO_TOKEN_AUDIENCE', claim: 'client_id',
    make: ({ fx }) => fx.accessToken({ client_id: fx.clientId.toUpperCase() }) },

  // --- token use
  { name: 'an ID token where an access token is required', use: 'access', code: 'ERR_COGNITO_TOKEN_USE', claim: 'token_use',
    make: ({ id }) => id },
  { name: 'an access token where an ID token is required', use: 'id', code: 'ERR_COGNITO_TOKEN_USE', claim: 'token_use',
    make: ({ access }) => access },
  { name: 'token_use "refresh"', use: 'access', code: 'ERR_COGNITO_TOKEN_USE', claim: 'token_use',
    make: ({ fx }) => fx.accessToken({ token_use: 'refresh' }) },
  { name: 'missing token_use', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'token_use',
    make: ({ fx }) => fx.accessToken({ token_use: undefined }) },
  { name: 'token_use as an array ["access"]', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'token_use',
    make: ({ fx }) => fx.accessToken({ token_use: ['access'] }) },

  // --- time
  { name: 'expired an hour ago', use: 'access', code: 'ERR_COGNITO_TOKEN_EXPIRED', claim: 'exp',
    make: ({ fx, now }) => fx.accessToken({ iat: now - 7200, auth_time: now - 7200, exp: now - 3600 }) },
  { name: 'expired one second beyond the leeway', use: 'id', code: 'ERR_COGNITO_TOKEN_EXPIRED', claim: 'exp',
    make: ({ fx, now }) => fx.idToken({ iat: now - 3600, exp: now - LEEWAY - 1 }) },
  { name: 'exp of 0', use: 'access', code: 'ERR_COGNITO_TOKEN_EXPIRED', claim: 'exp',
    make: ({ fx }) => fx.accessToken({ exp: 0 }) },
  { name: 'exp as a string', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'exp',
    make: ({ fx, now }) => fx.accessToken({ exp: String(now + 3600) }) },
  { name: 'no exp', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'exp',
    make: ({ fx }) => fx.accessToken({ exp: undefined }) },
  { name: 'nbf in the future', use: 'access', code: 'ERR_COGNITO_TOKEN_NOT_YET_VALID', claim: 'nbf',
    make: ({ fx, now }) => fx.accessToken({ nbf: now + 600 }) },
  { name: 'nbf as a string', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'nbf',
    make: ({ fx, now }) => fx.accessToken({ nbf: String(now) }) },
  { name: 'iat far in the future', use: 'access', code: 'ERR_COGNITO_TOKEN_IAT', claim: 'iat',
    make: ({ fx, now }) => fx.accessToken({ iat: now + 86_400, exp: now + 90_000 }) },
  { name: 'iat just beyond the leeway', use: 'id', code: 'ERR_COGNITO_TOKEN_IAT', claim: 'iat',
    make: ({ fx, now }) => fx.idToken({ iat: now + LEEWAY + 2 }) },
  { name: 'iat as a string', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'iat',
    make: ({ fx, now }) => fx.accessToken({ iat: String(now) }) },
  { name: 'no iat', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'iat',
    make: ({ fx }) => fx.accessToken({ iat: undefined }) },

  // --- other claims
  { name: 'no sub', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'sub',
    make: ({ fx }) => fx.accessToken({ sub: undefined }) },
  { name: 'empty sub', use: 'id', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'sub',
    make: ({ fx }) => fx.idToken({ sub: '' }) },
  { name: 'cognito:groups as a string', use: 'access', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'cognito:groups',
    make: ({ fx }) => fx.accessToken({ 'cognito:groups': 'admin' }) },
  { name: 'cognito:username that is not a string', use: 'id', code: 'ERR_COGNITO_TOKEN_CLAIM', claim: 'cognito:username',
    make: ({ fx }) => fx.idToken({ 'cognito:username': ['alice', 'admin'] }) },
  { name: 'ID token whose at_hash is another access token\'s', use: 'id', code: 'ERR_COGNITO_TOKEN_AT_HASH', claim: 'at_hash',
    only: ['verifier', 'cognito'], accessTokenFor: ({ access }) => access,
    make: ({ fx }) => fx.idToken({ at_hash: atHash(fx.accessToken()) }) },
];

// ------------------------------------------------------------------------------------------------
// Counts, printed at the end of the file's run.

const tally = { tried: 0, refused: 0, accepted: 0, fiveHundreds: 0 };
const fuzzTally = { tried: 0, identical: 0, equivalent: 0, refused: 0, accepted: 0, crashed: 0, ms: 0, byCode: new Map<string, number>() };

function expectTokenError(e: unknown, c: Case, token: string): void {
  assert.ok(e instanceof TokenVerificationError, `${c.name}: expected a TokenVerificationError, got ${String(e)}`);
  assert.equal(e.code, c.code, `${c.name}: code`);
  assert.equal(e.status, 401);
  if (c.claim !== undefined) assert.equal(e.claim, c.claim, `${c.name}: claim`);
  for (const part of token.split('.').filter((p) => p.length > 12)) {
    assert.ok(!e.message.includes(part), `${c.name}: the message never holds the token`);
  }
}

async function refusedBy(target: Target, c: Case, run: () => Promise<unknown>, token: string): Promise<void> {
  tally.tried++;
  let outcome: unknown;
  try {
    await run();
    tally.accepted++;
  } catch (e) {
    outcome = e;
  }
  assert.ok(outcome !== undefined, `${target}: "${c.name}" was ACCEPTED`);
  expectTokenError(outcome, c, token);
  tally.refused++;
}

/** An Express 5 app with bearer-only guards, on a loopback port, accepting headers up to 128 KiB. */
async function startGuardApp(options: Record<string, unknown>): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  const revocationStore = new MemoryRevocationStore();
  app.get('/access', requireCognito({ ...options, revocationStore }), (req, res) => { res.json({ ok: true, sub: req.cognito?.sub }); });
  app.get('/id', requireCognito({ ...options, revocationStore, tokenUse: 'id' }), (req, res) => { res.json({ ok: true, sub: req.cognito?.sub }); });
  const server: Server = createServer({ maxHeaderSize: 128 * 1024 }, app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

describe('hardening: forged and broken tokens', function () {
  this.timeout(60_000);
  let fx: TokenFixture;
  let ctx: Ctx;
  let verifier: TokenVerifier;
  let awsVerifier: TokenVerifier;

  before(async () => {
    fx = await TokenFixture.start();
    const foreign = await signingKey(2, fx.key.kid === 'foreign' ? 'foreign2' : 'foreign');
    ctx = { fx, now: Math.floor(fx.now / 1000), foreign, access: fx.accessToken(), id: fx.idToken() };
    verifier = new TokenVerifier({ ...fx.options(), leewaySeconds: LEEWAY, jwksCooldownMs: COOLDOWN_MS });
    // No endpoint: the issuer is Cognito's own (https://cognito-idp.us-east-1.amazonaws.com/<pool>);
    // static keys, so nothing is fetched from AWS.
    awsVerifier = new TokenVerifier({
      userPoolId: fx.poolId, clientId: fx.clientId, jwks: fx.jwks(), clock: fx.clock, leewaySeconds: LEEWAY,
    });
  });
  after(async () => {
    await fx.close();
    clearJwksCaches();
    console.log(`      forged-token corpus: ${CORPUS.length} cases, ${tally.tried} tries over the targets, ` +
      `refused ${tally.refused}, accepted ${tally.accepted}, 5xx ${tally.fiveHundreds}`);
  });

  it('the valid tokens themselves pass (a corpus that refuses everything proves nothing)', async () => {
    await verifier.verify(ctx.access, 'access');
    await verifier.verify(ctx.id, 'id');
    await awsVerifier.verify(fx.accessToken({ iss: AWS_ISSUER('us-east-1', fx.poolId) }), 'access');
  });

  describe('TokenVerifier.verify', () => {
    for (const c of CORPUS.filter((x) => !x.only || x.only.includes('verifier'))) {
      it(c.name, async () => {
        const token = c.make(ctx);
        const v = c.awsIssuer ? awsVerifier : verifier;
        const opts = c.accessTokenFor ? { accessToken: c.accessTokenFor(ctx) } : {};
        await refusedBy('verifier', c, () => v.verify(token, c.use, opts), token);
      });
    }

    it('a token that is not a string at all', async () => {
      for (const junk of [12345, {}, ['a.b.c'], true] as unknown[]) {
        await assert.rejects(verifier.verify(junk as string, 'access'), (e: unknown) => {
          assert.ok(e instanceof TokenVerificationError);
          assert.equal(e.code, 'ERR_COGNITO_TOKEN_MALFORMED');
          return true;
        });
      }
    });

    it('none of the corpus made the verifier fetch the JWKS more than once (no refetch storm)', () => {
      assert.ok(fx.requests <= 1, `JWKS fetched ${fx.requests} times`);
    });
  });

  describe('the verified-token cache: a token once accepted is not a pass for what a hit must re-check', () => {
    // Each case first has the token accepted (so it is cached), then presents it where it must fail.
    let moved = 0;
    afterEach(() => {
      fx.now -= moved;
      moved = 0;
    });
    const tick = (ms: number): void => {
      fx.now += ms;
      moved += ms;
    };
    const cached = async (token: string, use: 'access' | 'id', v: TokenVerifier = verifier): Promise<void> => {
      await v.verify(token, use);
      assert.ok(v.tokenCache === undefined || v.tokenCache.size > 0, 'the token was cached');
    };
    const asCase = (name: string, use: 'access' | 'id', code: TokenErrorCode, claim?: string): Case =>
      ({ name, use, code, make: () => '', ...(claim ? { claim } : {}) });

    it('expired since it was cached (exp re-checked with the verifier\'s own leeway)', async () => {
      const token = fx.accessToken({ exp: ctx.now + 60 });
      await cached(token, 'access');
      tick((60 + LEEWAY) * 1000);
      await refusedBy('verifier', asCase('cached then expired', 'access', 'ERR_COGNITO_TOKEN_EXPIRED', 'exp'), () => verifier.verify(token, 'access'), token);
    });

    it('accepted by a verifier with a 5 s leeway, refused by one with none (same pool, shared cache)', async () => {
      const token = fx.accessToken({ iat: ctx.now - 3600, exp: ctx.now - 3 });
      await cached(token, 'access');
      const strict = new TokenVerifier({ ...fx.options(), leewaySeconds: 0 });
      assert.equal(strict.tokenCache, verifier.tokenCache, 'the two verifiers share the pool\'s cache');
      await refusedBy('verifier', asCase('cached, stricter leeway', 'access', 'ERR_COGNITO_TOKEN_EXPIRED', 'exp'), () => strict.verify(token, 'access'), token);
    });

    it('accepted for one app client, refused by a verifier of another client of the same pool', async () => {
      const token = fx.accessToken();
      await cached(token, 'access');
      const other = new TokenVerifier({ ...fx.options(), clientId: 'anotherclient' });
      await refusedBy('verifier', asCase('cached, other client', 'access', 'ERR_COGNITO_TOKEN_AUDIENCE', 'client_id'), () => other.verify(token, 'access'), token);
      const idToken = fx.idToken();
      await cached(idToken, 'id');
      await refusedBy('verifier', asCase('cached ID token, other client', 'id', 'ERR_COGNITO_TOKEN_AUDIENCE', 'aud'), () => other.verify(idToken, 'id'), idToken);
    });

    it('accepted as an access token, refused as an ID token (and the reverse)', async () => {
      const token = fx.accessToken();
      await cached(token, 'access');
      await refusedBy('verifier', asCase('cached access as id', 'id', 'ERR_COGNITO_TOKEN_USE', 'token_use'), () => verifier.verify(token, 'id'), token);
      const idToken = fx.idToken();
      await cached(idToken, 'id');
      await refusedBy('verifier', asCase('cached id as access', 'access', 'ERR_COGNITO_TOKEN_USE', 'token_use'), () => verifier.verify(idToken, 'access'), idToken);
    });

    it('an ID token accepted alone, refused with an access token its at_hash does not match', async () => {
      const access = fx.accessToken();
      const idToken = fx.idToken({ at_hash: atHash(access) });
      await cached(idToken, 'id');
      await verifier.verify(idToken, 'id', { accessToken: access });
      const stranger = fx.accessToken();
      await refusedBy('verifier', asCase('cached, at_hash', 'id', 'ERR_COGNITO_TOKEN_AT_HASH', 'at_hash'),
        () => verifier.verify(idToken, 'id', { accessToken: stranger }), idToken);
    });

    it('signed by a key that has since left the JWKS: refused (KID_UNKNOWN) once the key set was refetched', async () => {
      const own = await TokenFixture.start();
      try {
        const v = new TokenVerifier({ ...own.options(), jwksCooldownMs: COOLDOWN_MS });
        const token = own.accessToken();
        await cached(token, 'access', v);
        const retired = own.key;
        const next = await own.rotate(1);
        own.keys = [next]; // the old key is withdrawn (compromised, say)
        own.now += COOLDOWN_MS + 1_000;
        await v.verify(own.accessToken({}, { sign: { mode: 'rs256', key: next } }), 'access'); // unknown kid → refetch
        assert.ok(!v.jwksCache.hasKey(retired.kid));
        await refusedBy('verifier', asCase('cached, key withdrawn', 'access', 'ERR_COGNITO_TOKEN_KID_UNKNOWN', 'kid'), () => v.verify(token, 'access'), token);
      } finally {
        await own.close();
      }
    });

    it('over HTTP: a bearer token served once, then expired, is refused (401 EXPIRED, not served from the cache)', async () => {
      const app = await startGuardApp({ ...fx.options(), leewaySeconds: LEEWAY, jwksCooldownMs: COOLDOWN_MS });
      try {
        const token = fx.accessToken({ exp: ctx.now + 30 });
        await request(app.url).get('/access').set('Authorization', `Bearer ${token}`).expect(200);
        tick((30 + LEEWAY) * 1000);
        tally.tried++;
        const res = await request(app.url).get('/access').set('Authorization', `Bearer ${token}`);
        assert.equal(res.status, 401);
        assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_EXPIRED');
        tally.refused++;
      } finally {
        await app.close();
      }
    });
  });

  describe('Cognito.verifyToken', () => {
    const cognitoFor = (c: Case): Cognito => {
      const common = { clock: fx.clock, leewaySeconds: LEEWAY, ...(c.accessTokenFor ? { accessToken: c.accessTokenFor(ctx) } : {}) };
      return c.awsIssuer
        ? new Cognito(fx.poolId, fx.clientId, { ...common, jwks: fx.jwks() })
        : new Cognito(fx.poolId, fx.clientId, { ...common, endpoint: fx.endpoint, jwksCooldownMs: COOLDOWN_MS });
    };

    for (const c of CORPUS.filter((x) => !x.only || x.only.includes('cognito'))) {
      it(c.name, async () => {
        const token = c.make(ctx);
        const u = cognitoFor(c);
        const before = { idToken: u.idToken, accessToken: u.accessToken };
        await refusedBy('cognito', c, () => u.verifyToken(token, c.use === 'id' ? 'id_token' : 'access_token', c.use), token);
        // A refused token is not kept: the instance still holds what it held.
        assert.equal(u.idToken, before.idToken);
        assert.equal(u.accessToken, before.accessToken);
      });
    }

    it('an empty or non-string token is a caller mistake (TypeError), not a verification', async () => {
      const u = new Cognito(fx.poolId, fx.clientId, { endpoint: fx.endpoint, clock: fx.clock });
      for (const junk of ['', 12345, null] as unknown[]) {
        await assert.rejects(u.verifyToken(junk as string, 'access_token', 'access'), TypeError);
      }
    });
  });

  describe('requireCognito() over HTTP (Authorization: Bearer)', () => {
    let app: { url: string; close(): Promise<void> };
    let awsApp: { url: string; close(): Promise<void> };
    before(async () => {
      app = await startGuardApp({ ...fx.options(), leewaySeconds: LEEWAY, jwksCooldownMs: COOLDOWN_MS });
      awsApp = await startGuardApp({
        userPoolId: fx.poolId, clientId: fx.clientId, jwks: fx.jwks(), clock: fx.clock, leewaySeconds: LEEWAY,
      });
    });
    after(async () => {
      await app.close();
      await awsApp.close();
    });

    it('the valid tokens themselves pass', async () => {
      await request(app.url).get('/access').set('Authorization', `Bearer ${ctx.access}`).expect(200);
      await request(app.url).get('/id').set('Authorization', `Bearer ${ctx.id}`).expect(200);
    });

    for (const c of CORPUS.filter((x) => !x.only || x.only.includes('http'))) {
      it(c.name, async () => {
        const token = c.make(ctx);
        const base = c.awsIssuer ? awsApp.url : app.url;
        tally.tried++;
        const res = await request(base).get(c.use === 'access' ? '/access' : '/id').set('Authorization', `Bearer ${token}`);
        if (res.status >= 500) tally.fiveHundreds++;
        if (res.status === 200) tally.accepted++;
        assert.equal(res.status, 401, `${c.name}: status ${res.status} ${res.text}`);
        assert.equal(res.body.code, c.httpCode ?? c.code, `${c.name}: code`);
        assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_(token|request)"/);
        for (const part of token.split('.').filter((p) => p.length > 12)) {
          assert.ok(!res.text.includes(part) && !String(res.headers['www-authenticate']).includes(part), 'the answer never echoes the token');
        }
        tally.refused++;
      });
    }
  });

  describe('against a real user pool (emulator)', () => {
    const PASSWORD = 'Corr3ct-Horse!';
    let pool: TestPool;
    let regional: Emulator;
    let web: TestApp;
    let other: { AccessToken: string; IdToken: string };
    let elsewhere: { AccessToken: string; IdToken: string };
    let options: ReturnType<typeof poolOptions>;

    before(async () => {
      pool = await startTestPool();
      options = poolOptions(pool);
      await pool.createUser('alice', PASSWORD);
      // A second app client of the same pool.
      const { UserPoolClient } = await pool.sdk.send(new CreateUserPoolClientCommand({
        UserPoolId: pool.poolId, ClientName: 'other-app', ExplicitAuthFlows: TEST_AUTH_FLOWS as never,
      }));
      other = await poolTokens({ ...pool, clientId: UserPoolClient!.ClientId! }, 'alice', PASSWORD);
      // The same pool id suffix, app client id and user, in another region.
      const suffix = pool.poolId.split('_')[1];
      regional = await startEmulator({
        region: 'eu-west-1',
        seed: { pools: [{ name: 'twin', idSuffix: suffix, clients: [{ name: 'twin', clientId: pool.clientId, explicitAuthFlows: TEST_AUTH_FLOWS }],
          users: [{ username: 'alice', password: PASSWORD }] }] },
      });
      const twin = `eu-west-1_${suffix}`;
      const sdk = new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: regional.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
      const out = await sdk.send(new AdminInitiateAuthCommand({
        UserPoolId: twin, ClientId: pool.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD },
      }));
      sdk.destroy();
      elsewhere = { AccessToken: out.AuthenticationResult!.AccessToken!, IdToken: out.AuthenticationResult!.IdToken! };
      web = await startApp(EXPRESS_FLAVORS[1], { pool });
    });
    after(async () => {
      await web?.close();
      await regional?.stop();
      await pool?.stop();
    });

    const poolCases: Array<{ name: string; use: 'access' | 'id'; token: () => string; code: TokenErrorCode; claim?: string }> = [
      { name: 'an access token issued to another app client of the same pool', use: 'access', token: () => other.AccessToken,
        code: 'ERR_COGNITO_TOKEN_AUDIENCE', claim: 'client_id' },
      { name: 'an ID token issued to another app client of the same pool', use: 'id', token: () => other.IdToken,
        code: 'ERR_COGNITO_TOKEN_AUDIENCE', claim: 'aud' },
      { name: 'an access token of the same pool id, client id and user in another region', use: 'access', token: () => elsewhere.AccessToken,
        code: 'ERR_COGNITO_TOKEN_KID_UNKNOWN', claim: 'kid' },
      { name: 'an ID token of the same pool id, client id and user in another region', use: 'id', token: () => elsewhere.IdToken,
        code: 'ERR_COGNITO_TOKEN_KID_UNKNOWN', claim: 'kid' },
    ];

    for (const c of poolCases) {
      it(`${c.name}: refused by TokenVerifier, Cognito.verifyToken and requireCognito`, async () => {
        const token = c.token();
        const asCase: Case = { name: c.name, use: c.use, code: c.code, make: () => token, ...(c.claim ? { claim: c.claim } : {}) };
        await refusedBy('verifier', asCase, () => new TokenVerifier(options).verify(token, c.use), token);
        const u = new Cognito(pool.poolId, pool.clientId, { endpoint: pool.endpoint, clock: options.clock, client: pool.sdk });
        await refusedBy('cognito', asCase, () => u.verifyToken(token, c.use === 'id' ? 'id_token' : 'access_token', c.use), token);
        tally.tried++;
        const res = await request(web.url).get(c.use === 'id' ? '/api/id' : '/api/me').set('Authorization', `Bearer ${token}`);
        assert.equal(res.status, 401, res.text);
        assert.equal(res.body.code, c.code);
        tally.refused++;
      });
    }

    it('the tokens of a logged-out session: refused as bearer tokens (access and ID) and as the session', async () => {
      const agent = request.agent(web.url);
      await agent.post('/login').send({ username: 'alice', password: PASSWORD }).expect(200);
      await agent.get('/api/me').expect(200);
      const sid = (await agent.get('/whoami').expect(200)).body.sid as string;
      const stored = await storedSession(web.sessionStore, sid);
      const { accessToken, idToken } = stored!.cognito.tokens as { accessToken: string; idToken: string };
      // Valid before the logout, as bearer tokens too (so the refusals below are the revocation's doing).
      await request(web.url).get('/api/me').set('Authorization', `Bearer ${accessToken}`).expect(200);
      await request(web.url).get('/api/id').set('Authorization', `Bearer ${idToken}`).expect(200);

      await agent.post('/logout').expect(204);
      for (const [path, token] of [['/api/me', accessToken], ['/api/id', idToken]] as const) {
        tally.tried++;
        const res = await request(web.url).get(path).set('Authorization', `Bearer ${token}`);
        assert.equal(res.status, 401, res.text);
        assert.equal(res.body.code, 'ERR_COGNITO_TOKEN_REVOKED');
        tally.refused++;
      }
      tally.tried++;
      const res = await agent.get('/api/me');
      assert.equal(res.status, 401);
      tally.refused++;
      // Locally the JWTs still verify until exp (Cognito's design, aws-jwt-verify #151): the revocation
      // list is what refuses them, which is why the guard, not the verifier, is the line of defence.
      await new TokenVerifier(options).verify(accessToken, 'access');
    });
  });

  describe('fast-check: random mutations of valid tokens', () => {
    it('≥ 10,000 mutations: 0 accepted, 0 crashes (every error a TokenVerificationError)', async function () {
      this.timeout(120_000);
      const started = performance.now();
      const fetchesBefore = fx.requests;
      for (const [use, original, runs] of [['access', ctx.access, 6_000], ['id', ctx.id, 6_000]] as const) {
        const originalBytes = original.split('.').map((s) => Buffer.from(s, 'base64url'));
        const failures: string[] = [];
        await fc.assert(
          fc.asyncProperty(mutationsArb(fx), async (mutations) => {
            const token = mutations.reduce((t, m) => m(t), original);
            if (token === original) {
              fuzzTally.identical++;
              return;
            }
            fuzzTally.tried++;
            let claims: unknown;
            try {
              claims = await verifier.verify(token, use);
            } catch (e) {
              if (e instanceof TokenVerificationError && isCognitoError(e) && e.status === 401) {
                fuzzTally.refused++;
                fuzzTally.byCode.set(e.code, (fuzzTally.byCode.get(e.code) ?? 0) + 1);
                return;
              }
              fuzzTally.crashed++;
              failures.push(`crash ${String(e)} on ${JSON.stringify(token.slice(0, 200))}`);
              throw e;
            }
            // Accepted: only acceptable when it is the very same signed message in another spelling
            // (base64url's unused trailing bits): same decoded header, payload and signature bytes.
            const parts = token.split('.');
            const same = parts.length === 3 && parts.every((s, i) => /^[A-Za-z0-9_-]*$/.test(s) && Buffer.from(s, 'base64url').equals(originalBytes[i] as Buffer));
            if (same) {
              fuzzTally.equivalent++;
              return;
            }
            fuzzTally.accepted++;
            failures.push(`ACCEPTED ${JSON.stringify(token.slice(0, 200))} → ${JSON.stringify(claims).slice(0, 200)}`);
            throw new Error('a mutated token was accepted');
          }),
          { numRuns: runs, seed: use === 'access' ? 0x5eed : 0xc0ffee, endOnFailure: true },
        ).catch((e: unknown) => {
          throw new Error(`${failures.join('\n')}\n${String(e)}`);
        });
      }
      fuzzTally.ms = Math.round(performance.now() - started);
      const codes = [...fuzzTally.byCode].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k.replace('ERR_COGNITO_TOKEN_', '')} ${n}`).join(', ');
      console.log(`      forged-token fuzz: ${fuzzTally.tried} mutated tokens tried, refused ${fuzzTally.refused}, accepted ${fuzzTally.accepted}, ` +
        `crashes ${fuzzTally.crashed} (+${fuzzTally.equivalent} re-spellings of the same bytes accepted as the original, ` +
        `${fuzzTally.identical} no-op mutations skipped) in ${fuzzTally.ms} ms; JWKS fetches ${fx.requests - fetchesBefore}\n        by code: ${codes}`);
      assert.equal(fuzzTally.accepted, 0);
      assert.equal(fuzzTally.crashed, 0);
      assert.ok(fuzzTally.tried >= 10_000, `only ${fuzzTally.tried} mutations tried`);
      assert.ok(fx.requests - fetchesBefore <= 1, 'random kids cost at most one JWKS fetch per cooldown');
    });
  });
});

// ------------------------------------------------------------------------------------------------
// Mutations

type Mutation = (token: string) => string;

const B64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const JUNK_CHARS = `${B64URL_CHARS}.+/= \t\n\0é"{}[]%\\`;

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function replaceSegment(token: string, index: number, fn: (segment: string) => string): string {
  const parts = token.split('.');
  if (index >= parts.length) return token;
  parts[index] = fn(parts[index]);
  return parts.join('.');
}

function mutationsArb(fx: TokenFixture): fc.Arbitrary<Mutation[]> {
  const now = Math.floor(fx.now / 1000);
  const char = fc.constantFrom(...JUNK_CHARS.split(''));
  const b64char = fc.constantFrom(...B64URL_CHARS.split(''));
  const interesting = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom<unknown>(
      'none', 'None', 'HS256', 'RS256', 'PS256', 'ES256', '', 'access', 'id', 'refresh', fx.issuer, `${fx.issuer}/`,
      fx.clientId, 'admin', now, now - 86_400, now + 86_400, now + 1e9, -1, 0, 1.5, String(now), null, [fx.clientId], { $ne: null },
      'https://evil.example/jwks.json', fx.key.kid, `${fx.key.kid}x`, ['exp'], 1e308,
    ),
  );
  const headerKey = fc.oneof(fc.constantFrom('alg', 'kid', 'typ', 'jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64', 'zip', 'cty', 'enc', '__proto__'), fc.string({ maxLength: 6 }));
  const claimKey = fc.oneof(
    fc.constantFrom('iss', 'sub', 'aud', 'client_id', 'token_use', 'exp', 'iat', 'nbf', 'auth_time', 'scope', 'username',
      'cognito:username', 'cognito:groups', 'jti', 'origin_jti', 'at_hash', '__proto__', 'constructor'),
    fc.string({ maxLength: 6 }),
  );
  const jsonEdit = (index: 0 | 1, key: fc.Arbitrary<string>): fc.Arbitrary<Mutation> =>
    fc.tuple(key, fc.option(interesting, { nil: undefined, freq: 4 })).map(([k, v]) => (t: string) => replaceSegment(t, index, (s) => {
      const obj = decodeJson(s);
      if (obj === undefined) return s;
      if (v === undefined) delete obj[k];
      else obj[k] = v;
      return Buffer.from(JSON.stringify(obj)).toString('base64url');
    }));

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    // one character replaced (anywhere: header, payload, signature, a dot)
    fc.tuple(fc.nat(), char).map(([pos, c]) => (t: string) => (t.length === 0 ? c : `${t.slice(0, pos % t.length)}${c}${t.slice((pos % t.length) + 1)}`)),
    // base64url noise inserted
    fc.tuple(fc.nat(), fc.string({ unit: b64char, minLength: 1, maxLength: 8 })).map(([pos, s]) => (t: string) => {
      const at = t.length === 0 ? 0 : pos % t.length;
      return `${t.slice(0, at)}${s}${t.slice(at)}`;
    }),
    // a range deleted
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 24 })).map(([pos, n]) => (t: string) => {
      const at = t.length === 0 ? 0 : pos % t.length;
      return `${t.slice(0, at)}${t.slice(at + n)}`;
    }),
    // truncated
    fc.nat().map((n) => (t: string) => t.slice(0, t.length === 0 ? 0 : n % t.length)),
    // segments swapped, duplicated, dropped or added
    fc.constantFrom([1, 0, 2], [0, 2, 1], [2, 1, 0], [0, 0, 2], [1, 1, 2], [0, 1], [1, 2], [0, 1, 2, 2], [0, 1, 1, 2], [0, 1, 2, 0], [2])
      .map((order) => (t: string) => {
        const parts = t.split('.');
        return order.map((i) => parts[i] ?? '').join('.');
      }),
    // a bit flipped inside a decoded segment, re-encoded
    fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.integer({ min: 0, max: 7 }))
      .map(([i, pos, bit]) => (t: string) => replaceSegment(t, i, (s) => {
        const bytes = Buffer.from(s, 'base64url');
        if (bytes.length === 0) return s;
        const at = pos % bytes.length;
        bytes[at] = bytes[at] ^ (1 << bit);
        return bytes.toString('base64url');
      })),
    // header or payload JSON edited and re-encoded, keeping the original signature
    jsonEdit(0, headerKey),
    jsonEdit(1, claimKey),
    // a segment re-encoded as standard base64 with padding
    fc.integer({ min: 0, max: 2 }).map((i) => (t: string) => replaceSegment(t, i, (s) => Buffer.from(s, 'base64url').toString('base64'))),
    // a segment's case flipped
    fc.integer({ min: 0, max: 2 }).map((i) => (t: string) => replaceSegment(t, i, (s) => s.replace(/[a-zA-Z]/g, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())))),
    // a segment replaced by base64url noise
    fc.tuple(fc.integer({ min: 0, max: 2 }), fc.string({ unit: b64char, maxLength: 400 }))
      .map(([i, s]) => (t: string) => replaceSegment(t, i, () => s)),
    // the whole token replaced by junk
    fc.string({ unit: char, maxLength: 64 }).map((s) => () => s),
    // whitespace or junk around it
    fc.constantFrom(' ', '\n', '\t', '.', '..', '\u00a0', '"').map((w) => (t: string) => `${w}${t}${w}`),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 });
}
