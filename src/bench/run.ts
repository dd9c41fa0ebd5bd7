// `npm run bench`: throughput and latency figures measured in one run on this machine, printed as a table with each
// target met or missed, and written to bench/results.json. BENCH_SCALE scales the 1,000,000-event figures (default 1),
// BENCH_HTTP_SECONDS the length of each HTTP run (default 10), BENCH_ROUNDS how many rounds of the bare handler and
// durable filings (and durable filings on PostgreSQL) run alternated, the figures being the median pair's (default 3).
// BENCH_ONLY=http measures only the HTTP figures (bare handler, durable and NORMAL filings, server RSS);
// BENCH_ONLY=upload only the filings by upload (1 MP PNG throughput, server RSS while 20 clients upload 10 MB files);
// BENCH_ONLY=verify|rebuild|proofs only the verifier (export verification, raw SHA-256, memory), only the projection
// rebuild or only the proof latency; with those three, BENCH_LEDGER_DIR keeps the generated ledger there and reuses it
// next time. BENCH_ONLY=witness measures checkpoint latency with 2 witnesses and a TSA and filings/s with and without
// them. BENCH_ONLY=pg measures the bare handler and durable filings on PostgreSQL (BENCH_DATABASE_URL,
// else TEST_DATABASE_URL; a schema of its own, dropped afterwards), which the full run also measures when either is set.
// BENCH_ONLY=console measures durable filings with the web console served and with LEDGER_CONSOLE=off, alternated
// (with, off, off, with; BENCH_HTTP_SECONDS per run), which the full run also measures. BENCH_ONLY=validation measures
// one filing body's validation in this process: Nest's ValidationPipe against the compiled pipe the API uses.
// BENCH_ONLY=aging measures one server filing for BENCH_AGING_WINDOWS windows (default 10) of 6 s without a restart:
// CPU per filing and RSS as the ledger grows, which the full run also measures. BENCH_ONLY=near measures the
// near-duplicate lookup alone, in an index of synthetic filings as many as the full run's. BENCH_ONLY=parts measures
// the CPU a durable filing costs in one process without sockets (Fastify's inject), whole and with the read models or
// the Merkle tree switched off, each variant run BENCH_ROUNDS times in a process of its own: what those parts cost, and
// the heap a whole filing allocates (steadier than CPU time on a shared machine: the same to 0.1% from run to run).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generateLedger, type Ledger } from './dataset.js';
import {
  benchFloor,
  benchNearDuplicates,
  benchProofsInChild,
  benchRawSha,
  benchRebuild,
  benchStore,
  benchVerify,
  type NearDuplicateFigure,
  type ProofFigures,
  type StoreFigure,
} from './figures.js';
import { benchBare, benchConsolePair, benchLedger, benchLedgerAging, benchLedgerPostgres, type HttpFigure } from './http.js';
import { ROOT, startFlags } from './processes.js';
import { benchUploadMemory, benchUploadThroughput } from './upload.js';
import { benchValidation } from './validation.js';
import { benchWitnesses } from './witness.js';

const number = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const scale = number('BENCH_SCALE', 1);
const httpSeconds = number('BENCH_HTTP_SECONDS', 10);
const rebuildLimit = number('BENCH_REBUILD_SECONDS', 150);
/** Targets of the figures the write path must not make worse: proof latency, projection rebuild, near-duplicate lookup. */
const PROOF_MEDIAN_MS = 0.1;
/** Random leaves (and sizes) each proof figure is the median of. */
const PROOF_SAMPLES = 5000;
const REBUILD_EVENTS_PER_SECOND = 25_000;
/** The verify target: the export's bytes/s at least this share of one core's native SHA-256. */
const VERIFY_SHARE_OF_SHA256 = 0.15;
/** The server's CPU time a durable filing may take (ms). */
const CPU_TARGET_MS = 0.15;
const NEAR_DUPLICATE_MEDIAN_MS = 0.42;
const rebuildTarget = (rate: number, complete: boolean): Target => ({
  name: `rebuild ≥ ${fmt(REBUILD_EVENTS_PER_SECOND)} events/s`,
  met: complete && rate >= REBUILD_EVENTS_PER_SECOND,
  detail: `${fmt(rate)} events/s`,
});
/** The proof figures' rows. */
const proofRows = (proofs: ProofFigures): Array<[string, string, string]> => [
  [
    `inclusion proof at ${fmt(proofs.treeSize)} leaves`,
    `median ${fmt(proofs.inclusion.medianMs, 3)} ms`,
    `p99 ${fmt(proofs.inclusion.p99Ms, 3)} ms (${fmt(proofs.inclusion.samples)} random leaves)`,
  ],
  [
    `consistency proof to ${fmt(proofs.treeSize)}`,
    `median ${fmt(proofs.consistency.medianMs, 3)} ms`,
    `p99 ${fmt(proofs.consistency.p99Ms, 3)} ms (${fmt(proofs.consistency.samples)} random sizes)`,
  ],
];

const proofTarget = (proofs: ProofFigures): Target => ({
  name: `proofs median ≤ ${PROOF_MEDIAN_MS} ms at 1M leaves`,
  met: atMillion(proofs.treeSize, proofs.inclusion.medianMs <= PROOF_MEDIAN_MS && proofs.consistency.medianMs <= PROOF_MEDIAN_MS),
  detail:
    `inclusion ${fmt(proofs.inclusion.medianMs, 3)} ms, consistency ${fmt(proofs.consistency.medianMs, 3)} ms at ${fmt(proofs.treeSize)} leaves` +
    belowMillion(proofs.treeSize),
});

const EVENTS = Math.round(1_000_000 * scale);
const MB = 1e6;
const log = (s: string) => process.stderr.write(`${s}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${fmt(bytes / 2 ** 20)} MiB`);

interface Target {
  name: string;
  /** Null when this run does not measure what the target names (a smaller BENCH_SCALE, a service not given). */
  met: boolean | null;
  detail: string;
}

/** What a target says of the figure given, or that this run's log is too small to measure it (the target names 1M events). */
const atMillion = (events: number, met: boolean): boolean | null => (events >= 1_000_000 ? met : null);
/** Said after such a target's figure when the log is too small for it. */
const belowMillion = (events: number) => (events < 1_000_000 ? ' (BENCH_SCALE=1 measures it)' : '');

/**
 * The export's verification figures: the full export against native SHA-256 on one core over the same bytes (measured
 * just before and just after, averaged), its prefix (for memory against log size), and the per-event floor. The export
 * is read once before any of them, untimed: a file partly out of the page cache (a rebuild before it reads a ledger's
 * GBs) made the first SHA-256 pass measure the disk (318 MB/s against 1,422 just after, in one run), which halved the
 * rate the ratio divides by.
 */
async function verifyFigures(ledger: Ledger) {
  benchRawSha(ledger.exportFile);
  const shaBefore = benchRawSha(ledger.exportFile);
  const verify = await benchVerify(ledger.exportFile, ledger.checkpointFile, ledger.vkey, ledger.events, ledger.exportBytes);
  const shaAfter = benchRawSha(ledger.exportFile);
  const sha = {
    mbPerSecond: (shaBefore.mbPerSecond + shaAfter.mbPerSecond) / 2,
    before: shaBefore.mbPerSecond,
    after: shaAfter.mbPerSecond,
  };
  const verifySmall = await benchVerify(
    ledger.prefix.exportFile,
    ledger.prefix.checkpointFile,
    ledger.vkey,
    ledger.prefix.events,
    ledger.prefix.exportBytes,
  );
  const floor = benchFloor(ledger.exportFile);
  const verifyRatio = verify.mbPerSecond / sha.mbPerSecond;
  const floorRatio = verify.eventsPerSecond / floor.eventsPerSecond;
  const floorNeeded = (VERIFY_SHARE_OF_SHA256 * sha.mbPerSecond) / floor.mbPerSecond;
  const rssGrowth = verify.peakRssBytes && verifySmall.peakRssBytes ? verify.peakRssBytes / verifySmall.peakRssBytes : null;
  const cores = availableParallelism();
  const rows: Array<[string, string, string]> = [
    [
      `verify export (${fmt(ledger.events)} events, ${fmt(ledger.streams)} streams)`,
      `${fmt(verify.eventsPerSecond)} events/s`,
      `${fmt(verify.mbPerSecond, 1)} MB/s of ${fmt(ledger.exportBytes / MB)} MB; ${verify.threads} checking thread(s) on ${cores} core(s)`,
    ],
    [
      'native SHA-256, one core, same bytes',
      `${fmt(sha.mbPerSecond)} MB/s`,
      `read 1 MiB at a time (readSync + createHash); ${fmt(sha.before)} MB/s just before verify, ${fmt(sha.after)} MB/s just after`,
    ],
    ['verify ÷ native SHA-256', `${fmt(verifyRatio, 3)}`, `bytes per second, measured back to back`],
    [
      'floor: JSON.parse + hash over the canonical form, one thread',
      `${fmt(floor.eventsPerSecond)} events/s`,
      `${fmt(floor.mbPerSecond, 1)} MB/s; verify = ${fmt(floorRatio, 2)} × this floor with ${verify.threads} thread(s) (${fmt(floorRatio / Math.max(1, cores), 2)} × ${cores} cores' worth)`,
    ],
    [
      'CPU per event: verify, floor',
      verify.cpuMicrosPerEvent === null ? 'n/a' : `${fmt(verify.cpuMicrosPerEvent, 1)} µs`,
      `every thread of the verify process, start-up included; the floor ${fmt(floor.cpuMicrosPerEvent, 1)} µs` +
        (verify.cpuMicrosPerEvent === null
          ? ''
          : ` (verify costs ${fmt(verify.cpuMicrosPerEvent / floor.cpuMicrosPerEvent, 2)} × the floor in CPU)`),
    ],
    [
      'verifier peak RSS',
      mb(verify.peakRssBytes),
      `${fmt(ledger.events)} events; ${fmt(ledger.prefix.events)} events: ${mb(verifySmall.peakRssBytes)} (×${rssGrowth === null ? 'n/a' : fmt(rssGrowth, 2)} for ×${fmt(ledger.events / ledger.prefix.events)} events); ${fmt(verifySmall.eventsPerSecond)} events/s`,
    ],
  ];
  const targets: Target[] = [
    {
      name: `verification ≥ ${VERIFY_SHARE_OF_SHA256} × native SHA-256 on one core`,
      met: verifyRatio >= VERIFY_SHARE_OF_SHA256,
      // What the target asks of the per-event floor: more than the cores can give means no verifier that parses every
      // event meets it on this machine.
      detail: `${fmt(verifyRatio, 3)} ×; it asks ${fmt(floorNeeded, 2)} × the one-thread floor, and ${cores} core(s) give at most ${cores} ×`,
    },
    {
      name: 'verification uses every core',
      met: verify.threads >= cores,
      detail: `${verify.threads} checking thread(s) on ${cores} core(s)`,
    },
    {
      name: 'verifier memory independent of log size (100,000 to 1,000,000 events)',
      met: rssGrowth === null ? false : atMillion(ledger.events, rssGrowth <= 1.25),
      detail:
        rssGrowth === null
          ? 'not measured'
          : `peak RSS ×${fmt(rssGrowth, 3)} for ${fmt(ledger.prefix.events)} to ${fmt(ledger.events)} events` + belowMillion(ledger.events),
    },
  ];
  return { verify, verifySmall, sha, floor, verifyRatio, rows, targets };
}

function table(rows: Array<[string, string, string]>, targets: Target[], started: number): string {
  const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  return (
    [
      '',
      `${'figure'.padEnd(width[0])}  ${'value'.padEnd(width[1])}  detail`,
      `${'-'.repeat(width[0])}  ${'-'.repeat(width[1])}  ${'-'.repeat(40)}`,
      ...rows.map(([a, b, c]) => `${a.padEnd(width[0])}  ${b.padEnd(width[1])}  ${c}`),
      '',
      ...(targets.length
        ? ['targets', ...targets.map((t) => `  [${t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED'}] ${t.name}: ${t.detail}`), '']
        : []),
      `bench finished in ${fmt((performance.now() - started) / 1000)} s`,
    ].join('\n') + '\n'
  );
}

/** The ledger kept in BENCH_LEDGER_DIR by an earlier run (its description is ledger.json), or null. */
function keptLedger(dir: string | undefined): Ledger | null {
  const file = dir && join(dir, 'ledger.json');
  return file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Ledger) : null;
}

/** BENCH_ONLY=verify|rebuild|proofs: those figures alone, on the kept ledger (generated there first if there is none). */
async function only(which: 'verify' | 'rebuild' | 'proofs', dir: string | undefined): Promise<void> {
  const started = performance.now();
  let ledger = keptLedger(dir);
  const work = dir ?? mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  try {
    if (!ledger) {
      log(`generating a ${fmt(EVENTS)}-event ledger (not timed)`);
      ledger = { ...(await generateLedger(join(work, 'data'), EVENTS, log)), phashes: [] };
      if (dir) writeFileSync(join(dir, 'ledger.json'), JSON.stringify(ledger));
    }
    if (which === 'verify') {
      log(`verifying the export of ${fmt(ledger.events)} events with the CLI`);
      const { rows, targets } = await verifyFigures(ledger);
      process.stdout.write(table(rows, targets, started));
    } else if (which === 'proofs') {
      log(`proofs at ${fmt(ledger.events)} leaves (in a process of their own that holds only the log)`);
      const proofs = await benchProofsInChild(ledger, PROOF_SAMPLES);
      process.stdout.write(table(proofRows(proofs), [proofTarget(proofs)], started));
    } else {
      log(`projection rebuild of ${fmt(ledger.events)} events (in its own process, at most ${rebuildLimit} s)`);
      const rebuild = await benchRebuild(ledger, rebuildLimit);
      const rate = rebuild.eventsPerSecond;
      const detail = rebuild.complete
        ? `${fmt(rebuild.seconds, 1)} s`
        : `stopped at the ${rebuildLimit} s limit after ${fmt(rebuild.events)} events`;
      process.stdout.write(
        table(
          [[`projection rebuild (${fmt(rebuild.total)} events)`, `${fmt(rate)} events/s`, detail]],
          [rebuildTarget(rate, rebuild.complete)],
          started,
        ),
      );
    }
  } finally {
    if (!dir) rmSync(work, { recursive: true, force: true });
  }
}

/** Rounds of the bare handler against filings (BENCH_ROUNDS, default 3): the figures are those of the median pair. */
const rounds = number('BENCH_ROUNDS', 3);
if (!Number.isSafeInteger(rounds)) throw new Error('BENCH_ROUNDS must be a positive integer');

type Side = [name: string, run: () => Promise<HttpFigure & { output: string }>];

/**
 * Runs every side once per round, round r starting with side r (bare, filings; filings, bare; …), so that a drift of the
 * machine's speed, which moves the bare handler's figure by ±15% between runs here, weighs on each side alike.
 */
async function alternated(sides: Side[], step: (what: string) => string): Promise<HttpFigure[][]> {
  const runs: HttpFigure[][] = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < sides.length; k++) {
      const i = (round + k) % sides.length;
      const [name, run] = sides[i];
      log(step(`${name} (round ${round + 1} of ${rounds})`));
      const { output, ...figure } = await run();
      if (figure.failed > 0) log(`  warning: ${figure.failed} requests failed; server output:\n${output.slice(-2000)}`);
      runs[i].push(figure);
    }
  }
  return runs;
}

/** A side's runs against the bare handler's of the same rounds: the pair with the median ratio, and every ratio. */
export interface Paired {
  figure: HttpFigure;
  bare: HttpFigure;
  ratio: number;
  ratios: number[];
  /** The median over the runs of the server's CPU per request. */
  cpuMs: number | null;
}

function paired(bare: HttpFigure[], runs: HttpFigure[]): Paired {
  const ratios = runs.map((f, i) => f.requestsPerSecond / bare[i].requestsPerSecond);
  const order = ratios.map((_, i) => i).sort((a, b) => ratios[a] - ratios[b]);
  const middle = order[(order.length - 1) >> 1];
  const cpus = runs.map((f) => f.serverCpuMsPerRequest).filter((x): x is number => x !== null);
  return { figure: runs[middle], bare: bare[middle], ratio: ratios[middle], ratios, cpuMs: cpus.length ? median(cpus) : null };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1];
}

const pairsNote = (p: Paired) => `median of ${p.ratios.length} pairs (${p.ratios.map((r) => fmt(r, 3)).join(', ')})`;
const cpuText = (ms: number | null) => (ms === null ? 'n/a' : `${fmt(ms, 3)} ms`);

/**
 * The HTTP figures: rounds of the bare handler, filings durable and (when `postgresUrl` is given) durable on PostgreSQL,
 * alternated; then filings with durability off once. Their table rows and targets.
 */
async function httpFigures(step: (what: string) => string, postgresUrl?: string) {
  const http = { connections: 50, seconds: httpSeconds, warmupSeconds: 3 };
  const sides: Side[] = [
    ['HTTP: bare NestJS + Fastify POST handler', async () => ({ ...(await benchBare(http)), output: '' })],
    ['HTTP: POST /v1/filings, durable (synchronous=FULL)', () => benchLedger(http, 'FULL')],
  ];
  if (postgresUrl) {
    sides.push(['HTTP: POST /v1/filings on PostgreSQL (LEDGER_STORE=postgres, own schema)', () => benchLedgerPostgres(http, postgresUrl)]);
  }
  const [bareRuns, durableRuns, postgresRuns] = await alternated(sides, step);
  log(step('HTTP: POST /v1/filings, durability off (synchronous=NORMAL)'));
  const { output: normalOutput, ...normal } = await benchLedger(http, 'NORMAL');
  if (normal.failed > 0) log(`  warning: ${normal.failed} normal requests failed; server output:\n${normalOutput.slice(-2000)}`);
  const durablePair = paired(bareRuns, durableRuns);
  const { figure: durable, bare, ratio } = durablePair;
  const serverRss = Math.max(...durableRuns.map((f) => f.serverRssPeakBytes ?? 0), normal.serverRssPeakBytes ?? 0) || null;
  const p99s = durableRuns.map((f) => f.latencyP99Ms);
  const rows: Array<[string, string, string]> = [
    [
      'bare NestJS + Fastify POST',
      `${fmt(bare.requestsPerSecond)} req/s`,
      `p50 ${bare.latencyP50Ms} ms, p99 ${bare.latencyP99Ms} ms; server CPU ${cpuText(paired(bareRuns, bareRuns).cpuMs)} per request; ` +
        `runs: ${bareRuns.map((f) => fmt(f.requestsPerSecond)).join(', ')} req/s`,
    ],
    [
      'filings, durable (FULL)',
      `${fmt(durable.requestsPerSecond)} /s`,
      `${fmt(ratio, 3)} × bare, ${pairsNote(durablePair)}; p50 ${durable.latencyP50Ms} ms, p99 ${durable.latencyP99Ms} ms ` +
        `(runs: ${p99s.join(', ')}); ${durableRuns.reduce((n, f) => n + f.failed, 0)} failed; server CPU ${cpuText(durablePair.cpuMs)} per filing (median)`,
    ],
    [
      'filings, durability off (NORMAL)',
      `${fmt(normal.requestsPerSecond)} /s`,
      `${fmt(normal.requestsPerSecond / bare.requestsPerSecond, 3)} × the median pair's bare; p50 ${normal.latencyP50Ms} ms, ` +
        `p99 ${normal.latencyP99Ms} ms; server CPU ${cpuText(normal.serverCpuMsPerRequest)} per filing`,
    ],
  ];
  const rssRow: [string, string, string] = [
    'server peak RSS under load',
    mb(serverRss),
    `durable ${durableRuns.map((f) => mb(f.serverRssPeakBytes)).join(', ')}; normal ${mb(normal.serverRssPeakBytes)}`,
  ];
  const ratioTarget: Target = { name: 'durable filings/s ≥ 0.25 × bare Fastify', met: ratio >= 0.25, detail: `${fmt(ratio, 3)} ×` };
  // CPU time per filing is the steadier figure on a shared machine; p99 at 50 clients says the answer does not queue.
  const hotTargets: Target[] = [
    {
      name: `server CPU per durable filing ≤ ${CPU_TARGET_MS} ms`,
      met: durablePair.cpuMs !== null && durablePair.cpuMs <= CPU_TARGET_MS,
      detail: cpuText(durablePair.cpuMs),
    },
    {
      name: 'durable filing p99 < 100 ms at 50 clients (every run)',
      met: Math.max(...p99s) < 100,
      detail: `${Math.max(...p99s)} ms at most`,
    },
  ];
  const rssTarget: Target = {
    name: 'server RSS under load < 300 MB',
    met: serverRss !== null && serverRss < 300 * MB,
    detail: `${fmt((serverRss ?? 0) / MB)} MB`,
  };
  const postgres = postgresRuns ? postgresFigures(bareRuns, postgresRuns) : postgresFigures(bareRuns, null);
  return {
    http,
    bare,
    durable,
    normal,
    ratio,
    runs: { bare: bareRuns, durable: durableRuns, ratios: durablePair.ratios, durableCpuMsMedian: durablePair.cpuMs },
    rows,
    rssRow,
    ratioTarget,
    hotTargets,
    rssTarget,
    postgres,
  };
}

const average = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

const agingWindows = number('BENCH_AGING_WINDOWS', 10);
if (!Number.isSafeInteger(agingWindows)) throw new Error('BENCH_AGING_WINDOWS must be a positive integer');

/**
 * One server filing for `agingWindows` windows of 6 s, not restarted: the HTTP figures above are a fresh ledger's, and
 * what a server holds grows with its ledger. The second window's CPU per filing and RSS (the first warms the JIT up)
 * against the last's.
 */
async function agingFigures(step: (what: string) => string) {
  log(step(`HTTP: POST /v1/filings, durable, one server for ${agingWindows} windows of 6 s`));
  const windows = await benchLedgerAging(50, 6, agingWindows);
  const first = windows[Math.min(1, windows.length - 1)];
  const last = windows[windows.length - 1];
  const perFiling = (a: (typeof windows)[number], b: (typeof windows)[number]) =>
    a.serverRssBytes !== null && b.serverRssBytes !== null && b.filings > a.filings
      ? `${fmt((b.serverRssBytes - a.serverRssBytes) / (b.filings - a.filings) / 1024, 2)} KiB per filing`
      : 'n/a';
  const rows: Array<[string, string, string]> = [
    [
      `server after ${fmt(last.filings)} filings`,
      mb(last.serverRssBytes),
      `RSS ${mb(first.serverRssBytes)} after ${fmt(first.filings)} (${perFiling(first, last)}); CPU per filing ` +
        `${cpuText(first.serverCpuMsPerRequest)} in the second window, ${cpuText(last.serverCpuMsPerRequest)} in the last; ` +
        `${fmt(first.requestsPerSecond)} → ${fmt(last.requestsPerSecond)} filings/s`,
    ],
  ];
  return { windows, rows };
}

/** BENCH_ONLY=aging: one server filing without a restart, its CPU per filing and RSS window by window. */
async function onlyAging(): Promise<void> {
  const started = performance.now();
  log(`sandbox-ledger bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; 50 connections`);
  const { windows, rows } = await agingFigures((what) => what);
  for (const [i, w] of windows.entries())
    log(
      `  window ${i + 1}: ${fmt(w.filings)} filings held, ${fmt(w.requestsPerSecond)} /s, CPU ${cpuText(w.serverCpuMsPerRequest)} per filing, RSS ${mb(w.serverRssBytes)}`,
    );
  process.stdout.write(table(rows, [], started));
}

/**
 * The console's cost to the API: durable filings with the console served against the same server with
 * LEDGER_CONSOLE=off, alternated in one run (with, off, off, with); each side's mean filings/s and p99, and their ratios.
 */
async function consoleFigures(step: (what: string) => string) {
  const http = { connections: 50, seconds: httpSeconds, warmupSeconds: 2 };
  log(step('HTTP: POST /v1/filings, durable, with the console and with LEDGER_CONSOLE=off, alternated'));
  const pair = await benchConsolePair(http, 2, log);
  const side = (runs: HttpFigure[]) => ({
    requestsPerSecond: average(runs.map((r) => r.requestsPerSecond)),
    latencyP99Ms: average(runs.map((r) => r.latencyP99Ms)),
    failed: runs.reduce((sum, r) => sum + r.failed, 0),
  });
  const withConsole = side(pair.with);
  const without = side(pair.without);
  const ratio = withConsole.requestsPerSecond / without.requestsPerSecond;
  const p99Ratio = withConsole.latencyP99Ms / without.latencyP99Ms;
  const runs = (figures: HttpFigure[]) =>
    figures.map((r) => `${fmt(r.requestsPerSecond)}/s p99 ${r.latencyP99Ms} ms, CPU ${cpuPer(r)}`).join('; ');
  const rows: Array<[string, string, string]> = [
    [
      'filings, durable, console off',
      `${fmt(without.requestsPerSecond)} /s`,
      `p99 ${fmt(without.latencyP99Ms, 1)} ms; ${without.failed} failed; runs: ${runs(pair.without)}`,
    ],
    [
      'filings, durable, console served',
      `${fmt(withConsole.requestsPerSecond)} /s`,
      `p99 ${fmt(withConsole.latencyP99Ms, 1)} ms; ${withConsole.failed} failed; runs: ${runs(pair.with)}`,
    ],
    [
      'console served ÷ console off',
      `${fmt(ratio, 3)}`,
      `filings/s; p99 ${fmt(p99Ratio, 3)} ×; means of 2 runs each, alternated (with, off, off, with)`,
    ],
  ];
  const targets: Target[] = [
    {
      name: 'the console costs the API nothing measurable: filings/s with it ≥ 0.9 × without, no error',
      met: ratio >= 0.9 && withConsole.failed === 0 && without.failed === 0,
      detail: `${fmt(ratio, 3)} ×, p99 ${fmt(p99Ratio, 3)} ×`,
    },
  ];
  return { console: { ...pair, ratio, p99Ratio }, rows, targets };
}

/** BENCH_ONLY=console: the console pair alone. */
async function onlyConsole(): Promise<void> {
  const started = performance.now();
  log(
    `sandbox-ledger bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; HTTP ${httpSeconds} s per run, 50 connections`,
  );
  const { rows, targets } = await consoleFigures((what) => what);
  process.stdout.write(table(rows, targets, started));
}

/** PostgreSQL for the PostgreSQL figures: BENCH_DATABASE_URL, else TEST_DATABASE_URL; the bench uses a schema of its own. */
const benchDatabaseUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;

/**
 * Durable filings on PostgreSQL (one app instance, PostgreSQL on the same machine) against the bare handler's runs of the
 * same rounds: the ratio, server CPU per filing, p50/p99 at 50 clients. Without a database URL, a row saying so.
 */
function postgresFigures(bareRuns: HttpFigure[], runs: HttpFigure[] | null) {
  if (!runs) {
    return {
      postgres: null,
      rows: [['filings, durable, PostgreSQL', 'not measured', 'set BENCH_DATABASE_URL (or TEST_DATABASE_URL)']] as Array<
        [string, string, string]
      >,
      targets: [
        { name: 'durable filings on PostgreSQL ≥ 0.1 × bare, no error', met: null, detail: 'not measured: no database given' },
      ] as Target[],
    };
  }
  const pair = paired(bareRuns, runs);
  const { figure: postgres, ratio } = pair;
  const failed = runs.reduce((n, f) => n + f.failed, 0);
  const pgCpus = runs.map((f) => f.postgresCpuMsPerRequest).filter((x): x is number => x != null);
  const rows: Array<[string, string, string]> = [
    [
      'filings, durable, PostgreSQL',
      `${fmt(postgres.requestsPerSecond)} /s`,
      `${fmt(ratio, 3)} × bare, ${pairsNote(pair)}; p50 ${postgres.latencyP50Ms} ms, p99 ${postgres.latencyP99Ms} ms ` +
        `(runs: ${runs.map((f) => f.latencyP99Ms).join(', ')}); ${failed} failed; server CPU ${cpuText(pair.cpuMs)} per filing, ` +
        `local postgres processes ${cpuText(pgCpus.length ? median(pgCpus) : null)} (medians)`,
    ],
  ];
  const targets: Target[] = [
    {
      name: 'durable filings on PostgreSQL ≥ 0.1 × bare, no error',
      met: ratio >= 0.1 && failed === 0,
      detail: `${fmt(ratio, 3)} ×, ${failed} failed`,
    },
  ];
  return {
    postgres: {
      ...postgres,
      ratio,
      runs,
      ratios: pair.ratios,
      bare: pair.bare,
      cpuMsMedian: pair.cpuMs,
      postgresCpuMsMedian: pgCpus.length ? median(pgCpus) : null,
    },
    rows,
    targets,
  };
}

/** BENCH_ONLY=pg: the bare handler and durable filings on PostgreSQL, alternated in one run. */
async function onlyPostgres(): Promise<void> {
  const started = performance.now();
  log(
    `sandbox-ledger bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; HTTP ${httpSeconds} s per run, 50 connections`,
  );
  if (!benchDatabaseUrl) throw new Error('BENCH_ONLY=pg needs BENCH_DATABASE_URL or TEST_DATABASE_URL');
  const http = { connections: 50, seconds: httpSeconds, warmupSeconds: 3 };
  const [bareRuns, postgresRuns] = await alternated(
    [
      ['HTTP: bare NestJS + Fastify POST handler', async () => ({ ...(await benchBare(http)), output: '' })],
      ['HTTP: POST /v1/filings on PostgreSQL (LEDGER_STORE=postgres, own schema)', () => benchLedgerPostgres(http, benchDatabaseUrl)],
    ],
    (what) => what,
  );
  const { rows, targets, postgres } = postgresFigures(bareRuns, postgresRuns);
  // The median pair's bare run, whose ratio the target reads.
  const bare = postgres?.bare ?? bareRuns[0];
  const bareRow: [string, string, string] = [
    'bare NestJS + Fastify POST',
    `${fmt(bare.requestsPerSecond)} req/s`,
    `runs: ${bareRuns.map((f) => fmt(f.requestsPerSecond)).join(', ')} req/s; server CPU ${cpuText(paired(bareRuns, bareRuns).cpuMs)} per request (median)`,
  ];
  process.stdout.write(table([bareRow, ...rows], targets, started));
}

/** Filings by upload: throughput for a 1 MP PNG, then the server's memory while 20 clients upload 10 MB PNGs. */
async function uploadFigures(step: (what: string) => string) {
  const opts = { seconds: httpSeconds, warmupSeconds: 2 };
  log(step('uploads: POST /v1/filings (multipart), a 1 MP PNG per filing, 8 connections'));
  const { output: throughputOutput, ...throughput } = await benchUploadThroughput(opts);
  log(step('uploads: 20 clients each uploading 10 MB PNGs'));
  const { output: memoryOutput, ...memory } = await benchUploadMemory(opts);
  for (const [what, f, out] of [
    ['1 MP', throughput, throughputOutput],
    ['10 MB', memory, memoryOutput],
  ] as const) {
    if (f.failed > 0)
      log(`  warning: ${f.failed} ${what} uploads failed (${JSON.stringify(f.refusals)}); server output:\n${out.slice(-2000)}`);
  }
  const cpu = (f: { serverCpuMsPerFile: number | null }) => (f.serverCpuMsPerFile === null ? 'n/a' : `${fmt(f.serverCpuMsPerFile, 1)} ms`);
  const rows: Array<[string, string, string]> = [
    [
      `filings by upload, 1 MP PNG (${fmt(throughput.fileBytes / MB, 2)} MB)`,
      `${fmt(throughput.filesPerSecond, 1)} files/s`,
      `8 connections; p50 ${throughput.latencyP50Ms} ms, p99 ${throughput.latencyP99Ms} ms; ${throughput.failed} failed; ` +
        `server CPU ${cpu(throughput)} per file; server peak RSS ${mb(throughput.serverRssPeakBytes)}`,
    ],
    [
      `server peak RSS, 20 clients uploading ${fmt(memory.fileBytes / MB, 1)} MB PNGs`,
      mb(memory.serverRssPeakBytes),
      `largest sample ${mb(memory.serverRssMaxBytes)}; ${fmt(memory.filesPerSecond, 2)} files/s, ` +
        `p99 ${memory.latencyP99Ms} ms; ${memory.failed} failed`,
    ],
  ];
  return { throughput, memory, rows };
}

/** BENCH_ONLY=upload: the upload figures alone. */
async function onlyUpload(): Promise<void> {
  const started = performance.now();
  log(
    `sandbox-ledger bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; ${httpSeconds} s per upload run`,
  );
  const { rows } = await uploadFigures((what) => what);
  process.stdout.write(table(rows, [], started));
}

/** BENCH_ONLY=http: the HTTP figures alone. */
async function onlyHttp(): Promise<void> {
  const started = performance.now();
  log(
    `sandbox-ledger bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; HTTP ${httpSeconds} s per run, 50 connections`,
  );
  const { rows, rssRow, ratioTarget, hotTargets, rssTarget } = await httpFigures((what) => what);
  process.stdout.write(table([...rows, rssRow], [ratioTarget, ...hotTargets, rssTarget], started));
}

/** BENCH_ONLY=validation: one filing body's validation, the ValidationPipe against the compiled pipe. */
async function onlyValidation(): Promise<void> {
  const started = performance.now();
  log(`sandbox-ledger bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; request validation`);
  const [old, compiled] = await benchValidation();
  const rows = [old, compiled].map((f): [string, string, string] => [
    `validation of a filing body, ${f.pipe === 'compiled' ? 'compiled per DTO' : 'class-validator'}`,
    `${fmt(f.cpuMicrosPerCall, 1)} µs/call`,
    `${fmt(f.allocatedKbPerCall, 1)} KB allocated per call; ${fmt(f.calls)} calls, rounds alternated`,
  ]);
  const ratio = old.cpuMicrosPerCall / compiled.cpuMicrosPerCall;
  rows.push([
    'compiled against class-validator',
    `${fmt(ratio, 1)} × faster`,
    `${fmt(old.allocatedKbPerCall / compiled.allocatedKbPerCall, 1)} × less allocated`,
  ]);
  process.stdout.write(table(rows, [], started));
}

async function main(): Promise<void> {
  const started = performance.now();
  log(
    `sandbox-ledger bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${fmt(EVENTS)} events; HTTP ${httpSeconds} s per run, 50 connections`,
  );
  const {
    http,
    bare,
    durable,
    normal,
    ratio,
    runs: httpRuns,
    rows: httpRows,
    rssRow,
    ratioTarget,
    hotTargets,
    rssTarget,
    postgres: pg,
  } = await httpFigures((what) => `1/7 ${what}`, benchDatabaseUrl);
  const aging = await agingFigures((what) => `1/7 ${what}`);
  const consolePair = await consoleFigures((what) => `2/7 ${what}`);

  const work = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  try {
    log('2/7 the SQLite store alone, 50 concurrent writers: group commit against one commit per append');
    const storeFigures = await storeAlone(work);
    log(`3/7 generating a ${fmt(EVENTS)}-event ledger (not timed)`);
    const ledger = await generateLedger(join(work, 'data'), EVENTS, log);
    log('3/7 verifying the export with the CLI');
    const { verify, verifySmall, sha, floor, verifyRatio, rows: verifyRows, targets: verifyTargets } = await verifyFigures(ledger);
    log('4/7 proofs (in a process of their own that holds only the log)');
    const proofs = await benchProofsInChild(ledger, PROOF_SAMPLES);
    log(`5/7 projection rebuild (in its own process, at most ${rebuildLimit} s)`);
    const rebuild = await benchRebuild(ledger, rebuildLimit);
    log('6/7 near-duplicate lookup');
    const nearDup = await benchNearDuplicates(ledger.phashes, EVENTS, 2000);
    const uploadSteps = ['7/7', '7/7'];
    const upload = await uploadFigures((what) => `${uploadSteps.shift()} ${what}`);

    const rows: Array<[string, string, string]> = [
      ...httpRows,
      ...pg.rows,
      ...consolePair.rows,
      ...storeRows(storeFigures),
      rssRow,
      ...aging.rows,
      ...verifyRows,
      ...proofRows(proofs),
      [
        `projection rebuild (${fmt(rebuild.total)} events)`,
        `${fmt(rebuild.eventsPerSecond)} events/s`,
        rebuild.complete ? `${fmt(rebuild.seconds, 1)} s` : `stopped at the ${rebuildLimit} s limit after ${fmt(rebuild.events)} events`,
      ],
      nearDuplicateRow(nearDup),
      ...upload.rows,
    ];

    const targets: Target[] = [
      ratioTarget,
      ...hotTargets,
      ...pg.targets,
      ...consolePair.targets,
      ...verifyTargets,
      proofTarget(proofs),
      rebuildTarget(rebuild.eventsPerSecond, rebuild.complete),
      nearDuplicateTarget(nearDup),
      rssTarget,
    ];

    process.stdout.write(table(rows, targets, started));

    mkdirSync(join(ROOT, 'bench'), { recursive: true });
    const results = {
      at: new Date().toISOString(),
      machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? null, memoryBytes: totalmem(), node: process.version },
      scale,
      events: EVENTS,
      http: {
        ...http,
        bare,
        durable,
        normal,
        ratio,
        runs: httpRuns,
        postgres: pg.postgres,
        console: consolePair.console,
        aging: aging.windows,
      },
      store: storeFigures,
      ledger: { events: ledger.events, streams: ledger.streams, filings: ledger.filings, exportBytes: ledger.exportBytes },
      verify,
      verifyPrefix: verifySmall,
      rawSha256: sha,
      verifyRatio,
      verifyFloor: floor,
      proofs: { ...proofs, measured: 'in a process of its own that holds only the log (src/bench/proofs-child.ts)' },
      rebuild,
      nearDuplicates: nearDup,
      upload: { throughput: upload.throughput, memory: upload.memory },
      targets,
      seconds: (performance.now() - started) / 1000,
    };
    writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
    log('results written to bench/results.json');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const cpuPer = (f: { serverCpuMsPerRequest: number | null }) =>
  f.serverCpuMsPerRequest === null ? 'n/a' : `${fmt(f.serverCpuMsPerRequest, 3)} ms`;

/** BENCH_ONLY=witness: checkpoint latency with 2 witnesses and a TSA, and filings/s with and without them. */
async function onlyWitness(): Promise<void> {
  const started = performance.now();
  log(
    `sandbox-ledger bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; HTTP ${httpSeconds} s per run, 50 connections`,
  );
  const f = await benchWitnesses({ connections: 50, seconds: httpSeconds, warmupSeconds: 3 }, Math.round(200 * scale), 2, log);
  const mean = (runs: Array<{ requestsPerSecond: number }>) => runs.reduce((sum, r) => sum + r.requestsPerSecond, 0) / runs.length;
  const ratio = mean(f.with) / mean(f.without);
  const runs = (figures: HttpFigure[]) =>
    figures
      .map(
        (r) =>
          `${fmt(r.requestsPerSecond)}/s (p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms, ` +
          `${r.failed} failed, server CPU ${cpuPer(r)} per filing)`,
      )
      .join('; ');
  process.stdout.write(
    table(
      [
        [
          'checkpoint latency, 2 witnesses + TSA',
          `median ${fmt(f.checkpoint.medianMs, 1)} ms`,
          `p99 ${fmt(f.checkpoint.p99Ms, 1)} ms: filing committed → cosigned checkpoint covering it served (${f.checkpoint.samples} samples)`,
        ],
        [
          'RFC 3161 token (openssl TSA)',
          `median ${fmt(f.tsa.medianMs, 1)} ms`,
          `p99 ${fmt(f.tsa.p99Ms, 1)} ms: request, reply and verification (${f.tsa.samples} samples)`,
        ],
        ['filings, durable, no witnesses', `${fmt(mean(f.without))} /s`, `mean of ${runs(f.without)}`],
        ['filings, durable, 2 witnesses + TSA', `${fmt(mean(f.with))} /s`, `${fmt(ratio, 3)} × without; mean of ${runs(f.with)}`],
      ],
      [{ name: 'witnesses and TSA off the write path: filings/s ≥ 0.9 × without', met: ratio >= 0.9, detail: `${fmt(ratio, 3)} ×` }],
      started,
    ),
  );
}

/** The SQLite store alone: one commit per append, group commit, and group commit at synchronous=NORMAL. */
async function storeAlone(dir: string): Promise<StoreFigure[]> {
  return [await benchStore(dir, 'FULL', 1, 3), await benchStore(dir, 'FULL', undefined, 3), await benchStore(dir, 'NORMAL', undefined, 3)];
}

function storeRows(figures: StoreFigure[]): Array<[string, string, string]> {
  return figures.map((f) => [
    `store appends, ${f.synchronous}, ${f.maxBatch === 1 ? 'one commit per append' : 'group commit'}`,
    `${fmt(f.commandsPerSecond)} /s`,
    `${fmt(f.commitsPerSecond)} commits/s; a filing's 2 events an append; CPU ${fmt(f.cpuUsPerCommand, 1)} µs an append` +
      (f.maxBatch === 1 ? '' : ` (${fmt(f.cpuUsPerCommand / (CPU_TARGET_MS * 10), 0)}% of the ${CPU_TARGET_MS} ms a filing targets)`),
  ]);
}

/** One BENCH_ONLY=parts run (parts-child.ts) in a process of its own, with the server's node flags. */
interface PartsRun {
  cpuMsPerFiling: number;
  perSecond: number;
  filings: number;
  /** Heap allocated a filing (what the collections freed, and the heap's growth), and the collections' share of the CPU. */
  allocatedKbPerFiling: number;
  gcShare: number;
}
async function partsRun(variant: string): Promise<PartsRun> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...startFlags(), join(ROOT, 'dist', 'bench', 'parts-child.js'), variant],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as PartsRun;
}

/** BENCH_ONLY=parts: the CPU a filing costs in one process, whole and without the read models or the tree. */
async function onlyParts(): Promise<void> {
  const started = performance.now();
  log(`sandbox-ledger bench: ${cpus().length} cores, Node ${process.version}; filings in one process (inject), ${rounds} rounds`);
  const variants = ['all', 'no-projections', 'no-tree'] as const;
  const runs = new Map<string, PartsRun[]>();
  for (let round = 0; round < rounds; round++)
    for (const v of variants) {
      log(`parts: ${v} (round ${round + 1} of ${rounds})`);
      runs.set(v, [...(runs.get(v) ?? []), await partsRun(v)]);
    }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const cpu = (v: string) => median(runs.get(v)!.map((r) => r.cpuMsPerFiling));
  const rows = variants.map((v): [string, string, string] => [
    `filing, in process, ${v === 'all' ? 'whole' : v === 'no-projections' ? 'read models not applied' : 'no Merkle tree'}`,
    `${fmt(cpu(v), 3)} ms CPU`,
    `median of ${rounds} (${runs
      .get(v)!
      .map((r) => fmt(r.cpuMsPerFiling, 3))
      .join(', ')}); ${fmt(median(runs.get(v)!.map((r) => r.perSecond)))} filings/s, ${fmt(runs.get(v)![0].filings)} a run`,
  ]);
  rows.push([
    'the read models, applied behind the log',
    `${fmt(cpu('all') - cpu('no-projections'), 3)} ms CPU`,
    `${fmt((100 * (cpu('all') - cpu('no-projections'))) / cpu('all'), 0)}% of a filing`,
  ]);
  rows.push([
    'the Merkle tree and checkpoints',
    `${fmt(cpu('all') - cpu('no-tree'), 3)} ms CPU`,
    `${fmt((100 * (cpu('all') - cpu('no-tree'))) / cpu('all'), 0)}% of a filing`,
  ]);
  const whole = runs.get('all')!;
  rows.push([
    'heap allocated a filing, whole',
    `${fmt(median(whole.map((r) => r.allocatedKbPerFiling)), 1)} KB`,
    `median of ${rounds}; garbage collection ${fmt(100 * median(whole.map((r) => r.gcShare)), 1)}% of the CPU`,
  ]);
  process.stdout.write(table(rows, [], started));
}

/** BENCH_ONLY=store: the SQLite store alone, a few seconds. */
async function onlyStore(): Promise<void> {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  try {
    log('the SQLite store alone, 50 concurrent writers: group commit against one commit per append');
    process.stdout.write(table(storeRows(await storeAlone(work)), [], started));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The near-duplicate lookup's row of the table. */
function nearDuplicateRow(nearDup: NearDuplicateFigure): [string, string, string] {
  return nearDup.available
    ? [
        `near-duplicate lookup (${fmt(nearDup.filings)} filings)`,
        `median ${fmt(nearDup.medianMs, 3)} ms`,
        `p99 ${fmt(nearDup.p99Ms, 3)} ms; index built in ${fmt(nearDup.buildSeconds, 1)} s`,
      ]
    : ['near-duplicate lookup', 'not available yet', nearDup.reason];
}

function nearDuplicateTarget(nearDup: NearDuplicateFigure): Target {
  return {
    name: `near-duplicate lookup median ≤ ${NEAR_DUPLICATE_MEDIAN_MS} ms`,
    met: nearDup.available ? nearDup.medianMs <= NEAR_DUPLICATE_MEDIAN_MS : null,
    detail: nearDup.available ? `median ${fmt(nearDup.medianMs, 3)} ms among ${fmt(nearDup.filings)} filings` : nearDup.reason,
  };
}

/**
 * BENCH_ONLY=near: the near-duplicate lookup alone, without generating a ledger: the index holds as many filings as the
 * full run's, and half the queries are near copies of a filed hash, as there (the generated filings' hashes are random
 * as these are).
 */
async function onlyNearDuplicates(): Promise<void> {
  const started = performance.now();
  log(`near-duplicate lookup among ${fmt(EVENTS)} filings`);
  const filed = Array.from({ length: EVENTS / 2 }, (_, i) => ({
    filingId: `filing-${i}`,
    creator: `creator-${i % 100}`,
    leafIndex: 2 * i,
    value: randomBytes(8).toString('hex'),
  }));
  const nearDup = await benchNearDuplicates(filed, EVENTS, 2000);
  process.stdout.write(table([nearDuplicateRow(nearDup)], [nearDuplicateTarget(nearDup)], started));
}

const onlyFigure = process.env.BENCH_ONLY;
if (onlyFigure === 'verify' || onlyFigure === 'rebuild' || onlyFigure === 'proofs')
  await only(onlyFigure, process.env.BENCH_LEDGER_DIR && resolve(process.env.BENCH_LEDGER_DIR));
else if (onlyFigure === 'http') await onlyHttp();
else if (onlyFigure === 'upload') await onlyUpload();
else if (onlyFigure === 'witness') await onlyWitness();
else if (onlyFigure === 'pg') await onlyPostgres();
else if (onlyFigure === 'console') await onlyConsole();
else if (onlyFigure === 'validation') await onlyValidation();
else if (onlyFigure === 'aging') await onlyAging();
else if (onlyFigure === 'store') await onlyStore();
else if (onlyFigure === 'near') await onlyNearDuplicates();
else if (onlyFigure === 'parts') await onlyParts();
else if (onlyFigure)
  throw new Error(
    'BENCH_ONLY must be http, pg, console, aging, store, near, parts, upload, verify, rebuild, proofs, witness or validation',
  );
else await main();
