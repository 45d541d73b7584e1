// Runs before `npm test` (the `pretest` script): makes sure the programs the suite runs for real are
// there, and that a Redis answers on 127.0.0.1:6379 (or REDIS_URL). On Debian as root it installs
// what is missing with apt-get; anywhere else it stops within seconds, one line per missing program
// naming the command that installs it, so no test starts only to fail on a missing tool.
// `--check` only reports. Plain Node, no dependencies: it must run before `npm install` too.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

/** Each program a test spawns, and the Debian package (and Homebrew formula) that provides it. */
const TOOLS = [
  { bin: 'redis-server', apt: 'redis-server', brew: 'redis', usedBy: 'the Redis failover tests' },
  { bin: 'redis-cli', apt: 'redis-tools', brew: 'redis', usedBy: 'the Redis Cluster tests' },
  { bin: 'promtool', apt: 'prometheus', brew: 'prometheus', usedBy: 'the alert-rule tests' },
  { bin: 'prometheus', apt: 'prometheus', brew: 'prometheus', usedBy: 'the dashboard e2e test' },
  { bin: 'chromium', apt: 'chromium', brew: '--cask chromium', usedBy: 'the status page test' },
  {
    bin: 'docker-compose',
    apt: 'docker-compose',
    brew: 'docker-compose',
    usedBy: 'the compose file test',
  },
  { bin: 'openssl', apt: 'openssl', brew: 'openssl', usedBy: 'the TLS tests' },
  { bin: 'script', apt: 'bsdutils', brew: 'util-linux', usedBy: 'the CLI terminal test' },
];

const log = (line) => console.error(`test:setup: ${line}`);

function onPath(bin) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

const missingTools = () => TOOLS.filter((t) => !onPath(t.bin));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/etc/debian_version') && onPath('apt-get') && onPath('dpkg');
const checkOnly = process.argv.includes('--check');

function installCommand(tool) {
  if (hasApt) return `${isRoot ? '' : 'sudo '}apt-get install -y ${tool.apt}`;
  if (onPath('brew')) return `brew install ${tool.brew}`;
  return `apt-get install -y ${tool.apt} (Debian/Ubuntu) or brew install ${tool.brew} (macOS)`;
}

function refuse(tools, why) {
  for (const t of tools)
    log(`missing ${t.bin} (${t.usedBy}): install it with: ${installCommand(t)}`);
  log(`${why}; no test was run.`);
  process.exit(1);
}

function apt(args) {
  const run = spawnSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (run.status !== 0) {
    log(`apt-get ${args.join(' ')} failed (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
}

let missing = missingTools();
if (missing.length > 0) {
  if (checkOnly) refuse(missing, '--check given, nothing installed');
  if (!isRoot || !hasApt) {
    refuse(missing, hasApt ? 'not root, so nothing was installed' : 'no apt-get here');
  }
  const packages = [...new Set(missing.map((t) => t.apt))];
  log(
    `installing ${packages.join(' ')} with apt-get (missing: ${missing.map((t) => t.bin).join(', ')})`,
  );
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
  missing = missingTools();
  if (missing.length > 0) refuse(missing, 'still missing after apt-get install');
}

// The shared-store tests use a long-running Redis (they never stop or flush it); start one when
// nothing answers, as a developer machine without a Redis service would need.
const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const host = url.hostname || '127.0.0.1';
const port = Number(url.port || 6379);

function redisAnswers() {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}

if (!(await redisAnswers())) {
  if (checkOnly || process.env.REDIS_URL) {
    log(`no Redis answers at ${host}:${port}: start one with: redis-server --port ${port}`);
    process.exit(1);
  }
  log(`no Redis at ${host}:${port}; starting redis-server there (no persistence)`);
  spawnSync(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      host,
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: 'inherit' },
  );
  let up = false;
  for (let i = 0; i < 50 && !up; i++) {
    up = await redisAnswers();
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  if (!up) {
    log(`redis-server did not answer on ${host}:${port} within 5 s; no test was run.`);
    process.exit(1);
  }
}
