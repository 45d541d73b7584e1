import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The page's scripts and stylesheet are files (linted as browser code), copied by the build next
 * to this module: src/admin/assets in the sources, dist/cjs/admin/assets in the package.
 */
const ASSETS_DIR = join(__dirname, 'assets');

export interface StatusPage {
  /** The whole document, UTF-8. */
  readonly html: Buffer;
  /** The Content-Security-Policy that lets exactly this document's inline code run. */
  readonly csp: string;
}

let cached: StatusPage | undefined;

/** The status page, built from its asset files on first use and kept for the process. */
export function statusPage(): StatusPage {
  if (cached !== undefined) return cached;
  const style = readAsset('status-page.css', '</style');
  // In page order: status-page.js uses what status-page-actions.js defines.
  const scripts = ['status-page-actions.js', 'status-page.js'].map((f) => readAsset(f, '</script'));
  cached = {
    html: Buffer.from(pageHtml(style, scripts), 'utf8'),
    csp: pageCsp(style, scripts),
  };
  return cached;
}

// Inlined verbatim: a closing tag inside would end the element early, so such a file is refused.
function readAsset(file: string, closingTag: string): string {
  const text = readFileSync(join(ASSETS_DIR, file), 'utf8');
  if (text.toLowerCase().includes(closingTag)) {
    throw new Error(`otel-circuit-breaker: ${file} must not contain "${closingTag}"`);
  }
  return text;
}

function cspHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/**
 * The live status page: one self-contained document (inline CSS and JS, nothing fetched from
 * elsewhere). It holds no breaker data; the script reads `/events` (or polls `/circuit-breakers`).
 */
function pageHtml(style: string, scripts: readonly string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Circuit breakers</title>
<link rel="icon" href="data:,">
<style>${style}</style>
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
${scripts.map((script) => `<script>${script}</script>`).join('\n')}
</body>
</html>
`;
}

/** Lets exactly the page's own inline style and scripts run, and connections only back to us. */
function pageCsp(style: string, scripts: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scripts.map(cspHash).join(' ')}`,
    `style-src ${cspHash(style)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
