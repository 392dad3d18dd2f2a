/**
 * `cognito-emulator --triggers FILE`: a JavaScript module (ES or CommonJS) whose exports are the
 * trigger functions: named exports (`export const PreSignUp = …`, `exports.PreSignUp = …`) or one
 * default-exported object of them (`export default { PreSignUp }`, `module.exports = { … }`).
 * Entry names are trigger names, or function names a pool's `LambdaConfig` ARN names.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkTriggerValue, type EmulatorTriggers } from './triggers';

// The compiled CommonJS would turn `import()` into `require()`, which cannot load every ES module
// nor take a file URL; this keeps Node's own dynamic import.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

/**
 * Loads the trigger functions a module exports.
 *
 * @throws Error naming the file when it cannot be loaded or exports no function; TypeError for an
 *   export that is not a trigger (a function, or `{ version, handler }` for PreTokenGeneration).
 * @example
 * const triggers = await loadTriggerModule('./triggers.mjs');
 * await startEmulator({ triggers });
 */
export async function loadTriggerModule(file: string): Promise<EmulatorTriggers> {
  const url = pathToFileURL(resolve(file)).href;
  let namespace: unknown;
  try {
    namespace = await nativeImport(url);
  } catch (error) {
    throw new Error(`${file} could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isRecord(namespace)) throw new Error(`${file} exports no trigger functions`);
  const named = Object.entries(namespace).filter(([name]) => name !== 'default' && name !== '__esModule' && name !== 'module.exports');
  // A CommonJS module's exports arrive as `default` (and, when Node can tell, as named exports too).
  const fallback = isRecord(namespace.default) && typeof namespace.default !== 'function' ? Object.entries(namespace.default) : [];
  const entries = named.length > 0 ? named : fallback;
  const triggers: EmulatorTriggers = {};
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    checkTriggerValue(name, value);
    triggers[name] = value;
  }
  if (Object.keys(triggers).length === 0) throw new Error(`${file} exports no trigger functions`);
  return triggers;
}
