import { createHash } from 'node:crypto';
import { STATUS_PAGE_SCRIPT } from './status-page-script.js';
import { STATUS_PAGE_STYLE } from './status-page-style.js';

function cspHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/**
 * The live status page: one self-contained document (inline CSS and JS, nothing fetched from
 * elsewhere). It holds no breaker data; the script reads `/events` (or polls `/circuit-breakers`).
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Circuit breakers</title>
<link rel="icon" href="data:,">
<style>${STATUS_PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>Circuit breakers</h1>
  <span id="summary">loading…</span>
  <span class="spacer"></span>
  <input id="filter" type="search" placeholder="Filter by name" aria-label="Filter by name">
  <button id="forget-token" type="button">Forget token</button>
  <span id="conn" class="conn">connecting…</span>
</header>
<main>
  <div id="message" role="status" aria-live="polite"></div>
  <div id="fleet-error" class="banner" hidden></div>
  <table>
    <thead><tr>
      <th>Name</th><th>State</th><th class="num">Failure rate</th><th class="num">Slow calls</th>
      <th class="num">Calls in window</th><th class="num">Opens</th><th class="num">Recovery in</th>
      <th>Last error</th><th>Actions</th>
    </tr></thead>
    <tbody id="rows"></tbody>
  </table>
  <p id="empty" hidden>No breakers yet. They appear once a protected host or agent is called.</p>
</main>
<footer><span id="updated"></span> · otel-circuit-breaker admin · changes need the admin token, kept in this tab only</footer>
<dialog id="token-dialog" aria-labelledby="token-what">
  <p id="token-what"></p>
  <input id="token-input" type="password" autocomplete="off" aria-label="Admin token" placeholder="Admin token">
  <div class="row">
    <button id="token-cancel" type="button">Cancel</button>
    <button id="token-ok" type="button" class="primary">Apply</button>
  </div>
</dialog>
<script>${STATUS_PAGE_SCRIPT}</script>
</body>
</html>
`;

/** Lets exactly the page's own inline style and script run, and connections only back to us. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${cspHash(STATUS_PAGE_SCRIPT)}`,
  `style-src ${cspHash(STATUS_PAGE_STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
