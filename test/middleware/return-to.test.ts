import { strict as assert } from 'node:assert';
import { isSafeReturnTo, loginRedirectUrl, returnToFor } from '../../middleware/return-to';

describe('middleware/return-to', function () {
  it('accepts same-origin relative paths with queries', function () {
    for (const ok of ['/', '/account', '/orders/42?view=full&x=1', '/search?q=hello%20world', '/a/b#frag', '/%E2%82%AC']) {
      assert.equal(isSafeReturnTo(ok), true, ok);
    }
  });

  it('refuses absolute, protocol-relative, backslash, encoded and control-character variants', function () {
    const bad = [
      '', 'account', 'https://evil.example/', 'http:/evil.example', 'javascript:alert(1)',
      '//evil.example', '///evil.example', '/\\evil.example', '\\/evil.example', '/\\/evil.example',
      '/%2F%2Fevil.example', '/%2fevil.example', '/%252F%252Fevil.example', '/%5Cevil.example', '/%255Cevil.example',
      '/\t/evil.example', '/\n/evil.example', '/%09/evil.example', '/%0d%0aSet-Cookie:x=1', '/\u0000',
      '/ok\u2028', '/caf\u00e9', '/100%', 'x'.repeat(3000), `/${'a'.repeat(3000)}`,
    ];
    for (const b of bad) assert.equal(isSafeReturnTo(b), false, JSON.stringify(b));
    assert.equal(isSafeReturnTo(undefined), false);
    assert.equal(isSafeReturnTo(42), false);
  });

  it('returnToFor prefers originalUrl and falls back to "/" for unsafe request targets', function () {
    assert.equal(returnToFor({ originalUrl: '/api/x?y=1', url: '/x?y=1' }), '/api/x?y=1');
    assert.equal(returnToFor({ url: '/plain' }), '/plain');
    assert.equal(returnToFor({ url: 'http://evil.example/' }), '/');
    assert.equal(returnToFor({ url: '//evil.example/' }), '/');
    assert.equal(returnToFor({}), '/');
  });

  it('loginRedirectUrl appends an encoded returnTo, keeping the login URL query and fragment', function () {
    assert.equal(loginRedirectUrl('/login', '/orders/42?a=1'), '/login?returnTo=%2Forders%2F42%3Fa%3D1');
    assert.equal(loginRedirectUrl('/login?lang=fr', '/x'), '/login?lang=fr&returnTo=%2Fx');
    assert.equal(loginRedirectUrl('/login?', '/x'), '/login?returnTo=%2Fx');
    assert.equal(loginRedirectUrl('/login#top', '/x'), '/login?returnTo=%2Fx#top');
    assert.equal(loginRedirectUrl('/login', '//evil.example'), '/login?returnTo=%2F');
    assert.equal(loginRedirectUrl('/login', '/x', 'next'), '/login?next=%2Fx');
  });
});
