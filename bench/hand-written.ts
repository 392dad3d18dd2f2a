/**
 * docs/benchmarks.md is written by bench/run-all.ts, except what follows {@link HAND_WRITTEN_MARKER}:
 * sections written by hand (figures moved out of source comments, notes) that a new run must keep.
 */

/** The line after which docs/benchmarks.md is hand-written. */
export const HAND_WRITTEN_MARKER =
  '<!-- Hand-written from here on: `npm run bench` (bench/run-all.ts) rewrites what is above this line and keeps what is below it. -->';

/**
 * The new document: `generated`, then the marker and whatever followed it in `previous` (the file as
 * it was; nothing kept when it is absent or has no marker).
 *
 * @example
 * writeFileSync(out, withHandWritten(doc, existsSync(out) ? readFileSync(out, 'utf8') : undefined));
 */
export function withHandWritten(generated: string, previous: string | undefined): string {
  const at = previous?.indexOf(HAND_WRITTEN_MARKER) ?? -1;
  if (previous === undefined || at < 0) return generated;
  return `${generated.trimEnd()}\n\n${previous.slice(at).trimEnd()}\n`;
}
