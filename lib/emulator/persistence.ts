/**
 * The emulator's data folder (`startEmulator({ dataDir })`, `cognito-emulator --data DIR`): the whole
 * state in one file, `emulator-state.json`, read at start and written after every request that can
 * change state, before its response is sent.
 *
 * A write goes to a temporary file in the same folder, is fsynced, renamed over the state file, and
 * the folder is fsynced: a process killed at any moment leaves the last complete state, which holds
 * everything already acknowledged. Writes are serialised; requests that arrive while one runs share
 * the next. A state that serialises to what was last written is not written again.
 *
 * Kept: every member of `EmulatorStore` except the in-flight sign-in state named in {@link NOT_KEPT}
 * (SRP challenges, challenge sessions, authorization codes, hosted sign-in forms and federated
 * sign-ins in progress: minutes long, the client starts again), plus each pool's devices and device
 * group keys and the grace period of rotated-out refresh tokens. A pool's own trigger functions
 * (`pool.triggers`) are in-process functions and are not kept. Records are stored with a tagged JSON
 * encoding (`tagged-json.ts`), so members added to them later are kept without code here.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyObject } from 'node:crypto';
import { exportPoolDevices, importPoolDevices, type PoolDeviceState } from './device-store';
import { restoreRotatedOut, rotatedOutUntil } from './operations/refresh-rotation';
import type { EmulatorStore, PoolRecord } from './store';
import { decodeTagged, encodeTagged, TaggedJsonError, type Json } from './tagged-json';

/** The state file's name in the data folder. */
export const STATE_FILE = 'emulator-state.json';
/** The `format` member that marks the file as this emulator's. */
export const STATE_FORMAT = 'express-cognito-emulator-state';
/** The format version this emulator writes and reads. */
export const STATE_VERSION = 1;

/** Store members that are not kept: in-flight sign-in state, the message callback, the sweep counter. */
export const NOT_KEPT: ReadonlySet<string> = new Set([
  'srpChallenges', 'sessions', 'authCodes', 'hostedLogins', 'federations', 'signUpSessions', 'onMessage', 'writes',
]);
// In-process functions, registered again at each start.
const POOL_NOT_KEPT: ReadonlySet<string> = new Set(['triggers']);

/** Operations that change nothing the data folder keeps: no write after them. */
export const READ_ONLY_OPERATIONS: ReadonlySet<string> = new Set([
  'DescribeUserPool', 'GetUserPoolMfaConfig', 'DescribeUserPoolClient', 'AdminGetUser', 'AdminListGroupsForUser', 'ListUsers',
  'ListUsersInGroup', 'ListGroups', 'ListUserPools', 'ListUserPoolClients', 'AdminListUserAuthEvents', 'GetUser', 'GetDevice',
  'ListDevices', 'AdminListDevices', 'DescribeIdentityProvider', 'ListIdentityProviders', 'GetIdentityProviderByIdentifier',
  'DescribeUserPoolDomain', 'DescribeResourceServer', 'ListResourceServers', 'GetUserAuthFactors', 'AdminGetUserAuthFactors',
]);

const TEMP_FILE = /^emulator-state\.json\.\d+\.\d+\.tmp$/;

/** The lock file of a data folder in use: the process id of the emulator using it. */
export const LOCK_FILE = 'emulator.lock';

// Whether process `pid` is alive (EPERM: alive, but another user's).
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === 'EPERM';
  }
}

/**
 * Takes the data folder for this process: creates `emulator.lock` holding the pid. A lock of a live
 * process (this one included: two emulators must not share a folder) is an EmulatorDataError; one
 * left by a process that died (killed, crashed) is taken over.
 */
async function acquireLock(dir: string): Promise<string> {
  const lock = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return lock;
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt((await readFile(lock, 'utf8').catch(() => '')).trim(), 10);
    if (Number.isSafeInteger(owner) && owner > 0 && processAlive(owner)) {
      throw new EmulatorDataError(lock, `${dir} is in use by another emulator (process ${owner}${owner === process.pid ? ', this one' : ''}): `
        + `stop it or give this one another data folder; if no emulator runs, delete ${lock}`);
    }
    // Left by a process that is gone.
    await rm(lock, { force: true });
  }
  throw new EmulatorDataError(lock, `${dir}: another emulator took the data folder while this one started`);
}

/** A data file that cannot be used: damaged, another program's, or of another version. The message names the file. */
export class EmulatorDataError extends Error {
  /** The file's path. */
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.name = 'EmulatorDataError';
    this.file = file;
  }
}

function keptPool(pool: PoolRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pool)) if (!POOL_NOT_KEPT.has(key)) out[key] = value;
  return out;
}

/**
 * The document the data file holds for a store (pure apart from reading the device and rotation side tables).
 *
 * @example
 * JSON.stringify(snapshotState(store, 'us-east-1'));
 */
export function snapshotState(store: EmulatorStore, region: string): Json {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store) as Array<[string, unknown]>) {
    if (NOT_KEPT.has(key) || typeof value === 'function') continue;
    kept[key] = key === 'pools' ? new Map([...store.pools].map(([id, pool]) => [id, keptPool(pool)])) : value;
  }
  const devices = new Map<string, PoolDeviceState>();
  for (const [id, pool] of store.pools) {
    const state = exportPoolDevices(pool);
    if (state.devices.size > 0 || state.groupKeys.size > 0) devices.set(id, state);
  }
  const rotated = new Map<string, number>();
  for (const [token, record] of store.refreshTokens) {
    const until = rotatedOutUntil(record);
    if (until !== undefined) rotated.set(token, until);
  }
  return {
    format: STATE_FORMAT, version: STATE_VERSION, region,
    store: encodeTagged(kept), devices: encodeTagged(devices), rotatedOut: encodeTagged(rotated),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map) && !(value instanceof Set);
}

function checkPools(pools: unknown, corrupt: (why: string) => EmulatorDataError): void {
  if (!(pools instanceof Map)) throw corrupt('"pools" is not a map');
  for (const pool of pools.values() as Iterable<unknown>) {
    if (!isRecord(pool) || typeof pool.id !== 'string') throw corrupt('a pool has no id');
    for (const member of ['clients', 'users', 'groups', 'resourceServers', 'identityProviders']) {
      if (!(pool[member] instanceof Map)) throw corrupt(`pool ${pool.id} has no "${member}" map`);
    }
    const ring = pool.keyRing;
    if (!isRecord(ring) || !Array.isArray(ring.keys) || ring.keys.length === 0
      || !ring.keys.every((k) => isRecord(k) && k.privateKey instanceof KeyObject && isRecord(k.jwk))) {
      throw corrupt(`pool ${pool.id} has no usable signing key`);
    }
  }
}

/**
 * Fills an empty store from a data file's document.
 *
 * @param file the file's path, for the messages.
 * @throws EmulatorDataError for another program's file, another version or region, or damaged content.
 */
export function restoreState(store: EmulatorStore, region: string, doc: unknown, file: string): void {
  const corrupt = (why: string): EmulatorDataError =>
    new EmulatorDataError(file, `${file} is damaged (${why}); move it away to start with an empty emulator`);
  if (!isRecord(doc) || doc.format !== STATE_FORMAT) {
    throw new EmulatorDataError(file, `${file} is not a data file of the Cognito emulator (no "format": "${STATE_FORMAT}")`);
  }
  if (doc.version !== STATE_VERSION) {
    throw new EmulatorDataError(file, `${file} has format version ${JSON.stringify(doc.version)}; this emulator reads version ${STATE_VERSION}`);
  }
  if (doc.region !== region) {
    throw new EmulatorDataError(file, `${file} holds pools of region ${JSON.stringify(doc.region)}, not ${region}: start with that region`);
  }
  let kept: unknown;
  let devices: unknown;
  let rotated: unknown;
  try {
    kept = decodeTagged(doc.store as Json);
    devices = decodeTagged((doc.devices ?? null) as Json) ?? new Map();
    rotated = decodeTagged((doc.rotatedOut ?? null) as Json) ?? new Map();
  } catch (error) {
    if (error instanceof TaggedJsonError) throw corrupt(error.message);
    throw error;
  }
  if (!isRecord(kept)) throw corrupt('"store" is not an object');
  if (!(devices instanceof Map) || !(rotated instanceof Map)) throw corrupt('"devices" or "rotatedOut" is not a map');
  checkPools(kept.pools, corrupt);

  const target = store as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(kept)) {
    // A member this version of the store does not have (or does not keep) is left out.
    if (NOT_KEPT.has(key) || !Object.hasOwn(target, key)) continue;
    const current = target[key];
    if (current instanceof Map) {
      if (!(value instanceof Map)) throw corrupt(`"${key}" is not a map`);
      current.clear();
      for (const [k, v] of value) current.set(k, v);
    } else if (current instanceof Set) {
      if (!(value instanceof Set)) throw corrupt(`"${key}" is not a set`);
      current.clear();
      for (const v of value) current.add(v);
    } else if (Array.isArray(current)) {
      if (!Array.isArray(value)) throw corrupt(`"${key}" is not a list`);
      current.length = 0;
      for (const v of value as unknown[]) current.push(v);
    } else if (typeof current !== 'function') {
      target[key] = value;
    }
  }
  for (const [poolId, state] of devices as Map<unknown, unknown>) {
    const pool = typeof poolId === 'string' ? store.pools.get(poolId) : undefined;
    if (pool === undefined || !isRecord(state) || !(state.devices instanceof Map) || !(state.groupKeys instanceof Map)) {
      throw corrupt('a device entry names no pool');
    }
    importPoolDevices(pool, state as unknown as PoolDeviceState);
  }
  for (const [token, until] of rotated as Map<unknown, unknown>) {
    const record = typeof token === 'string' ? store.refreshTokens.get(token) : undefined;
    if (record !== undefined && typeof until === 'number') restoreRotatedOut(record, until);
  }
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows) cannot open or fsync a folder; the rename is then as durable as they allow.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'EACCES'].includes(errnoOf(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

let tempCounter = 0;

/** Replaces `file` by `text` atomically and durably: temp file in the same folder, fsync, rename, fsync the folder. */
export async function writeFileAtomic(dir: string, file: string, text: string): Promise<void> {
  const temp = join(dir, `${STATE_FILE}.${process.pid}.${++tempCounter}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(dir);
}

/** A store's data folder: reads it at start, writes it on {@link DataFolder.save}. */
export class DataFolder {
  /** The state file's path. */
  readonly file: string;
  private lastSaved: string | undefined;
  private running: Promise<void> = Promise.resolve();
  private next: Promise<void> | undefined;

  private lock: string | undefined;

  private constructor(readonly dir: string, private readonly store: EmulatorStore, private readonly region: string) {
    this.file = join(dir, STATE_FILE);
  }

  /**
   * Opens (creating it when missing) the data folder and restores the store from its file, if any.
   *
   * The folder is locked for this process until {@link DataFolder.release}.
   *
   * @returns the folder, and whether there was state to restore.
   * @throws TypeError when `dir` is not a folder; EmulatorDataError for a file that cannot be used, or
   *   a folder another emulator is using.
   */
  static async open(dir: string, store: EmulatorStore, region: string): Promise<{ folder: DataFolder; restored: boolean }> {
    try {
      if (!(await stat(dir)).isDirectory()) throw new TypeError(`"dataDir" ${dir} is not a folder`);
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
    const folder = new DataFolder(dir, store, region);
    folder.lock = await acquireLock(dir);
    try {
      return await folder.restore();
    } catch (error) {
      await folder.release();
      throw error;
    }
  }

  /** Gives the folder up (removes the lock). Safe to call twice. */
  async release(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    if (lock === undefined) return;
    const owner = (await readFile(lock, 'utf8').catch(() => '')).trim();
    if (owner === String(process.pid)) await rm(lock, { force: true });
  }

  private async restore(): Promise<{ folder: DataFolder; restored: boolean }> {
    // What a process killed between writing and renaming left behind.
    for (const name of await readdir(this.dir)) if (TEMP_FILE.test(name)) await rm(join(this.dir, name), { force: true });
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return { folder: this, restored: false };
      throw error;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new EmulatorDataError(this.file, `${this.file} is not valid JSON: the emulator's data file is damaged; move it away to start afresh`);
    }
    restoreState(this.store, this.region, doc, this.file);
    this.lastSaved = text.trimEnd();
    return { folder: this, restored: true };
  }

  /**
   * Writes the state as it is once the write starts; resolves when it is on disk. Calls made while a
   * write runs share the one after it.
   */
  save(): Promise<void> {
    if (this.next !== undefined) return this.next;
    const next = this.running.catch(() => undefined).then(() => {
      const run = this.writeNow();
      this.running = run;
      this.next = undefined;
      return run;
    });
    this.next = next;
    return next;
  }

  /** Waits for the writes asked for so far; never rejects. */
  async idle(): Promise<void> {
    await this.next?.catch(() => undefined);
    await this.running.catch(() => undefined);
  }

  private async writeNow(): Promise<void> {
    const text = JSON.stringify(snapshotState(this.store, this.region));
    if (text === this.lastSaved) return;
    await writeFileAtomic(this.dir, this.file, `${text}\n`);
    this.lastSaved = text;
  }
}
