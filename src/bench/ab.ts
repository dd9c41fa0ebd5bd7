// `npm run bench:ab -- <checkout A> <checkout B>`: durable filings on two builds, compared in one run. Both servers run
// side by side, each on a fresh data directory, and take the load in turn, a short window each (A, B; then B, A; …), so
// that a drift of the machine's speed between runs, which here moves a build's filings/s by 30% within minutes, weighs
// on both alike. It prints each window's filings/s and server CPU per filing, B ÷ A for every pair of windows and the
// medians. A checkout is a directory holding a built tree (`dist/main.js`) and its package.json, whose `npm start`
// flags its server runs with: a git worktree of another commit with `npx nest build` run in it, say. Run it with one
// checkout given twice first: the spread of B ÷ A between identical builds is what a difference has to exceed.
// Options: --store sqlite|postgres (postgres: BENCH_DATABASE_URL, else TEST_DATABASE_URL; a schema of its own for each
// server, dropped afterwards), --rounds (pairs of windows, default 10), --seconds (per window, default 4), --connections
// (default 50).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { load, withLedger } from './http.js';
import { cpuMsOf, type ServerChild } from './processes.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    store: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '50' },
  },
});
const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${text}`);
  return n;
};
const rounds = positive('rounds', values.rounds!);
const seconds = positive('seconds', values.seconds!);
const connections = positive('connections', values.connections!);
const store = values.store!;
if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store must be sqlite or postgres, not ${store}`);
if (positionals.length !== 2)
  throw new Error('usage: npm run bench:ab -- <checkout A> <checkout B> [--store sqlite|postgres] [--rounds N] [--seconds N]');
const roots = positionals.map((p) => resolve(p));
for (const root of roots) {
  if (!existsSync(resolve(root, 'dist', 'main.js'))) throw new Error(`${root} holds no build (dist/main.js): run npx nest build there`);
}
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (store === 'postgres' && !databaseUrl) throw new Error('--store postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL');

interface Window {
  filingsPerSecond: number;
  cpuMsPerFiling: number | null;
  p99Ms: number;
  failed: number;
}

const schemas = roots.map(() => `bench_ab_${randomBytes(6).toString('hex')}`);
const envOf = (i: number): Record<string, string> =>
  store === 'postgres' ? { LEDGER_STORE: 'postgres', DATABASE_URL: databaseUrl!, LEDGER_DATABASE_SCHEMA: schemas[i] } : {};

async function window(server: ServerChild, key: string): Promise<Window> {
  const before = cpuMsOf(server.child.pid!);
  const r = await load(server, key, seconds, connections);
  const after = cpuMsOf(server.child.pid!);
  return {
    filingsPerSecond: r.ok / r.seconds,
    cpuMsPerFiling: before !== null && after !== null && r.ok > 0 ? (after - before) / r.ok : null,
    p99Ms: r.p99Ms,
    failed: r.non2xx + r.errors,
  };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}

const peakRssMiB = (pid: number): number | null => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
};

/** Drops the servers' schemas: on PostgreSQL after the run, and when the run is stopped (Ctrl-C). */
async function dropSchemas(): Promise<void> {
  if (store !== 'postgres') return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void dropSchemas().finally(() => process.exit(130));
  });
}

const fmt = (x: number | null, digits: number) => (x === null ? 'n/a' : x.toFixed(digits));
const out = (line: string) => process.stdout.write(line + '\n');

out(`A: ${roots[0]}\nB: ${roots[1]}\n${store}, ${rounds} rounds of ${seconds} s windows, ${connections} connections`);
const windows: Window[][] = [[], []];
try {
  await withLedger(
    'FULL',
    envOf(0),
    (a, keyA) =>
      withLedger(
        'FULL',
        envOf(1),
        async (b, keyB) => {
          const servers = [
            { server: a, key: keyA },
            { server: b, key: keyB },
          ];
          // A first window each, not counted: each server's code is still being compiled.
          for (const { server, key } of servers) await load(server, key, seconds, connections);
          for (let round = 0; round < rounds; round++) {
            for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
              const w = await window(servers[i].server, servers[i].key);
              windows[i].push(w);
              out(
                `round ${round + 1} ${'AB'[i]}: ${fmt(w.filingsPerSecond, 0)} filings/s, ${fmt(w.cpuMsPerFiling, 3)} ms CPU a filing, ` +
                  `p99 ${fmt(w.p99Ms, 1)} ms${w.failed ? `, ${w.failed} failed` : ''}`,
              );
            }
          }
          out(`peak RSS: A ${fmt(peakRssMiB(a.child.pid!), 0)} MiB, B ${fmt(peakRssMiB(b.child.pid!), 0)} MiB`);
        },
        roots[1],
      ),
    roots[0],
  );
} finally {
  await dropSchemas();
}

const rates = windows[0].map((a, k) => windows[1][k].filingsPerSecond / a.filingsPerSecond);
const cpus = windows[0].flatMap((a, k) =>
  a.cpuMsPerFiling && windows[1][k].cpuMsPerFiling ? [windows[1][k].cpuMsPerFiling! / a.cpuMsPerFiling] : [],
);
for (const [name, w] of [
  ['A', windows[0]],
  ['B', windows[1]],
] as const) {
  const cpu = w.flatMap((x) => (x.cpuMsPerFiling === null ? [] : [x.cpuMsPerFiling]));
  out(
    `${name}: median ${fmt(median(w.map((x) => x.filingsPerSecond)), 0)} filings/s, ${cpu.length ? fmt(median(cpu), 3) : 'n/a'} ms CPU a filing, ` +
      `${w.reduce((n, x) => n + x.failed, 0)} failed`,
  );
}
out(`B ÷ A filings/s: median ${fmt(median(rates), 3)} (${rates.map((r) => fmt(r, 3)).join(', ')})`);
if (cpus.length) out(`B ÷ A CPU a filing: median ${fmt(median(cpus), 3)} (${cpus.map((r) => fmt(r, 3)).join(', ')})`);
out(`B faster in ${rates.filter((r) => r > 1).length} of ${rates.length} pairs`);
