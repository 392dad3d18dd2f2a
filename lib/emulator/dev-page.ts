/**
 * The developer page's HTML: the outbox (codes first, newest first), then each pool with its
 * settings, app clients and users, from a {@link DevState}. No script; one inline stylesheet;
 * tables turn into cards on narrow screens. Every value from the store is HTML-escaped: users
 * choose usernames and attribute values, and message templates may hold HTML.
 */
import type { DevClient, DevMessage, DevPool, DevState, DevUser } from './dev-state';
import type { MfaType } from './store';

/** Where the developer page lives (`/_dev` redirects here). */
export const DEV_PAGE_PATH = '/';
/** Its JSON form (also `GET /` with `Accept: application/json`). */
export const DEV_STATE_PATH = '/_dev/state.json';

/**
 * `s` with `& < > " '` replaced by entities, safe in element content and quoted attributes.
 *
 * @example
 * escapeHtml('<b title="x">'); // '&lt;b title=&quot;x&quot;&gt;'
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root { color-scheme: light; --line: #d9dde3; --muted: #5b6472; --accent: #0b5cad; --soft: #f4f6f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c2430; background: #fff; }
header { background: #1c2a3a; color: #fff; padding: .9rem 1.25rem; }
header h1 { margin: 0; font-size: 1.2rem; }
header p { margin: .2rem 0 0; color: #c5d0dc; font-size: .9rem; }
header a { color: #fff; }
main { padding: .5rem 1.25rem 2rem; max-width: 1200px; }
nav { margin: .75rem 0 0; font-size: .9rem; display: flex; flex-wrap: wrap; gap: .35rem .5rem; }
nav a { padding: .1rem .55rem; border: 1px solid #52667c; border-radius: 999px; text-decoration: none; }
nav a.on { background: #fff; color: #1c2a3a; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: .95rem; margin: 1.1rem 0 .4rem; }
h2 small, h3 small { color: var(--muted); font-weight: normal; }
a { color: var(--accent); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; font-size: .92rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td { overflow-wrap: anywhere; }
td code { white-space: nowrap; }
.tag.warn { background: #fff4d6; border-color: #e7c66b; }
.code { font: 700 1.05rem ui-monospace, Menlo, Consolas, monospace; letter-spacing: .04em; user-select: all; white-space: nowrap; }
.text { white-space: pre-wrap; }
.muted, .empty { color: var(--muted); }
.tag { display: inline-block; padding: 0 .4rem; border-radius: 4px; background: var(--soft); border: 1px solid var(--line);
  font-size: .8rem; white-space: nowrap; }
.ok { color: #17663a; } .no { color: #a3331f; }
.more { color: var(--muted); font-style: italic; margin: .4rem 0; }
@media (max-width: 640px) {
  header, main { padding-left: .75rem; padding-right: .75rem; }
  dl { gap: .15rem .75rem; }
  td code { white-space: normal; }
  table.cards thead { display: none; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .6rem; padding: .3rem .6rem; }
  table.cards td { position: relative; border: 0; padding: .15rem 0 .15rem 5.75rem; min-height: 1.6rem; }
  table.cards td::before { content: attr(data-label); position: absolute; left: 0; top: .25rem; width: 5.25rem;
    color: var(--muted); font-size: .82rem; }
}
`;

const MFA_NAMES: Record<MfaType, string> = { SOFTWARE_TOKEN_MFA: 'TOTP', SMS_MFA: 'SMS', EMAIL_OTP: 'e-mail' };

/** `2025-01-31 12:34:56 UTC` (ms since the epoch). */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `42 s ago`, `5 min ago`, `in 3 h` (the clock can be moved back): both times on the emulator clock. */
function relativeTime(ms: number, now: number): string {
  const seconds = Math.round(Math.abs(now - ms) / 1000);
  if (seconds < 5) return 'just now';
  const [amount, unit] = seconds < 90 ? [seconds, 's'] : seconds < 5400 ? [Math.round(seconds / 60), 'min']
    : seconds < 172_800 ? [Math.round(seconds / 3600), 'h'] : [Math.round(seconds / 86_400), 'd'];
  return ms <= now ? `${amount} ${unit} ago` : `in ${amount} ${unit}`;
}

function list(values: string[]): string {
  return values.length === 0 ? '<span class="muted">none</span>' : values.map((v) => `<code>${escapeHtml(v)}</code>`).join(', ');
}

function yesNo(value: boolean, yes = 'yes', no = 'no'): string {
  return value ? `<span class="ok">${yes}</span>` : `<span class="no">${no}</span>`;
}

function cell(label: string, html: string, className?: string): string {
  return `<td data-label="${label}"${className ? ` class="${className}"` : ''}>${html}</td>`;
}

function table(headings: string[], rows: string[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${empty}</p>`;
  const head = headings.map((h) => `<th scope="col">${h}</th>`).join('');
  return `<table class="cards"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function poolHref(poolId: string): string {
  return `${DEV_PAGE_PATH}?pool=${encodeURIComponent(poolId)}`;
}

function messageRow(m: DevMessage, now: number, poolNames: Map<string, string>, showPool: boolean): string {
  const cells = [
    cell('Sent', `<span class="mono">${formatTime(m.sentAt)}</span><br><span class="muted">${relativeTime(m.sentAt, now)}</span>`),
    cell('Code', m.code === undefined ? '<span class="muted">none</span>' : `<span class="code">${escapeHtml(m.code)}</span>`),
    cell('To', `<span class="tag">${escapeHtml(m.channel)}</span> ${escapeHtml(m.destination)}`),
    cell('Purpose', `<span class="tag">${escapeHtml(m.purpose)}</span>`),
    cell('User', `<code>${escapeHtml(m.username)}</code>`),
  ];
  if (showPool) cells.push(cell('Pool', `<a href="${escapeHtml(poolHref(m.poolId))}">${escapeHtml(poolNames.get(m.poolId) ?? m.poolId)}</a>`));
  cells.push(cell('Message', `<span class="text">${escapeHtml(m.message)}</span>`));
  return `<tr>${cells.join('')}</tr>`;
}

function outboxSection(state: DevState): string {
  const showPool = state.poolId === undefined && state.pools.length > 1;
  const names = new Map(state.pools.map((p) => [p.id, p.name]));
  const headings = ['Sent (emulator clock)', 'Code', 'To', 'Purpose', 'User', ...(showPool ? ['Pool'] : []), 'Message'];
  const rows = state.outbox.map((m) => messageRow(m, state.now, names, showPool));
  const count = state.outboxCount === 1 ? '1 message' : `${state.outboxCount} messages`;
  const more = state.outboxCount > state.outbox.length
    ? `<p class="more">Showing the newest ${state.outbox.length} of ${state.outboxCount}.</p>` : '';
  return `<section id="outbox"><h2>Outbox <small>${count}, newest first</small></h2>
${table(headings, rows, 'Nothing sent yet. Sign-up, password reset, attribute verification, invitations and SMS MFA put their messages here.')}
${more}</section>`;
}

function contact(c: DevUser['email']): string {
  if (!c) return '<span class="muted">none</span>';
  return `${escapeHtml(c.value)}<br>${yesNo(c.verified, 'verified', 'not verified')}`;
}

function mfaOf(user: DevUser): string {
  if (user.mfa.enabled.length === 0) return '<span class="muted">none</span>';
  return user.mfa.enabled.map((t) => (t === user.mfa.preferred ? `${MFA_NAMES[t]} (preferred)` : MFA_NAMES[t])).join(', ');
}

function userRow(u: DevUser): string {
  return `<tr>${[
    cell('Username', `<code>${escapeHtml(u.username)}</code>`),
    cell('Status', `<span class="tag${u.status === 'CONFIRMED' ? '' : ' warn'}">${escapeHtml(u.status)}</span>`),
    cell('Enabled', yesNo(u.enabled)),
    cell('E-mail', contact(u.email)),
    cell('Phone', contact(u.phoneNumber)),
    cell('Groups', list(u.groups)),
    cell('MFA', mfaOf(u)),
  ].join('')}</tr>`;
}

function clientRow(c: DevClient): string {
  return `<tr>${[
    cell('Client id', `<code>${escapeHtml(c.clientId)}</code>`),
    cell('Name', escapeHtml(c.clientName)),
    cell('Secret', c.hasSecret ? 'yes' : 'no'),
    cell('Auth flows', list(c.explicitAuthFlows)),
  ].join('')}</tr>`;
}

function poolSection(pool: DevPool): string {
  const id = escapeHtml(pool.id);
  const jwks = escapeHtml(`/${encodeURIComponent(pool.id)}/.well-known/jwks.json`);
  const openid = escapeHtml(`/${encodeURIComponent(pool.id)}/.well-known/openid-configuration`);
  const more = pool.userCount > pool.users.length
    ? `<p class="more">… and ${pool.userCount - pool.users.length} more (ListUsers pages through them all).</p>` : '';
  return `<section id="pool-${id}" class="pool"><h2>${escapeHtml(pool.name)} <small><code>${id}</code></small></h2>
<dl>
<dt>MFA</dt><dd><span class="tag">${escapeHtml(pool.mfa)}</span></dd>
<dt>Username attributes</dt><dd>${list(pool.usernameAttributes)}</dd>
<dt>Aliases</dt><dd>${list(pool.aliasAttributes)}</dd>
<dt>Auto-verified</dt><dd>${list(pool.autoVerifiedAttributes)}</dd>
<dt>Usernames</dt><dd>${pool.caseSensitive ? 'case-sensitive' : 'case-insensitive'}</dd>
<dt>Groups</dt><dd>${list(pool.groups)}</dd>
<dt>Issuer</dt><dd><code>${escapeHtml(pool.issuer)}</code> · <a href="${jwks}">JWKS</a> · <a href="${openid}">OpenID configuration</a></dd>
</dl>
<h3>App clients <small>${pool.clients.length}</small></h3>
${table(['Client id', 'Name', 'Secret', 'Auth flows'], pool.clients.map(clientRow), 'No app clients.')}
<h3>Users <small>${pool.userCount}</small></h3>
${table(['Username', 'Status', 'Enabled', 'E-mail', 'Phone', 'Groups', 'MFA'], pool.users.map(userRow), 'No users.')}
${more}</section>`;
}

function navigation(state: DevState, allPools: Array<{ id: string; name: string }>): string {
  if (allPools.length < 2 && state.poolId === undefined) return '';
  const link = (href: string, label: string, on: boolean): string =>
    `<a href="${escapeHtml(href)}"${on ? ' class="on" aria-current="page"' : ''}>${label}</a>`;
  const links = [link(DEV_PAGE_PATH, 'All pools', state.poolId === undefined)];
  for (const p of allPools) links.push(link(poolHref(p.id), escapeHtml(p.name), p.id === state.poolId));
  return `<nav aria-label="Pools">${links.join('')}</nav>`;
}

/**
 * The developer page for `state`. `allPools` (id and name of every pool) feeds the pool filter
 * links, which stay whole when `state` is filtered to one pool.
 *
 * @example
 * const html = renderDevPage(devState(ctx), [...ctx.store.pools.values()]);
 */
export function renderDevPage(state: DevState, allPools: Array<{ id: string; name: string }>): string {
  const reload = escapeHtml(state.poolId === undefined ? DEV_PAGE_PATH : poolHref(state.poolId));
  const json = escapeHtml(state.poolId === undefined ? DEV_STATE_PATH : `${DEV_STATE_PATH}?pool=${encodeURIComponent(state.poolId)}`);
  const body = state.poolId !== undefined && state.pools.length === 0
    ? `<p class="empty">No user pool <code>${escapeHtml(state.poolId)}</code>. <a href="${DEV_PAGE_PATH}">All pools</a></p>`
    : `${outboxSection(state)}\n${state.pools.length === 0
      ? '<h2>User pools</h2><p class="empty">No user pools yet: seed some (<code>--seed</code>, <code>--demo</code>) or call CreateUserPool.</p>'
      : state.pools.map(poolSection).join('\n')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Cognito emulator: developer page</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Cognito emulator</h1>
<p>Developer page · emulator clock <span class="mono">${formatTime(state.now)}</span> · <a href="${reload}">Reload</a> ·
<a href="${json}">JSON</a></p>
${navigation(state, allPools)}
</header>
<main>
${body}
</main>
</body>
</html>
`;
}
