/**
 * Pagination for the listing operations (ListUsers, ListGroups, ListUserPools, …): items in
 * creation order, pages of at most `limit`, and an opaque token that names the last item handed
 * out. Asking again with the same token gives the same page; deleting an item between pages
 * neither repeats nor skips the others; items created meanwhile come at the end.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalidParameter, type WireError } from './errors';

// Each record gets an ordinal the first time a listing sees it. Containers are Maps whose new
// entries are appended, and a listing numbers the whole container in its order, so ordinals follow
// creation order; a token carries the ordinal of the last item returned, not a position, so removals
// do not shift later pages. Keyed weakly: a deleted record leaves nothing behind.
const ordinals = new WeakMap<object, number>();
let lastOrdinal = 0;

// Tokens are MACed so that a token made up, altered, or issued for another pool or operation is
// refused rather than silently read as a position. The key lives as long as the process, as the
// emulator's state does.
const TOKEN_KEY = randomBytes(32);

function ordinalOf(item: object): number {
  let n = ordinals.get(item);
  if (n === undefined) {
    n = ++lastOrdinal;
    ordinals.set(item, n);
  }
  return n;
}

function mac(scope: string, body: string): Buffer {
  return createHmac('sha256', TOKEN_KEY).update(`${scope}\n${body}`).digest().subarray(0, 18);
}

/** Cognito's refusal of a pagination token it did not issue for this request. */
function badToken(token: string): WireError {
  return invalidParameter(`Paging marker ${token} is invalid for request.`);
}

function encodeToken(scope: string, ordinal: number): string {
  const body = Buffer.from(String(ordinal), 'utf8').toString('base64url');
  return `${body}.${mac(scope, body).toString('base64url')}`;
}

function decodeToken(scope: string, token: string): number {
  const [body, tag, extra] = token.split('.');
  if (extra !== undefined || !body || !tag) throw badToken(token);
  // Compared as text: base64url decoding ignores stray trailing characters.
  const given = Buffer.from(tag, 'utf8');
  const expected = Buffer.from(mac(scope, body).toString('base64url'), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw badToken(token);
  const ordinal = Number(Buffer.from(body, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(ordinal) || ordinal < 1) throw badToken(token);
  return ordinal;
}

/** What one page request names. */
export interface PageRequest {
  /**
   * What the token is valid for: the operation and what it lists, e.g. `ListUsers/<poolId>`.
   * A token is refused under any other scope.
   */
  scope: string;
  /** Largest number of items on the page (1 or more). */
  limit: number;
  /** The token from the previous page, if any. */
  token?: string;
}

/** One page: the items and, when more follow, the token for the next page. */
export interface Page<T> {
  items: T[];
  next?: string;
}

/**
 * Cuts one page out of `all` (a whole container, in its insertion order), keeping only the items
 * `keep` accepts. `all` must be the complete container even when `keep` filters: numbering only
 * the kept items would put the others after them later.
 *
 * @throws WireError InvalidParameterException "Paging marker TOKEN is invalid for request." for a
 *   token not issued for `scope`.
 * @example
 * const { items, next } = paginate(pool.groups.values(), { scope: `ListGroups/${pool.id}`, limit: 60, token });
 */
export function paginate<T extends object>(all: Iterable<T>, request: PageRequest, keep: (item: T) => boolean = () => true): Page<T> {
  const after = request.token === undefined ? 0 : decodeToken(request.scope, request.token);
  const numbered = Array.from(all, (item) => ({ n: ordinalOf(item), item }));
  numbered.sort((a, b) => a.n - b.n);
  const items: T[] = [];
  let last = 0;
  for (const { n, item } of numbered) {
    if (n <= after || !keep(item)) continue;
    if (items.length === request.limit) return { items, next: encodeToken(request.scope, last) };
    items.push(item);
    last = n;
  }
  return { items };
}
