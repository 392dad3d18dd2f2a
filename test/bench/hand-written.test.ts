import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HAND_WRITTEN_MARKER, withHandWritten } from '../../bench/hand-written';

describe('bench/hand-written: npm run bench keeps the hand-written part of docs/benchmarks.md', () => {
  it('keeps what follows the marker, replaces what precedes it', () => {
    const previous = `# Old figures\n\nold\n\n${HAND_WRITTEN_MARKER}\n\n## Notes\n\nkept\n`;
    const next = withHandWritten('# New figures\n\nnew\n', previous);
    assert.equal(next, `# New figures\n\nnew\n\n${HAND_WRITTEN_MARKER}\n\n## Notes\n\nkept\n`);
    assert.equal(withHandWritten('# Newer figures\n\nnewer\n', next), next.replace(/New|new/g, (w) => `${w}er`), 'stable over runs');
  });

  it('no previous file, or one without the marker: the generated text alone', () => {
    assert.equal(withHandWritten('# A\n', undefined), '# A\n');
    assert.equal(withHandWritten('# A\n', '# B\n\n## Notes\n'), '# A\n');
  });

  it('docs/benchmarks.md carries the marker, before the figures moved out of source comments', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'benchmarks.md'), 'utf8');
    const at = doc.indexOf(HAND_WRITTEN_MARKER);
    assert.ok(at > 0);
    assert.ok(doc.indexOf('## Figures formerly quoted in source comments') > at);
  });
});
