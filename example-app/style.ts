/**
 * The app's one stylesheet, served at `/style.css` (the Content-Security-Policy allows no inline
 * style). Kept as a string so that the TypeScript build carries it into `dist/` with the code.
 */
export const STYLESHEET = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #dfe3ea; --accent: #2f5bd3;
  --bg: #f5f7fb; --card: #fff; --err-bg: #fdecec; --err: #a11a1a; --ok-bg: #e9f7ef; --ok: #1c6b3a; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
header { background: var(--card); border-bottom: 1px solid var(--line); }
header .bar { max-width: 56rem; margin: 0 auto; padding: .75rem 1rem; display: flex; gap: 1rem;
  align-items: center; flex-wrap: wrap; }
header .brand { font-weight: 700; color: var(--fg); text-decoration: none; margin-right: auto; }
header nav a { color: var(--accent); text-decoration: none; margin-right: .75rem; }
header nav a:hover { text-decoration: underline; }
header form { margin: 0; }
header .who { color: var(--muted); }
/* A federated user's name (DemoIdP_<uuid>) is long: cut in the header, whole on the profile page. */
header .who strong { display: inline-block; max-width: 11rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap;
  vertical-align: bottom; }
main { max-width: 56rem; margin: 2rem auto; padding: 0 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1.5rem;
  margin-bottom: 1.5rem; scroll-margin-top: 1rem; }
.narrow { max-width: 28rem; margin-left: auto; margin-right: auto; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
p { margin: .5rem 0; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
label.choice { font-weight: 400; display: flex; gap: .5rem; align-items: center; }
input[type=text], input[type=password], input[type=email] { width: 100%; padding: .55rem .65rem; font: inherit;
  border: 1px solid var(--line); border-radius: 6px; }
input:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
button { margin-top: 1rem; padding: .55rem 1.1rem; font: inherit; font-weight: 600; color: #fff;
  background: var(--accent); border: 0; border-radius: 6px; cursor: pointer; }
button.link { margin: 0; padding: .3rem .7rem; background: transparent; color: var(--accent);
  border: 1px solid var(--line); font-weight: 500; }
.error { background: var(--err-bg); color: var(--err); border-radius: 6px; padding: .6rem .8rem; }
.notice { background: var(--ok-bg); color: var(--ok); border-radius: 6px; padding: .6rem .8rem; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { width: 14rem; color: var(--muted); font-weight: 600; }
td { overflow-wrap: anywhere; }
.card > h2:first-child { margin-top: 0; }
code, .secret { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.secret { display: inline-block; padding: .3rem .5rem; background: var(--bg); border-radius: 4px;
  letter-spacing: .08em; word-break: break-all; }
.qr svg { width: 220px; height: 220px; display: block; margin: .5rem 0; }
.tag { display: inline-block; padding: .05rem .5rem; border-radius: 999px; background: var(--bg);
  border: 1px solid var(--line); margin-right: .3rem; font-size: .85rem; }
.demo table th { width: 6rem; }
.links { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; margin-top: 1rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .4rem 0 0; }
button + .hint { margin-top: .75rem; }
.hint button.link { border: 0; padding: 0; text-decoration: underline; font-size: inherit; }
.rules { background: var(--bg); border-radius: 6px; padding: .5rem .8rem; margin: .9rem 0 .25rem; font-size: .9rem;
  color: var(--muted); }
.rules ul { margin: .25rem 0 0; padding-left: 1.2rem; }
.tag.on { background: var(--ok-bg); border-color: #b9e3c8; color: var(--ok); }
.tag.warn { background: #fff4e0; border-color: #f0d29b; color: #7a4b00; }
button.danger { background: var(--err); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
form.inline { display: inline-block; margin: 0; }
form.inline button.link { margin-top: .75rem; }
.narrow-form { max-width: 28rem; }
.danger-zone { border-color: #f1c4c4; }
.or { display: flex; align-items: center; gap: .75rem; color: var(--muted); font-size: .9rem; margin: 1.25rem 0 .25rem; }
.or::before, .or::after { content: ""; flex: 1; border-top: 1px solid var(--line); }
a.button { display: block; text-align: center; margin-top: .6rem; padding: .55rem 1.1rem; border-radius: 6px; font-weight: 600;
  text-decoration: none; }
a.button.secondary { color: var(--accent); background: var(--card); border: 1px solid var(--accent); }
a.button.secondary:hover { background: var(--bg); }
/* Passwordless sign-in: one button per way in, the password form below them. */
.factors { display: flex; flex-direction: column; gap: .6rem; margin: 1rem 0; }
.factors button { margin: 0; width: 100%; }
button.secondary { color: var(--accent); background: var(--card); border: 1px solid var(--accent); }
button.secondary:hover { background: var(--bg); }
.warning { background: #fff4e0; color: #7a4b00; border-radius: 6px; padding: .6rem .8rem; font-size: .9rem; }
table.passkeys th { width: auto; }
table.passkeys td { vertical-align: middle; overflow-wrap: normal; }
table.passkeys .passkey-name, table.passkeys form.inline button, .nowrap { white-space: nowrap; }
table.passkeys form.inline button.link { margin-top: 0; }
button.link.danger-link { color: var(--err); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
[hidden] { display: none !important; }
pre.json { margin: 0; padding: .75rem; background: var(--bg); border-radius: 6px; overflow: auto; font-size: .85rem; }
@media (max-width: 40rem) {
  main { margin: 1rem auto; padding: 0 .75rem; }
  .card { padding: 1rem; }
  header .bar { gap: .5rem .75rem; }
  /* Name and value one above the other: a long token id or URL gets the whole width. */
  table.kv, table.kv tbody, table.kv tr, table.kv th, table.kv td { display: block; width: auto; }
  table.kv tr { border-bottom: 1px solid var(--line); padding: .4rem 0; }
  table.kv th, table.kv td { border: 0; padding: .05rem .25rem; }
  table.kv th { font-size: .85rem; }
}
`;
