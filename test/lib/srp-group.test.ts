import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { N, gPowN, modPowN } from '../../lib/srp-group';

// Square-and-multiply in plain BigInt: slow, but independent of OpenSSL.
function reference(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = ((base % N) + N) % N;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % N;
    b = (b * b) % N;
    e >>= 1n;
  }
  return result;
}

// The Jacobi symbol (b/N) by quadratic reciprocity; for the prime N, 1 exactly for quadratic residues.
function isResidue(base: bigint): boolean {
  let a = ((base % N) + N) % N;
  let n = N;
  let symbol = 1;
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n;
      if (n % 8n === 3n || n % 8n === 5n) symbol = -symbol;
    }
    [a, n] = [n, a];
    if (a % 4n === 3n && n % 4n === 3n) symbol = -symbol;
    a %= n;
  }
  return n === 1n && symbol === 1;
}

const anyBase = fc.uint8Array({ minLength: 384, maxLength: 384 }).map((bytes) => BigInt('0x' + Buffer.from(bytes).toString('hex')) % N);
const anyExponent = fc.uint8Array({ minLength: 1, maxLength: 48 }).map((bytes) => BigInt('0x' + Buffer.from(bytes).toString('hex')));

describe('lib/srp-group', () => {
  it('modPowN equals square-and-multiply for random full-size bases, residues and non-residues alike', () => {
    let residues = 0;
    let nonResidues = 0;
    fc.assert(
      fc.property(anyBase, anyExponent, (b, e) => {
        if (isResidue(b)) residues++;
        else nonResidues++;
        assert.equal(modPowN(b, e), reference(b, e));
      }),
      { numRuns: 120 },
    );
    // Both kinds were drawn, so the property covers the bases some OpenSSL builds refuse.
    assert.ok(residues > 10 && nonResidues > 10, `${residues} residues, ${nonResidues} non-residues`);
  });

  it('exponents from 2 bits to twice the size of N, even and odd', () => {
    const b = 0x1234567890abcdefn ** 40n % N;
    for (const bits of [2n, 3n, 64n, 65n, 1024n, 3071n, 3072n, 3073n, 6144n]) {
      for (const e of [(1n << bits) - 1n, 1n << (bits - 1n)]) assert.equal(modPowN(b, e), reference(b, e), `2^${bits} exponent`);
    }
  });

  it('degenerate bases and exponents give the arithmetic answer without throwing', () => {
    for (const b of [0n, 1n, N - 1n, N, N + 1n, -1n, -N - 5n, 2n, N - 2n, N * N + 7n]) {
      for (const e of [0n, 1n, 2n, 3n, 12345n]) assert.equal(modPowN(b, e), reference(b, e), `${b}^${e}`);
    }
    assert.throws(() => modPowN(2n, -1n), RangeError);
  });

  it('gPowN is 2^e mod N', () => {
    for (const e of [1n, 2n, 1023n, (1n << 1024n) + 17n]) assert.equal(gPowN(e), reference(2n, e));
  });
});
