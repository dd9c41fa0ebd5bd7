// `npm run bench:ab -- <checkout A> <checkout B>`: durable filings on two builds, compared in one run. Both servers run
// side by side, each on a fresh data directory, and take the load in turn, a short window each (A, B; then B, A; …), so
// that a drift of the machine's speed, which here moves a build's filings/s by 30% within minutes, weighs on both alike.
// Two servers also differ by chance (where their memory lies, which core they get), and every pair of windows of one
// run shares that: the comparison is made in several runs (`--runs`), each with two fresh servers, started in turn A
// first and B first. It prints each window's filings/s and CPU per filing, then B ÷ A per pair, each run's median and
// the median of all pairs. A checkout is a directory holding a built tree (`dist/main.js`) and its package.json, whose
// `npm start` flags its server runs with: a git worktree of another commit with `npx nest build` run in it, say. Run it
// with one checkout given twice first: the spread of B ÷ A between identical builds is what a difference has to exceed.
// Options: --store sqlite|postgres (postgres: BENCH_DATABASE_URL, else TEST_DATABASE_URL; a schema of its own for each
// server, dropped afterwards), --runs (default 3), --rounds (pairs of windows a run, default 6), --seconds (a window,
// default 4), --connections (default 50). Ctrl-C stops after the pair of windows under way, and cleans up as at the end.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { measure, withLedger, type HttpFigure } from './http.js';
import { memoryOf, type ServerChild } from './processes.js';

const USAGE =
  'usage: npm run bench:ab -- <checkout A> <checkout B> [--store sqlite|postgres] [--runs N] [--rounds N] [--seconds N] [--connections N]';

/** The run's settings, from the command line; a mistake is reported as a message and exit code 2. */
function settings() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      store: { type: 'string', default: 'sqlite' },
      runs: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '6' },
      seconds: { type: 'string', default: '4' },
      connections: { type: 'string', default: '50' },
    },
  });
  const positive = (name: 'runs' | 'rounds' | 'seconds' | 'connections'): number => {
    const n = Number(values[name]);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${values[name]}`);
    return n;
  };
  const store = values.store!;
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store must be sqlite or postgres, not ${store}`);
  if (positionals.length !== 2) throw new Error(USAGE);
  // npm runs scripts from the package's directory: paths are the caller's, relative to where `npm run` was typed.
  const roots = positionals.map((p) => resolve(process.env.INIT_CWD ?? process.cwd(), p));
  for (const root of roots) {
    if (!existsSync(root)) throw new Error(`${root} does not exist`);
    for (const file of ['package.json', 'dist/main.js'])
      if (!existsSync(resolve(root, file))) throw new Error(`${root} has no ${file}: a checkout with npx nest build run in it`);
  }
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (store === 'postgres' && !databaseUrl) throw new Error('--store postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL');
  return {
    store,
    roots,
    databaseUrl,
    runs: positive('runs'),
    rounds: positive('rounds'),
    seconds: positive('seconds'),
    connections: positive('connections'),
  };
}

let config: ReturnType<typeof settings>;
try {
  config = settings();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
const { store, roots, databaseUrl, runs, rounds, seconds, connections } = config;

/** Set by Ctrl-C (or a closed output): the run stops after the pair of windows under way, then cleans up. */
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143); // a second one: at once
    stopping = true;
    process.stderr.write(`${signal}: stopping after this pair of windows (again to stop at once)\n`);
  });
}
process.stdout.on('error', () => {
  stopping = true;
});
const out = (line: string) => {
  if (process.stdout.writable) process.stdout.write(line + '\n');
};

const schemasMade: string[] = [];
function envOf(): Record<string, string> {
  if (store !== 'postgres') return {};
  const schema = `bench_ab_${randomBytes(6).toString('hex')}`;
  schemasMade.push(schema);
  return { LEDGER_STORE: 'postgres', DATABASE_URL: databaseUrl!, LEDGER_DATABASE_SCHEMA: schema };
}

async function dropSchemas(): Promise<void> {
  if (schemasMade.length === 0) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of schemasMade.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}

const fmt = (x: number | null, digits: number) => (x === null ? 'n/a' : x.toFixed(digits));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** One window of load: the bench's own measurement of a run (filings/s, CPU per answered filing, p99), without warm-up. */
const windowOf = { connections, seconds, warmupSeconds: 0 };
/** A server's peak RSS in MB (10^6 bytes, as the bench's 300 MB target). */
const peakMb = (server: ServerChild): number | null => {
  const peak = memoryOf(server.child.pid!)?.peak;
  return peak === undefined || Number.isNaN(peak) ? null : peak / 1e6;
};

/** One run: fresh servers for both builds (`first` started first), a warm-up window each, then `rounds` pairs of windows. */
async function run(first: 0 | 1): Promise<Array<[HttpFigure, HttpFigure]>> {
  const pairs: Array<[HttpFigure, HttpFigure]> = [];
  const second = (1 - first) as 0 | 1;
  await withLedger(
    'FULL',
    envOf(),
    (s1, k1) =>
      withLedger(
        'FULL',
        envOf(),
        async (s2, k2) => {
          const servers = [];
          servers[first] = { server: s1, key: k1 };
          servers[second] = { server: s2, key: k2 };
          // Not counted: each server's code is still being compiled.
          for (const { server, key } of servers) await measure(server, key, windowOf, store === 'postgres');
          for (let round = 0; round < rounds && !stopping; round++) {
            const pair: HttpFigure[] = [];
            for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
              const w = await measure(servers[i].server, servers[i].key, windowOf, store === 'postgres');
              pair[i] = w;
              out(
                `  round ${round + 1} ${'AB'[i]}: ${fmt(w.requestsPerSecond, 0)} filings/s, ${fmt(w.serverCpuMsPerRequest, 3)} ms CPU a filing` +
                  (w.postgresCpuMsPerRequest == null ? '' : ` (postgres ${fmt(w.postgresCpuMsPerRequest, 3)} ms)`) +
                  `, p99 ${fmt(w.latencyP99Ms, 1)} ms${w.failed ? `, ${w.failed} failed` : ''}`,
              );
            }
            pairs.push([pair[0], pair[1]]);
          }
          out(`  peak RSS: A ${fmt(peakMb(servers[0].server), 0)} MB, B ${fmt(peakMb(servers[1].server), 0)} MB`);
        },
        roots[second],
      ),
    roots[first],
  );
  return pairs;
}

out(`A: ${roots[0]}\nB: ${roots[1]}`);
out(`${store}; ${plural(runs, 'run')} of ${plural(rounds, 'pair')} of ${seconds} s windows; ${connections} connections`);
const all: Array<[HttpFigure, HttpFigure]> = [];
const runMedians: number[] = [];
try {
  for (let r = 0; r < runs && !stopping; r++) {
    const first = (r % 2) as 0 | 1;
    out(`run ${r + 1} of ${runs} (${'AB'[first]} started first)`);
    const pairs = await run(first);
    if (pairs.length === 0) break;
    const m = median(pairs.map(([a, b]) => b.requestsPerSecond / a.requestsPerSecond));
    runMedians.push(m);
    out(`  B ÷ A filings/s, median of the run: ${fmt(m, 3)}`);
    all.push(...pairs);
  }
} finally {
  await dropSchemas();
}
if (all.length === 0) process.exit(stopping ? 130 : 1);

for (const [name, k] of [
  ['A', 0],
  ['B', 1],
] as const) {
  const w = all.map((p) => p[k]);
  const cpu = w.flatMap((x) => (x.serverCpuMsPerRequest === null ? [] : [x.serverCpuMsPerRequest]));
  const postgres = w.flatMap((x) => (x.postgresCpuMsPerRequest == null ? [] : [x.postgresCpuMsPerRequest]));
  out(
    `${name} (all windows): median ${fmt(median(w.map((x) => x.requestsPerSecond)), 0)} filings/s, ` +
      `${cpu.length ? fmt(median(cpu), 3) : 'n/a'} ms CPU a filing` +
      (postgres.length ? ` (postgres ${fmt(median(postgres), 3)} ms)` : '') +
      `, ${w.reduce((n, x) => n + x.failed, 0)} failed`,
  );
}
const rates = all.map(([a, b]) => b.requestsPerSecond / a.requestsPerSecond);
const cpus = all.flatMap(([a, b]) =>
  a.serverCpuMsPerRequest && b.serverCpuMsPerRequest ? [b.serverCpuMsPerRequest / a.serverCpuMsPerRequest] : [],
);
out(
  `B ÷ A filings/s: median of ${plural(rates.length, 'pair')} ${fmt(median(rates), 3)}; the runs' medians ${runMedians.map((m) => fmt(m, 3)).join(', ')}`,
);
if (cpus.length) out(`B ÷ A CPU a filing: median ${fmt(median(cpus), 3)}`);
