// npm run bench:http:instructions — per-request cost of the undici/fetch hook counted in CPU
// instructions (valgrind callgrind), which, unlike requests/second, does not move with the load of
// a shared 2-core machine. Each client runs N1 and N2 sequential keep-alive requests, bare (the
// library loaded, the hook off) and instrumented, in its own process; (I(N2) - I(N1)) / (N2 - N1)
// cancels start-up and module loading. Counts are repeatable for one process image, but the JIT's
// choices differ between images: a few thousand instructions either way are not the hook's.
// Prints instructions per request and bare/instrumented ratios (target >= 0.97).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, printTable, Targets, writeResults } from './lib/harness.mjs';

const N1 = 1_500;
const N2 = 4_000;
const client = fileURLToPath(new URL('./lib/instr-client.mjs', import.meta.url));
const server = spawn(
  process.execPath,
  [fileURLToPath(new URL('./lib/canned-http-server.cjs', import.meta.url))],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const origin = `http://127.0.0.1:${Number(String((await once(server.stdout, 'data'))[0]))}`;
const dir = mkdtempSync(join(tmpdir(), 'cb-callgrind-'));

function instructions(mode, kind, n) {
  return new Promise((resolve, reject) => {
    const out = join(dir, `${mode}-${kind}-${n}.out`);
    const p = spawn(
      'valgrind',
      [
        '--tool=callgrind',
        `--callgrind-out-file=${out}`,
        process.execPath,
        client,
        mode,
        kind,
        origin,
        String(n),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => {
      const m = /I\s+refs:\s+([\d,]+)/.exec(err);
      if (code !== 0 || m === null)
        reject(new Error(`callgrind ${mode} ${kind} ${n} failed: ${err.slice(-500)}`));
      else resolve(Number(m[1].replaceAll(',', '')));
    });
  });
}

const kinds = ['fetch', 'undici.request'];
const jobs = kinds.flatMap((kind) =>
  ['bare', 'instrumented'].flatMap((mode) => [N1, N2].map((n) => ({ kind, mode, n }))),
);
const counts = await Promise.all(jobs.map((j) => instructions(j.mode, j.kind, j.n)));
server.stdin.end();
rmSync(dir, { recursive: true, force: true });
const at = (kind, mode, n) =>
  counts[jobs.findIndex((j) => j.kind === kind && j.mode === mode && j.n === n)];
const perRequest = (kind, mode) => (at(kind, mode, N2) - at(kind, mode, N1)) / (N2 - N1);

const targets = new Targets();
const rows = [];
const results = {};
for (const kind of kinds) {
  const bare = perRequest(kind, 'bare');
  const inst = perRequest(kind, 'instrumented');
  const ratio = bare / inst;
  rows.push([
    kind,
    fmt(bare / 1000, 1),
    fmt(inst / 1000, 1),
    fmt((inst - bare) / 1000, 1),
    fmt(ratio, 3),
  ]);
  results[kind] = { bareInstructions: bare, instrumentedInstructions: inst, ratio };
  targets.check(`${kind} instructions bare/instrumented >= 0.97`, ratio >= 0.97, fmt(ratio, 3));
}
printTable(
  `Instructions per request (callgrind, ${N1} → ${N2} sequential keep-alive requests, Node ${process.version})`,
  ['client', 'bare k-instr', 'instrumented k-instr', 'added k-instr', 'bare ÷ instrumented'],
  rows,
);
targets.finish();
writeResults(new URL('./results/http-instructions.json', import.meta.url).pathname, {
  n1: N1,
  n2: N2,
  results,
});
