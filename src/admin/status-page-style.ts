/** Stylesheet of the status page (inlined; allowed by its CSP hash). */
export const STATUS_PAGE_STYLE = `
:root { color-scheme: light dark; --bg: #f7f7f8; --fg: #1d1f23; --muted: #6b7280; --line: #e2e4e8;
  --card: #fff; --closed: #15803d; --half: #b45309; --open: #b91c1c; --forced: #7e22ce; --disabled: #6b7280; }
@media (prefers-color-scheme: dark) { :root { --bg: #111317; --fg: #e8e9ec; --muted: #9aa1ac;
  --line: #2a2e35; --card: #181b20; --closed: #4ade80; --half: #fbbf24; --open: #f87171;
  --forced: #c084fc; --disabled: #9ca3af; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 14px 20px; border-bottom: 1px solid var(--line); background: var(--card); }
h1 { font-size: 17px; margin: 0 8px 0 0; }
#summary { color: var(--muted); }
.spacer { flex: 1; }
.conn { font-size: 12px; padding: 2px 8px; border-radius: 999px; border: 1px solid var(--line); color: var(--muted); }
.conn.live { color: var(--closed); border-color: var(--closed); }
.conn.polling { color: var(--half); border-color: var(--half); }
.conn.down { color: var(--open); border-color: var(--open); }
input, button { font: inherit; }
input[type=search], input[type=password] { padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
button { padding: 4px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); cursor: pointer; }
button:hover { border-color: var(--muted); }
button.primary { background: var(--fg); color: var(--bg); }
main { padding: 16px 20px; }
#message { min-height: 22px; margin-bottom: 8px; }
#message.ok { color: var(--closed); }
#message.error { color: var(--open); }
.banner { padding: 8px 12px; border: 1px solid var(--half); color: var(--half); border-radius: 6px; margin-bottom: 10px; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; text-align: right; }
th.num { text-align: right; }
td.name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; max-width: 320px; }
td.err { color: var(--muted); max-width: 280px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.state { display: inline-block; white-space: nowrap; min-width: 92px; text-align: center; padding: 2px 8px; border-radius: 999px; font-weight: 600; font-size: 12px; color: #fff; }
.state.closed { background: var(--closed); }
.state.half_open { background: var(--half); }
.state.open { background: var(--open); }
.state.forced_open { background: var(--forced); }
.state.disabled { background: var(--disabled); }
.state.unknown { background: var(--muted); }
tr.open td, tr.forced_open td { background: color-mix(in srgb, var(--open) 7%, transparent); }
.fleet { display: block; font-size: 11px; color: var(--muted); margin-top: 2px; }
td.actions { white-space: nowrap; }
td.actions button { margin-right: 4px; }
#empty { color: var(--muted); padding: 20px 0; }
dialog { border: 1px solid var(--line); border-radius: 10px; background: var(--card); color: var(--fg); padding: 18px; min-width: 320px; }
dialog::backdrop { background: rgb(0 0 0 / .35); }
dialog p { margin: 0 0 10px; }
dialog .row { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; }
dialog input { width: 100%; }
footer { color: var(--muted); font-size: 12px; padding: 0 20px 20px; }
`;
