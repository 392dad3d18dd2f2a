import { strict as assert } from 'node:assert';
import { wantsHtml } from '../../middleware/respond';

describe('middleware/respond wantsHtml', function () {
  const accepts = (accept?: string) => wantsHtml({ headers: accept === undefined ? {} : { accept } });
  it('a browser navigation prefers HTML', function () {
    assert.equal(accepts('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), true);
    assert.equal(accepts('text/html'), true);
    assert.equal(accepts('application/json;q=0.5, text/html'), true);
  });
  it('API clients, wildcards and refusals do not', function () {
    for (const a of [undefined, '', '*/*', 'application/json', 'application/json, text/html;q=0.9', 'text/html;q=0', 'text/*', 'x'.repeat(5000)]) {
      assert.equal(accepts(a), false, String(a).slice(0, 40));
    }
  });
});
