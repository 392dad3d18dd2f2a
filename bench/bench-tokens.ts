/**
 * Benchmark fixture: one RSA-2048 signing key and Cognito-shaped tokens signed with it, for a pool
 * whose issuer is the real Cognito one (`https://cognito-idp.us-east-1.amazonaws.com/<pool>`), so that
 * aws-jwt-verify's `CognitoJwtVerifier` accepts them as well as ours. Verifiers are pointed at the
 * static JWKS (`jwks` option / `cacheJwks`): no emulator, no fetch in the hot path.
 *
 * Each token costs an RSA-2048 private-key operation to sign, the slow part of building a pool, so
 * large pools are minted by {@link mintInChildren} on every core.
 */
import { fork } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';

export const BENCH_POOL_ID = 'us-east-1_Bench1';
export const BENCH_CLIENT_ID = 'benchclient1';
export const BENCH_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${BENCH_POOL_ID}`;

/** A signing key and its public JWKS. */
export interface BenchKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly privatePem: string;
  readonly jwks: JSONWebKeySet;
}

/**
 * A fresh RSA-2048 key (or the one whose PEM is given) with its JWKS (alg RS256, use sig).
 *
 * @example
 * const key = createBenchKey();
 * const token = mintAccessToken(key, 1);
 */
export function createBenchKey(privatePem?: string, kid: string = 'bench-kid-1'): BenchKey {
  const privateKey = privatePem === undefined
    ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    : createPrivateKey(privatePem);
  const jwk = privateKey.export({ format: 'jwk' });
  const jwks = { keys: [{ kty: 'RSA', n: jwk.n as string, e: jwk.e as string, kid, alg: 'RS256', use: 'sig' }] };
  return { kid, privateKey, privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, jwks };
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signToken(key: BenchKey, claims: Record<string, unknown>): string {
  const input = `${b64json({ kid: key.kid, alg: 'RS256' })}.${b64json(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

const SUB = 'a1b2c3d4-0000-4000-8000-00000000abcd';

/**
 * A Cognito-shaped access token for user number `i` (~1 KB, like Cognito's), valid for an hour.
 *
 * @example
 * const token = mintAccessToken(key, 7, Math.floor(Date.now() / 1000));
 */
export function mintAccessToken(key: BenchKey, i: number, nowSec = Math.floor(Date.now() / 1000)): string {
  return signToken(key, {
    sub: SUB, iss: BENCH_ISSUER, client_id: BENCH_CLIENT_ID, origin_jti: randomUUID(), event_id: randomUUID(),
    token_use: 'access', scope: 'aws.cognito.signin.user.admin', auth_time: nowSec, exp: nowSec + 3600, iat: nowSec,
    jti: randomUUID(), username: `user${i}`,
  });
}

/**
 * The matching ID token (for a session).
 *
 * @example
 * const id = mintIdToken(key, 7);
 */
export function mintIdToken(key: BenchKey, i: number, nowSec = Math.floor(Date.now() / 1000)): string {
  return signToken(key, {
    sub: SUB, email_verified: true, iss: BENCH_ISSUER, 'cognito:username': `user${i}`, origin_jti: randomUUID(), aud: BENCH_CLIENT_ID,
    event_id: randomUUID(), token_use: 'id', auth_time: nowSec, exp: nowSec + 3600, iat: nowSec, jti: randomUUID(), email: `user${i}@example.com`,
  });
}

/**
 * Mints `count` distinct access tokens on `workers` child processes (one per core by default) and
 * hands them over in batches, in the order they come.
 *
 * @param onBatch called with each batch; the promise resolves when all children are done.
 * @example
 * await mintInChildren(key, 100_000, (batch) => { for (const t of batch) pool.push(t); });
 */
export async function mintInChildren(
  key: BenchKey,
  count: number,
  onBatch: (tokens: string[]) => void | Promise<void>,
  workers = 2,
): Promise<void> {
  const share = Math.ceil(count / workers);
  const jobs: Promise<void>[] = [];
  for (let w = 0; w < workers; w++) {
    const from = w * share;
    const to = Math.min(count, from + share);
    if (from >= to) break;
    jobs.push(new Promise<void>((resolve, reject) => {
      const child = fork(__filename, ['--mint', String(from), String(to)], {
        execArgv: ['--require', 'tsx/cjs'],
        env: { ...process.env, BENCH_PRIVATE_PEM: key.privatePem, BENCH_KID: key.kid },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      let chain = Promise.resolve();
      child.on('message', (batch: string[]) => {
        chain = chain.then(() => onBatch(batch));
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code === 0) chain.then(resolve, reject);
        else reject(new Error(`token minting child exited with ${code}`));
      });
    }));
  }
  await Promise.all(jobs);
}

// Child side of mintInChildren.
if (require.main === module && process.argv[2] === '--mint' && process.send) {
  const key = createBenchKey(process.env.BENCH_PRIVATE_PEM, process.env.BENCH_KID);
  const from = Number(process.argv[3]);
  const to = Number(process.argv[4]);
  const send = process.send.bind(process);
  void (async () => {
    for (let start = from; start < to; start += 1000) {
      const batch: string[] = [];
      for (let i = start; i < Math.min(to, start + 1000); i++) batch.push(mintAccessToken(key, i));
      await new Promise<void>((resolve, reject) => send(batch, (err: Error | null) => (err ? reject(err) : resolve())));
    }
    process.disconnect();
  })();
}
