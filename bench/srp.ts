/**
 * CPU time of one SRP login (client side): express-cognito against amazon-cognito-identity-js and
 * against the OpenSSL floor (the three 3072-bit modular exponentiations a login cannot avoid).
 *
 *   npx tsx bench/srp.ts
 *
 * Prints figures, asserts nothing. `runSrpBench()` is exported for bench/run-all.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { N, gPowN, k, modPowN } from '../lib/srp-group';
import { computeSrpX, createSrpEphemeral, passwordVerifierResponse, srpEphemeralFromSecret } from '../lib/srp';
import { awsKey, awsLogin, awsSignature, helperWithSecret } from '../test/support/aws-srp-reference';

/** Result of {@link runSrpBench}: median CPU milliseconds per login. */
export interface SrpBenchResult {
  /** express-cognito: createSrpEphemeral + passwordVerifierResponse. */
  oursMs: number;
  /** amazon-cognito-identity-js: new AuthenticationHelper (a, A) + getPasswordAuthenticationKey + HMAC. */
  awsMs: number;
  /** Three modexps through modPowN/gPowN: g^a (1024-bit a), g^x (256-bit x), base^(a+u·x). */
  floorMs: number;
}

/** Options of {@link runSrpBench}. */
export interface SrpBenchOptions {
  /** Measured rounds of each kind (interleaved); the median round is reported. Default 9. */
  rounds?: number;
  /** Logins per round for ours and for the floor. Default 60. */
  iterations?: number;
  /** Logins per round for amazon-cognito-identity-js (each far slower than ours, hence fewer). Default 4. */
  awsIterations?: number;
}

const USER_POOL_ID = 'us-east-1_AbCdEf123';
const POOL_NAME = 'AbCdEf123';
const USER_ID = 'a1b2c3d4-0000-4000-8000-00000000cafe';
const PASSWORD = 'correct horse battery staple';
const SALT = 'fedcba9876543210fedcba9876543210';
const SECRET_BLOCK = randomBytes(1024).toString('base64'); // Cognito's are about this size
const NOW = new Date('2022-01-01T00:00:00Z');
const TIMESTAMP = 'Sat Jan 1 00:00:00 UTC 2022';

// A B the way a server makes it: k·v + g^b with v the password verifier.
function serverB(): string {
  const v = gPowN(computeSrpX(BigInt('0x' + SALT), POOL_NAME, USER_ID, PASSWORD));
  const b = BigInt('0x' + createHash('sha512').update('bench b').digest('hex'));
  return ((k * v + gPowN(b)) % N).toString(16);
}

function cpuMsPerOp(iterations: number, op: () => unknown): number {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) op();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / iterations;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function randomInt(bytes: number): bigint {
  return BigInt('0x' + randomBytes(bytes).toString('hex'));
}

/**
 * Runs the benchmark in this process, on the same inputs for all three, and returns the median CPU
 * time per login of each, in milliseconds.
 *
 * @example
 * const { oursMs, awsMs, floorMs } = await runSrpBench({ rounds: 5 });
 */
export async function runSrpBench(options: SrpBenchOptions = {}): Promise<SrpBenchResult> {
  const rounds = options.rounds ?? 9;
  const iterations = options.iterations ?? 60;
  const awsIterations = options.awsIterations ?? 4;
  const challengeParameters = { SRP_B: serverB(), SALT, SECRET_BLOCK, USER_ID_FOR_SRP: USER_ID };

  const ours = () =>
    passwordVerifierResponse({
      userPoolId: USER_POOL_ID,
      password: PASSWORD,
      ephemeral: createSrpEphemeral(),
      challengeParameters,
      now: NOW,
    });
  const aws = () =>
    awsLogin(POOL_NAME, USER_ID, PASSWORD, challengeParameters.SRP_B, SALT, SECRET_BLOCK, TIMESTAMP);
  // Exponents of the sizes a login uses, drawn beforehand so that only the modexps are timed.
  const floorInputs = Array.from({ length: iterations }, () => ({
    a: randomInt(128),
    x: randomInt(32),
    base: randomInt(384) % N,
    exponent: randomInt(128) + randomInt(32) * randomInt(32),
  }));
  let next = 0;
  const floor = () => {
    const input = floorInputs[next++ % floorInputs.length];
    gPowN(input.a);
    gPowN(input.x);
    return modPowN(input.base, input.exponent);
  };

  // Warm up (JIT, OpenSSL key parsing) before measuring.
  cpuMsPerOp(10, ours);
  cpuMsPerOp(10, floor);
  cpuMsPerOp(1, aws);

  const samples = { ours: [] as number[], aws: [] as number[], floor: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    // Interleaved, so that a busy machine slows all three alike.
    samples.ours.push(cpuMsPerOp(iterations, ours));
    samples.floor.push(cpuMsPerOp(iterations, floor));
    samples.aws.push(cpuMsPerOp(awsIterations, aws));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { oursMs: median(samples.ours), awsMs: median(samples.aws), floorMs: median(samples.floor) };
}

// Same a, same inputs: both clients must produce the same signature, or the figures mean nothing.
function signaturesAgree(): boolean {
  const a = randomInt(128);
  const SRP_B = serverB();
  const ours = passwordVerifierResponse({
    userPoolId: USER_POOL_ID,
    password: PASSWORD,
    ephemeral: srpEphemeralFromSecret(a),
    challengeParameters: { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP: USER_ID },
    now: NOW,
  });
  const key = awsKey(helperWithSecret(POOL_NAME, a), USER_ID, PASSWORD, SRP_B, SALT);
  return ours.PASSWORD_CLAIM_SIGNATURE === awsSignature(key, POOL_NAME, USER_ID, SECRET_BLOCK, TIMESTAMP);
}

async function main(): Promise<void> {
  const rounds = 9;
  const iterations = 60;
  const awsIterations = 4;
  console.log(`SRP login, client side: CPU time per login (process.cpuUsage), median of ${rounds} rounds`);
  console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}`);
  console.log(`same signature as amazon-cognito-identity-js for the same a: ${signaturesAgree() ? 'yes' : 'NO'}`);
  const { oursMs, awsMs, floorMs } = await runSrpBench({ rounds, iterations, awsIterations });
  const row = (name: string, ms: number, logins: number) =>
    console.log(`${name.padEnd(52)}${ms.toFixed(2).padStart(9)} ms   (${logins} logins)`);
  console.log('');
  row('(a) express-cognito (ephemeral + passwordVerifierResponse)', oursMs, rounds * iterations);
  row('(b) amazon-cognito-identity-js AuthenticationHelper', awsMs, rounds * awsIterations);
  row('(c) OpenSSL floor: g^a, g^x, base^(a+u·x) via modPowN', floorMs, rounds * iterations);
  console.log('');
  console.log(`AWS client / ours: ${(awsMs / oursMs).toFixed(1)}×   (target ≥ 35×)`);
  console.log(`ours / floor:      ${(oursMs / floorMs).toFixed(3)}×  (target ≤ 1.3×)`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
