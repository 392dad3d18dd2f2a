import { strict as assert } from 'node:assert';
import type { IncomingMessage } from 'node:http';
import { readBearer } from '../../middleware/bearer-token';

function req(...values: string[]): Pick<IncomingMessage, 'headers' | 'rawHeaders'> {
  const rawHeaders = values.flatMap((v) => ['Authorization', v]);
  return { headers: values.length ? { authorization: values[0] } : {}, rawHeaders };
}

describe('middleware/bearer-token', function () {
  it('reads one Bearer token, scheme in any case, surrounding spaces tolerated', function () {
    assert.deepEqual(readBearer(req('Bearer abc.def.ghi')), { kind: 'bearer', token: 'abc.def.ghi' });
    assert.deepEqual(readBearer(req('bEaReR   abc.def-_~+/==')), { kind: 'bearer', token: 'abc.def-_~+/==' });
  });

  it('no header, another scheme', function () {
    assert.deepEqual(readBearer(req()), { kind: 'none' });
    assert.deepEqual(readBearer(req('Basic dXNlcjpwYXNz')), { kind: 'other-scheme' });
    assert.deepEqual(readBearer(req('Bearerx abc')), { kind: 'other-scheme' });
  });

  it('malformed: empty, no token, two tokens, bad characters, too long, two headers', function () {
    for (const r of [req(''), req('Bearer'), req('Bearer    '), req('Bearer a b'), req('Bearer a,b'), req('Bearer a=b'),
      req('Bearer "a"'), req(`Bearer ${'a'.repeat(16 * 1024 + 1)}`), req('Bearer a', 'Bearer a')]) {
      assert.equal(readBearer(r).kind, 'malformed', JSON.stringify(r.rawHeaders).slice(0, 80));
    }
  });
});
