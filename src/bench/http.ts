// HTTP throughput: filings through the real server (auth, validation, hashing, durable append, projection) against a
// bare NestJS + Fastify POST handler, each server in its own process, the load from `wrk` (one thread, 50 connections,
// a fresh filing body per request made by a Lua script). A load generator in C leaves the server most of the second
// core: autocannon in the bench's own process capped the bare handler at about 9,500 req/s on this 2-core machine,
// where wrk drives it past 20,000, and a ratio against a capped bare figure flatters the ledger.
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { cpuMsOf, memoryOf, postgresCpuMs, ROOT, startFlags, startServer, type ServerChild } from './processes.js';

export interface HttpFigure {
  requestsPerSecond: number;
  ok: number;
  failed: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Server process RSS during the measured run: the largest sample, and the process's peak (VmHWM) at its end. */
  serverRssMaxBytes: number | null;
  serverRssPeakBytes: number | null;
  /** Server CPU time (user + system) per answered request during the measured run: steadier than rates on a shared machine. */
  serverCpuMsPerRequest: number | null;
  /** On PostgreSQL: the CPU time of the machine's `postgres` processes per answered request during the run. */
  postgresCpuMsPerRequest?: number | null;
}

export interface HttpOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

/** A filing body for distinct content (fresh content hash every request, so none is refused as a duplicate). */
export function filingBody(n: number): string {
  return filingBodyOf((bytes) => randomBytes(bytes).toString('hex'), String(n));
}

/** The bench's filing body, with `hex(bytes)` for each random field and `n` for the request's number. */
function filingBodyOf(hex: (bytes: number) => string, n: string): string {
  return JSON.stringify({
    contentHash: hex(32),
    contentType: 'image/png',
    title: `Bench work ${n}`,
    generation: {
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      tool: { name: 'Stable Diffusion', version: '3.5', provider: 'Stability AI' },
      promptHash: hex(32),
      negativePromptHash: hex(32),
      parameters: { steps: 30, cfg: 7.5, sampler: 'euler' },
      seed: n,
      iterations: 14,
      humanContribution: 'Wrote and refined the prompt over 14 iterations, selected one of 56 candidates and repainted the sky.',
    },
    processEvidence: [{ sha256: hex(32), kind: 'draft', description: 'first draft', createdAt: '2024-11-28T10:00:00Z' }],
    perceptualHash: { scheme: 'phash64', value: hex(8) },
  });
}

/** What one load run gave: answers by kind, latency percentiles, and how long it ran. */
interface LoadResult {
  ok: number;
  non2xx: number;
  /** Connections refused, reset or timed out. */
  errors: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
}

/** How long each connection of a run waits before its first request: long enough for the server to accept all of them while idle. */
const CONNECT_FIRST_MS = 100;

/**
 * The Lua script wrk runs: each request a fresh body from `filingBodyOf` (random hex from LuaJIT's generator, seeded per
 * run from BENCH_SEED so that no two runs on one ledger repeat a content hash), and at the end one line with the figures.
 *
 * Each connection's first request waits CONNECT_FIRST_MS (wrk asks `delay()` once per request; with one thread, `-t1`,
 * its first BENCH_CONNECTIONS calls are the connections' first requests), so a run measures connected clients rather
 * than clients connecting to a loaded server. libuv accepts one connection per turn of the event loop, and a loaded
 * server's turn serves every waiting request: the n-th of the connections opened at once would get its first answer
 * only after n turns, and wrk's correction for coordinated omission would count that wait many times over in the
 * percentiles (docs/development.md has the figures). The same script drives the bare handler; the wait is inside wrk's
 * run time on both sides.
 */
function wrkScript(): string {
  const template = filingBodyOf((bytes) => `@@hex${bytes}@@`, '@@n@@');
  const parts = template.split(/@@(hex\d+|n)@@/).map((piece, i) => {
    if (i % 2 === 0) return piece === '' ? null : `[==[${piece}]==]`;
    return piece === 'n' ? 'tostring(n)' : `hex(${piece.slice(3)})`;
  });
  return `wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
local key = os.getenv("BENCH_KEY")
if key ~= nil and key ~= "" then wrk.headers["authorization"] = "Bearer " .. key end
local n = 0
local byte = {}
for i = 0, 255 do byte[i] = string.format("%02x", i) end
local function hex(bytes)
  local t = {}
  for i = 1, bytes do t[i] = byte[math.random(0, 255)] end
  return table.concat(t)
end
local connections = tonumber(os.getenv("BENCH_CONNECTIONS"))
local delayed = 0
function init(args)
  math.randomseed(tonumber(os.getenv("BENCH_SEED")))
end
function delay()
  if delayed < connections then
    delayed = delayed + 1
    return ${CONNECT_FIRST_MS}
  end
  return 0
end
function request()
  n = n + 1
  return wrk.format(nil, "/v1/filings", nil, ${parts.filter((p) => p !== null).join(' .. ')})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH-RESULT {"requests":%d,"durationUs":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(99)))
end
`;
}

let scriptFile: string | null = null;

/** POSTs filings to `server` from `wrk` for `seconds` with `connections` connections, authorized by `key` when given. */
async function load(server: ServerChild, key: string | null, seconds: number, connections: number): Promise<LoadResult> {
  if (scriptFile === null) {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-wrk-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scriptFile = join(dir, 'filings.lua');
    writeFileSync(scriptFile, wrkScript());
  }
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', scriptFile, server.url];
  const env = { ...process.env, BENCH_KEY: key ?? '', BENCH_SEED: String(randomInt(2 ** 47)), BENCH_CONNECTIONS: String(connections) };
  const { stdout } = await promisify(execFile)('wrk', args, { env }).catch((err: NodeJS.ErrnoException & { stderr?: string }) => {
    if (err.code === 'ENOENT') throw new Error('the HTTP figures need wrk (Debian: apt-get install -y wrk)', { cause: err });
    throw new Error(`wrk failed: ${err.stderr ?? err.message}`, { cause: err });
  });
  const line = /^BENCH-RESULT (.*)$/m.exec(stdout);
  if (!line) throw new Error(`wrk printed no figures:\n${stdout}`);
  const r = JSON.parse(line[1]) as Record<
    'requests' | 'durationUs' | 'status' | 'connect' | 'read' | 'write' | 'timeout' | 'p50Us' | 'p99Us',
    number
  >;
  return {
    ok: r.requests - r.status,
    non2xx: r.status,
    errors: r.connect + r.read + r.write + r.timeout,
    p50Ms: Math.round(r.p50Us / 100) / 10,
    p99Ms: Math.round(r.p99Us / 100) / 10,
    seconds: r.durationUs / 1e6,
  };
}

/** One measured run of `opts.seconds` (after an unmeasured warm-up of `opts.warmupSeconds`, if any) against `server`. */
export async function measure(server: ServerChild, key: string | null, opts: HttpOptions, postgres = false): Promise<HttpFigure> {
  if (opts.warmupSeconds > 0) await load(server, key, opts.warmupSeconds, opts.connections);
  let rssMax = 0;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, memoryOf(server.child.pid!)?.rss ?? 0);
  }, 100);
  const cpuBefore = cpuMsOf(server.child.pid!);
  const pgBefore = postgres ? postgresCpuMs() : null;
  const r = await load(server, key, opts.seconds, opts.connections);
  const cpuAfter = cpuMsOf(server.child.pid!);
  const pgAfter = postgres ? postgresCpuMs() : null;
  clearInterval(sampler);
  const mem = memoryOf(server.child.pid!);
  const answered = r.ok + r.non2xx;
  return {
    requestsPerSecond: r.ok / r.seconds,
    ok: r.ok,
    failed: r.non2xx + r.errors,
    latencyP50Ms: r.p50Ms,
    latencyP99Ms: r.p99Ms,
    serverRssMaxBytes: rssMax || null,
    serverRssPeakBytes: mem?.peak ?? null,
    serverCpuMsPerRequest: cpuBefore !== null && cpuAfter !== null && answered > 0 ? (cpuAfter - cpuBefore) / answered : null,
    ...(postgres
      ? { postgresCpuMsPerRequest: pgBefore !== null && pgAfter !== null && answered > 0 ? (pgAfter - pgBefore) / answered : null }
      : {}),
  };
}

export async function benchBare(opts: HttpOptions): Promise<HttpFigure> {
  const server = await startServer('dist/bench/bare-server.js', {}, '/v1/filings');
  try {
    return await measure(server, null, opts);
  } finally {
    await server.stop();
  }
}

/** The real server (dist/main.js, with the node flags of `npm start`) on a fresh data dir, one creator key, POST /v1/filings. */
export async function benchLedger(
  opts: HttpOptions,
  synchronous: 'FULL' | 'NORMAL',
  env: Record<string, string> = {},
): Promise<HttpFigure & { output: string }> {
  return withLedger(synchronous, env, async (server, creatorKey) => ({
    ...(await measure(server, creatorKey, opts, env.LEDGER_STORE === 'postgres')),
    output: server.output(),
  }));
}

/**
 * Runs `work` against the real server on a fresh data dir, with a registered creator's key; the server is the build of
 * the checkout at `root` (this one by default), started with that checkout's `npm start` flags.
 */
export async function withLedger<T>(
  synchronous: 'FULL' | 'NORMAL',
  env: Record<string, string>,
  work: (server: ServerChild, creatorKey: string) => Promise<T>,
  root = ROOT,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-http-'));
  const adminKey = 'slk_' + randomBytes(32).toString('base64url');
  let server: ServerChild;
  try {
    server = await startServer(
      'dist/main.js',
      {
        LEDGER_DATA_DIR: dataDir,
        LEDGER_BOOTSTRAP_ADMIN_KEY: adminKey,
        LEDGER_SQLITE_SYNCHRONOUS: synchronous,
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        ...env,
      },
      '/health',
      [...startFlags(root), ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)],
      root,
    );
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  try {
    const res = await fetch(`${server.url}/v1/principals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench creator', roles: ['creator'] }),
    });
    if (res.status !== 201) throw new Error(`could not register the bench creator: ${res.status} ${await res.text()}`);
    const creatorKey = ((await res.json()) as { apiKey: { key: string } }).apiKey.key;
    return await work(server, creatorKey);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nserver output:\n${server.output().slice(-4000)}`, { cause: err });
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The real server on PostgreSQL (LEDGER_STORE=postgres, durable commits as PostgreSQL makes them), in a schema of its
 * own in `databaseUrl`, dropped afterwards; the server process alone, PostgreSQL shares the machine.
 */
export async function benchLedgerPostgres(opts: HttpOptions, databaseUrl: string): Promise<HttpFigure & { output: string }> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  try {
    return await benchLedger(opts, 'FULL', { LEDGER_STORE: 'postgres', DATABASE_URL: databaseUrl, LEDGER_DATABASE_SCHEMA: schema });
  } finally {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
  }
}

/** One window of a long run on one server: the filings it holds at the window's end, and the window's figures. */
export interface AgingWindow {
  filings: number;
  requestsPerSecond: number;
  serverCpuMsPerRequest: number | null;
  serverRssBytes: number | null;
}

/**
 * Durable filings on one server for `windows` windows of `windowSeconds` each, without a restart: the figures above
 * come from a fresh ledger, and a server's memory and cost per filing grow with what it holds (its near-duplicate
 * index, its caches, the B-trees its writes go into). Each window's rate, CPU per filing and RSS at its end.
 */
export async function benchLedgerAging(connections: number, windowSeconds: number, windows: number): Promise<AgingWindow[]> {
  return withLedger('FULL', {}, async (server, creatorKey) => {
    const out: AgingWindow[] = [];
    let filings = 0;
    for (let w = 0; w < windows; w++) {
      const cpuBefore = cpuMsOf(server.child.pid!);
      const r = await load(server, creatorKey, windowSeconds, connections);
      const cpuAfter = cpuMsOf(server.child.pid!);
      if (r.non2xx + r.errors > 0) throw new Error(`${r.non2xx + r.errors} filings failed in window ${w + 1} of the long run`);
      filings += r.ok;
      out.push({
        filings,
        requestsPerSecond: r.ok / r.seconds,
        serverCpuMsPerRequest: cpuBefore !== null && cpuAfter !== null && r.ok > 0 ? (cpuAfter - cpuBefore) / r.ok : null,
        serverRssBytes: memoryOf(server.child.pid!)?.rss ?? null,
      });
    }
    return out;
  });
}

/** Durable filings with the web console served and without it (LEDGER_CONSOLE=off): one figure per round for each. */
export interface ConsolePair {
  with: HttpFigure[];
  without: HttpFigure[];
}

/**
 * Durable filings against a server with the console and one without, alternated on a fresh data directory each time,
 * each round in the order the last one ended with (with, without, without, with, …): a steady drift of the shared
 * machine's speed during the run then weighs on both sides alike.
 */
export async function benchConsolePair(opts: HttpOptions, rounds: number, log: (line: string) => void): Promise<ConsolePair> {
  const pair: ConsolePair = { with: [], without: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const side of round % 2 === 1 ? (['with', 'without'] as const) : (['without', 'with'] as const)) {
      log(`  round ${round}/${rounds}: POST /v1/filings, durable, ${side === 'with' ? 'console served' : 'LEDGER_CONSOLE=off'}`);
      const { output, ...figure } = await benchLedger(opts, 'FULL', side === 'with' ? {} : { LEDGER_CONSOLE: 'off' });
      if (figure.failed > 0) log(`  warning: ${figure.failed} requests failed; server output:\n${output.slice(-2000)}`);
      pair[side].push(figure);
    }
  }
  return pair;
}

export { filingBody as benchFilingBody };
