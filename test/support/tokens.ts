/**
 * Test fixture: a user pool's signing side. Generates RSA keys with jose, serves their JWKS from a
 * node:http server on 127.0.0.1:0 (counting requests, switchable to failing), and mints Cognito-shaped
 * ID and access tokens with overridable claims and headers — signed properly, or forged on purpose
 * (alg none, HS256 with the public key as secret, a stranger's key, a bad signature).
 *
 * Tokens are signed by hand with node:crypto (not jose's SignJWT) so that any header can be produced.
 */
import { createHash, createHmac, randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';

/** A key pair with its kid and public JWK (alg RS256, use sig — as Cognito publishes them). */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: JWK;
}

const keyPool: Array<Promise<{ privateKey: KeyObject; publicKey: KeyObject }>> = [];

/**
 * An RSA-2048 signing key. Key pairs are generated once per process and reused (by `slot`), since
 * generating one costs tens of milliseconds; the kid is new each call unless given.
 */
export async function signingKey(slot = 0, kid: string = randomUUID()): Promise<SigningKey> {
  while (keyPool.length <= slot) {
    keyPool.push(generateKeyPair('RS256', { modulusLength: 2048, extractable: true }));
  }
  const { privateKey, publicKey } = await keyPool[slot];
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicKey, publicJwk };
}

/** The ID token's `at_hash` for an access token: base64url of the left half of its SHA-256. */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/** How a minted token is signed. */
export type SignMode =
  | { mode: 'rs256'; key?: SigningKey } // default: the fixture's current key
  | { mode: 'none' } // empty signature (pair with header { alg: 'none' })
  | { mode: 'hs256'; secret: string | Buffer } // HMAC, e.g. with the public key PEM as the secret
  | { mode: 'raw'; signature: string }; // exactly this signature segment

/** Overrides for a minted token; `undefined` as a value removes that claim or header parameter. */
export interface MintOptions {
  header?: Record<string, unknown>;
  sign?: SignMode;
}

/** What the JWKS endpoint answers. */
export type JwksMode = 'ok' | 'status500' | 'reset' | 'html' | 'huge' | 'notjwks' | 'hang';

/** A running fixture. Close it in `after`. */
export class TokenFixture {
  readonly poolId: string;
  readonly clientId: string;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly issuer: string;
  readonly jwksUri: string;
  /** Test time, in ms since the epoch; minted tokens use it for `iat`. */
  now = Date.UTC(2025, 0, 15, 12, 0, 0);
  /** A clock reading {@link now}. */
  readonly clock = (): number => this.now;
  /** Keys served in the JWKS; the first signs by default. */
  keys: SigningKey[];
  /** What the JWKS endpoint answers. */
  mode: JwksMode = 'ok';
  #requests = 0;
  readonly #server: Server;

  private constructor(server: Server, poolId: string, clientId: string, key: SigningKey) {
    this.#server = server;
    this.poolId = poolId;
    this.clientId = clientId;
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.issuer = `${this.endpoint}/${poolId}`;
    this.jwksUri = `${this.issuer}/.well-known/jwks.json`;
    this.keys = [key];
  }

  /** Starts a JWKS server on 127.0.0.1:0 with one fresh key. */
  static async start(options: { poolId?: string; clientId?: string } = {}): Promise<TokenFixture> {
    const key = await signingKey(0);
    const holder: { fixture?: TokenFixture } = {};
    const server = createServer((req, res) => holder.fixture?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fixture = new TokenFixture(server, options.poolId ?? 'us-east-1_Fixture1', options.clientId ?? 'fixtureclient1', key);
    holder.fixture = fixture;
    return fixture;
  }

  /** JWKS requests received so far. */
  get requests(): number {
    return this.#requests;
  }

  /** The key that signs by default. */
  get key(): SigningKey {
    return this.keys[0];
  }

  /** The JWKS the server serves. */
  jwks(): JSONWebKeySet {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  /** Options for a verifier pointed at this fixture (endpoint, pool, client, clock). */
  options(): { userPoolId: string; clientId: string; endpoint: string; clock: () => number } {
    return { userPoolId: this.poolId, clientId: this.clientId, endpoint: this.endpoint, clock: this.clock };
  }

  /** Key rotation: a new key (slot 1 by default) is served first and signs from now on. */
  async rotate(slot = 1): Promise<SigningKey> {
    const key = await signingKey(slot);
    this.keys = [key, ...this.keys];
    return key;
  }

  /** Cognito-shaped ID token claims at {@link now}. */
  idClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const iat = Math.floor(this.now / 1000);
    const sub = 'a1b2c3d4-0000-4000-8000-00000000abcd';
    return applyOverrides({
      sub, email_verified: true, iss: this.issuer, 'cognito:username': 'alice', origin_jti: randomUUID(), aud: this.clientId,
      event_id: randomUUID(), token_use: 'id', auth_time: iat, exp: iat + 3600, iat, jti: randomUUID(), email: 'alice@example.com',
    }, overrides);
  }

  /** Cognito-shaped access token claims at {@link now}. */
  accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const iat = Math.floor(this.now / 1000);
    return applyOverrides({
      sub: 'a1b2c3d4-0000-4000-8000-00000000abcd', iss: this.issuer, client_id: this.clientId, origin_jti: randomUUID(),
      event_id: randomUUID(), token_use: 'access', scope: 'aws.cognito.signin.user.admin', auth_time: iat, exp: iat + 3600, iat,
      jti: randomUUID(), username: 'alice',
    }, overrides);
  }

  /** An ID token; `claims` override the defaults (`undefined` removes one). */
  idToken(claims: Record<string, unknown> = {}, options: MintOptions = {}): string {
    return this.sign(this.idClaims(claims), options);
  }

  /** An access token; `claims` override the defaults (`undefined` removes one). */
  accessToken(claims: Record<string, unknown> = {}, options: MintOptions = {}): string {
    return this.sign(this.accessClaims(claims), options);
  }

  /** Signs any payload: header `{ kid, alg: 'RS256' }` plus overrides, signed per `options.sign`. */
  sign(payload: Record<string, unknown>, options: MintOptions = {}): string {
    const how: SignMode = options.sign ?? { mode: 'rs256' };
    const key = how.mode === 'rs256' ? how.key ?? this.key : this.key;
    const header = applyOverrides({ kid: key.kid, alg: 'RS256' }, options.header ?? {});
    const input = `${b64json(header)}.${b64json(payload)}`;
    let signature: string;
    switch (how.mode) {
      case 'rs256': signature = cryptoSign('sha256', Buffer.from(input), key.privateKey).toString('base64url'); break;
      case 'none': signature = ''; break;
      case 'hs256': signature = createHmac('sha256', how.secret).update(input).digest('base64url'); break;
      case 'raw': signature = how.signature; break;
    }
    return `${input}.${signature}`;
  }

  /** Stops the server (and any hanging response). */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' || req.url !== `/${this.poolId}/.well-known/jwks.json`) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      return;
    }
    this.#requests++;
    switch (this.mode) {
      case 'ok': res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.jwks())); return;
      case 'status500': res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"boom"}'); return;
      case 'reset': req.socket.destroy(); return;
      case 'html': res.writeHead(200, { 'content-type': 'text/html' }).end(`<pre>${JSON.stringify(this.jwks())}</pre>`); return;
      case 'huge': // chunked, no content-length: the reader must count
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(JSON.stringify({ ...this.jwks(), pad: 'x'.repeat(200_000) }));
        res.end();
        return;
      case 'notjwks': res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"nope"}'); return;
      case 'hang': res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"keys":['); return;
    }
  }
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function applyOverrides(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}
