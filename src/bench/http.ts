// HTTP throughput: filings through the real server (auth, validation, hashing, durable append, projection) against a
// bare NestJS + Fastify POST handler, each server in its own process, load from autocannon in this one.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { cpuMsOf, memoryOf, postgresCpuMs, startFlags, startServer, type ServerChild } from './processes.js';

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
  const hex = (bytes: number) => randomBytes(bytes).toString('hex');
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
      seed: String(n),
      iterations: 14,
      humanContribution: 'Wrote and refined the prompt over 14 iterations, selected one of 56 candidates and repainted the sky.',
    },
    processEvidence: [{ sha256: hex(32), kind: 'draft', description: 'first draft', createdAt: '2026-11-28T10:00:00Z' }],
    perceptualHash: { scheme: 'phash64', value: hex(8) },
  });
}

async function load(server: ServerChild, authorization: string | null, seconds: number, connections: number): Promise<autocannon.Result> {
  let n = 0;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  return autocannon({
    url: server.url,
    connections,
    duration: seconds,
    pipelining: 1,
    requests: [{ method: 'POST', path: '/v1/filings', headers, setupRequest: (req) => ({ ...req, body: filingBody(n++) }) }],
  });
}

async function measure(server: ServerChild, authorization: string | null, opts: HttpOptions, postgres = false): Promise<HttpFigure> {
  if (opts.warmupSeconds > 0) await load(server, authorization, opts.warmupSeconds, opts.connections);
  let rssMax = 0;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, memoryOf(server.child.pid!)?.rss ?? 0);
  }, 100);
  const cpuBefore = cpuMsOf(server.child.pid!);
  const pgBefore = postgres ? postgresCpuMs() : null;
  const r = await load(server, authorization, opts.seconds, opts.connections);
  const cpuAfter = cpuMsOf(server.child.pid!);
  const pgAfter = postgres ? postgresCpuMs() : null;
  clearInterval(sampler);
  const mem = memoryOf(server.child.pid!);
  const ok = r['2xx'];
  const answered = ok + r.non2xx;
  return {
    requestsPerSecond: ok / opts.seconds,
    ok,
    failed: r.non2xx + r.errors + r.timeouts,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
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
    ...(await measure(server, `Bearer ${creatorKey}`, opts, env.LEDGER_STORE === 'postgres')),
    output: server.output(),
  }));
}

/** Runs `work` against the real server on a fresh data dir, with a registered creator's key. */
export async function withLedger<T>(
  synchronous: 'FULL' | 'NORMAL',
  env: Record<string, string>,
  work: (server: ServerChild, creatorKey: string) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-http-'));
  const adminKey = 'slk_' + randomBytes(32).toString('base64url');
  const server = await startServer(
    'dist/main.js',
    {
      LEDGER_DATA_DIR: dataDir,
      LEDGER_BOOTSTRAP_ADMIN_KEY: adminKey,
      LEDGER_SQLITE_SYNCHRONOUS: synchronous,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      ...env,
    },
    '/health',
    [...startFlags(), ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)],
  );
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
