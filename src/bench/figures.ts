// The offline figures: export verification against raw SHA-256, proof latency, projection rebuild, near-duplicate lookup.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { MerkleLog } from '../ledger/log/merkle-log.js';
import { LedgerWriter } from '../ledger/write/ledger-writer.js';
import { nativeSha256Text } from '../ledger/native-sha256.js';
import type { StreamAppend } from '../ledger/event-store/event-store.port.js';
import type { EventEnvelope, JsonObject } from '../verifier/envelope.js';
import { envelopeProblem, hashedBody } from '../verifier/export-chunk.js';
import type { Ledger } from './dataset.js';
import { ROOT, runMeasured, startFlags } from './processes.js';

export const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export interface VerifyFigure {
  events: number;
  bytes: number;
  seconds: number;
  eventsPerSecond: number;
  mbPerSecond: number;
  /** Threads that checked the events (0: the main thread alone). */
  threads: number;
  peakRssBytes: number | null;
  /** CPU time of the whole run (every thread, start-up included) per event, in µs: what a busy machine does not hide. */
  cpuMicrosPerEvent: number | null;
  output: string;
}

/**
 * The real CLI in its own process, as `npx sandbox-ledger verify --export … --checkpoint … --vkey …` runs it: node with the
 * flags of the bin's shebang (those of `npm start`, test/production/start-command.spec.ts), which `node bin/…` alone drops.
 */
export async function benchVerify(
  exportFile: string,
  checkpointFile: string,
  vkey: string,
  events: number,
  bytes: number,
): Promise<VerifyFigure> {
  const run = await runMeasured([
    ...startFlags(),
    'bin/sandbox-ledger.js',
    'verify',
    '--export',
    exportFile,
    '--checkpoint',
    checkpointFile,
    '--vkey',
    vkey,
  ]);
  if (run.code !== 0) throw new Error(`verify failed (${run.code}): ${run.stdout}${run.stderr}`);
  // The CLI's own timing covers reading, checking and the final chain check, not Node's start-up.
  const m = /\((\d+) events\/s, ([\d.]+) MB\/s, (?:(\d+) checking thread|checked on the main thread)/.exec(run.stdout);
  const eventsPerSecond = m ? Number(m[1]) : events / run.seconds;
  const mbPerSecond = m ? Number(m[2]) : bytes / 1e6 / run.seconds;
  const threads = m?.[3] ? Number(m[3]) : 0;
  return {
    events,
    bytes,
    seconds: run.seconds,
    eventsPerSecond,
    mbPerSecond,
    threads,
    peakRssBytes: run.peakRss,
    cpuMicrosPerEvent: run.cpuSeconds === null ? null : (run.cpuSeconds * 1e6) / events,
    output: run.stdout.trim(),
  };
}

const READ = 1 << 20;

/** SHA-256 of a file with node:crypto on one core, read 1 MiB at a time into one buffer: the native rate over those bytes. */
export function benchRawSha(file: string): { mbPerSecond: number; bytes: number } {
  const buffer = Buffer.allocUnsafe(READ);
  const fd = openSync(file, 'r');
  const started = performance.now();
  const h = createHash('sha256');
  let bytes = 0;
  try {
    for (let n; (n = readSync(fd, buffer, 0, READ, null)) > 0; bytes += n) h.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  h.digest();
  return { mbPerSecond: bytes / 1e6 / ((performance.now() - started) / 1000), bytes };
}

export interface FloorFigure {
  events: number;
  eventsPerSecond: number;
  mbPerSecond: number;
  /** CPU time per event (this thread), in µs. */
  cpuMicrosPerEvent: number;
}

/**
 * The floor of verification per event on one core: read 1 MiB at a time, split in lines, and for each line only
 * JSON.parse it and check its hash over its canonical form, as `verify` does: a line in JCS form is checked to be so
 * and hashed less its hash and leaf index (another line is serialised again).
 */
export function benchFloor(file: string): FloorFigure {
  const buffer = new Uint8Array(READ);
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const fd = openSync(file, 'r');
  const started = performance.now();
  const cpu = process.cpuUsage();
  let events = 0;
  let bytes = 0;
  let kept = 0; // bytes of a line begun in the previous read, moved to the buffer's start
  let sink = 0;
  try {
    for (let n; (n = readSync(fd, buffer, kept, READ - kept, null)) > 0;) {
      bytes += n;
      const filled = kept + n;
      const end = buffer.lastIndexOf(10, filled - 1) + 1;
      const text = decoder.decode(buffer.subarray(0, end));
      for (let from = 0; from < text.length;) {
        let to = text.indexOf('\n', from);
        if (to < 0) to = text.length;
        if (to > from) {
          const line = text.slice(from, to);
          const e = JSON.parse(line) as EventEnvelope;
          if (envelopeProblem(e) === undefined && nativeSha256Text(hashedBody(e, line)) === e.hash) sink++;
          events++;
        }
        from = to + 1;
      }
      buffer.copyWithin(0, end, filled);
      kept = filled - end;
    }
  } finally {
    closeSync(fd);
  }
  if (sink !== events) throw new Error(`${events - sink} event(s) of the export do not match their hash`);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    events,
    eventsPerSecond: events / seconds,
    mbPerSecond: bytes / 1e6 / seconds,
    cpuMicrosPerEvent: (used.user + used.system) / events,
  };
}

export interface LatencyFigure {
  samples: number;
  medianMs: number;
  p99Ms: number;
}

export interface ProofFigures {
  treeSize: number;
  inclusion: LatencyFigure;
  consistency: LatencyFigure;
}

/** Proofs of each kind made before the timed ones. */
const PROOF_WARMUP = 2000;

/** Inclusion and consistency proofs at the log's full size, from MerkleLog over its stored tree, for random indexes. */
export async function benchProofs(log: MerkleLog, samples: number): Promise<ProofFigures> {
  const n = log.treeSize;
  const time = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  const figure = (ms: number[]): LatencyFigure => {
    ms.sort((a, b) => a - b);
    return { samples: ms.length, medianMs: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99) };
  };
  // Warm the caches and the JIT: the figures come from a fresh process (proofs-child.ts).
  for (let i = 0; i < PROOF_WARMUP; i++) {
    await log.inclusionProof(Math.floor(Math.random() * n), n);
    await log.consistencyProof(1 + Math.floor(Math.random() * (n - 1)), n);
  }
  const inclusion: number[] = [];
  const consistency: number[] = [];
  for (let i = 0; i < samples; i++) {
    inclusion.push(await time(() => log.inclusionProof(Math.floor(Math.random() * n), n)));
    consistency.push(await time(() => log.consistencyProof(1 + Math.floor(Math.random() * (n - 1)), n)));
  }
  return { treeSize: n, inclusion: figure(inclusion), consistency: figure(consistency) };
}

/** How long the proof figures' process may take (a few seconds at a million leaves). */
const PROOFS_LIMIT_MS = 120_000;

/** benchProofs in a process of its own on the generated ledger, started with the server's node flags (proofs-child.ts). */
export async function benchProofsInChild(ledger: Ledger, samples: number): Promise<ProofFigures> {
  const run = await runMeasured(
    [...startFlags(), join(ROOT, 'dist', 'bench', 'proofs-child.js')],
    { LEDGER_DATA_DIR: ledger.dataDir, BENCH_PROOF_SAMPLES: String(samples), BENCH_PROOF_EVENTS: String(ledger.events) },
    PROOFS_LIMIT_MS,
  );
  const line = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (run.code !== 0 || line === undefined) {
    const how = run.signal ? `killed by ${run.signal}` : `exit code ${run.code}`;
    throw new Error(`proof figures failed (${how}):\n${run.stdout.slice(-1000)}\n${run.stderr.slice(-2000)}`);
  }
  return JSON.parse(line) as ProofFigures;
}

export interface RebuildFigure {
  events: number;
  total: number;
  seconds: number;
  eventsPerSecond: number;
  complete: boolean;
}

/**
 * Clears the read models of the generated data dir and replays every event, in its own process (as
 * `sandbox-ledger projections rebuild` does); stopped after `limitSeconds`, the rate is over the events applied so far.
 */
export async function benchRebuild(ledger: Ledger, limitSeconds: number): Promise<RebuildFigure> {
  // With the CLI's node flags (its shebang's, those of `npm start`), as `npx sandbox-ledger projections rebuild` runs.
  const child = spawn(process.execPath, [...startFlags(), join(ROOT, 'dist', 'bench', 'rebuild-child.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LEDGER_DATA_DIR: ledger.dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  type Progress = { applied: number; total: number; seconds: number; done?: boolean };
  const progress: Progress[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    const lines = (buffered + d).split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.startsWith('{')) progress.splice(0, 1, JSON.parse(line) as Progress);
  });
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), limitSeconds * 1000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const final = progress[0];
  if (!final || (code !== 0 && !final.applied)) throw new Error(`projection rebuild failed (${code}): ${stderr}`);
  return {
    events: final.applied,
    total: final.total,
    seconds: final.seconds,
    eventsPerSecond: final.applied / final.seconds,
    complete: final.done === true,
  };
}

export type NearDuplicateFigure =
  { available: false; reason: string } | ({ available: true; filings: number; buildSeconds: number } & LatencyFigure);

interface IndexLike {
  add(scheme: string, hex: string, entry: { filingId: string; creator: string; leafIndex: number }): void;
  find(scheme: string, hex: string, threshold: number, creator: string): unknown;
}

/** The settlement context's near-duplicate index (issue 6), if this build has it: a phash64 lookup at the policy threshold. */
export async function benchNearDuplicates(phashes: Ledger['phashes'], filings: number, samples: number): Promise<NearDuplicateFigure> {
  let Index: (new () => IndexLike) | undefined;
  try {
    const path = '../settlement/near-duplicate.index.js'; // resolved at run time: the bench builds with or without it
    Index = ((await import(path)) as { NearDuplicateIndex?: new () => IndexLike }).NearDuplicateIndex;
  } catch {
    return { available: false, reason: 'not available yet (no src/settlement/near-duplicate.index in this build)' };
  }
  if (!Index) return { available: false, reason: 'not available yet (near-duplicate.index has no NearDuplicateIndex)' };
  const index = new Index();
  const started = performance.now();
  // The generated filings first, then synthetic ones up to `filings` (the index holds hashes, not events).
  for (let i = 0; i < filings; i++) {
    const p = phashes[i] ?? { filingId: `synthetic-${i}`, creator: `creator-${i % 100}`, leafIndex: 2 * i, value: randomHex64() };
    index.add('phash64', p.value, { filingId: p.filingId, creator: p.creator, leafIndex: p.leafIndex });
  }
  const buildSeconds = (performance.now() - started) / 1000;
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    // Half new content, half a near copy (3 bits flipped) of a filed work.
    const q = i % 2 === 0 || phashes.length === 0 ? randomHex64() : flipBits(phashes[i % phashes.length].value, 3);
    const t = performance.now();
    index.find('phash64', q, 8, 'nobody');
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { available: true, filings, buildSeconds, samples, medianMs: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99) };
}

const flipBits = (hex: string, bits: number) => {
  let v = BigInt('0x' + hex);
  for (let i = 0; i < bits; i++) v ^= 1n << BigInt((i * 23 + 5) % 64);
  return v.toString(16).padStart(16, '0');
};
const randomHex64 = () =>
  Math.floor(Math.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0') +
  Math.floor(Math.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0');

export interface StoreFigure {
  synchronous: 'FULL' | 'NORMAL';
  maxBatch: number;
  commandsPerSecond: number;
  commitsPerSecond: number;
  /** The bench process's CPU time (every thread: the appends, SQLite, its checkpoint thread, the collector) per append. */
  cpuUsPerCommand: number;
}

/**
 * The SQLite store alone: 50 writers each appending what a filing by JSON appends (a ContentReserved to the content's
 * reservation stream, named by a content hash and so anywhere in the streams' index, and a WorkFiled of the HTTP bench's
 * filing body to a new filing stream) back to back, with the write path's own LedgerWriter: half a second untimed, then
 * `seconds` timed. maxBatch 1 is one commit per append; the default is group commit. The appends' data are made before
 * the clock starts, so the CPU time a command (the process's, every thread) is about what the store costs a durable
 * filing: its share of the server's CPU per filing, before HTTP, validation, the decision, the Merkle log and the read
 * models.
 */
export async function benchStore(
  dir: string,
  synchronous: 'FULL' | 'NORMAL',
  maxBatch: number | undefined,
  seconds: number,
): Promise<StoreFigure> {
  const { SqliteEventStore } = await import('../ledger/event-store/sqlite-event-store.js');
  const { filingBody } = await import('./http.js');
  const { uuidv7 } = await import('../common/ids.js');
  const store = SqliteEventStore.open(join(dir, `store-${synchronous}-${maxBatch ?? 'group'}.sqlite`), { synchronous, maxBatch });
  const writer = new LedgerWriter(store);
  let commits = 0;
  store.subscribe(() => {
    commits++;
  });
  const creator = uuidv7();
  const meta = { actor: creator };
  // The bodies, hashes and ids are made before the clock starts; each append is put together from them as it is made.
  const bodies = Array.from({ length: 4096 }, (_, i) => JSON.parse(filingBody(i)) as JsonObject);
  const made = Math.ceil(15_000 * (seconds + 0.5)); // more than this machine appends in the time (about 10,000/s)
  const ids = Array.from({ length: made }, (_, i) => ({
    contentHash: createHash('sha256').update(`content ${i}`).digest('hex'),
    filingId: uuidv7(),
  }));
  const filedAt = new Date().toISOString();
  const append = (i: number): StreamAppend[] => {
    const { contentHash, filingId } = ids[i];
    return [
      {
        stream: `content-${contentHash}`,
        expectedRevision: 'no-stream',
        events: [{ type: 'ContentReserved', data: { contentHash, filingId, creator }, meta }],
      },
      {
        stream: `filing-${filingId}`,
        expectedRevision: 'no-stream',
        events: [{ type: 'WorkFiled', data: { ...bodies[i % bodies.length], filingId, creator, contentHash, filedAt }, meta }],
      },
    ];
  };
  let next = 0;
  let done = 0;
  let timed: { cpu: NodeJS.CpuUsage; done: number; commits: number } | null = null;
  const warmUp = performance.now() + 500;
  const deadline = warmUp + seconds * 1000;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      for (let now = performance.now(); now < deadline; now = performance.now()) {
        if (timed === null && now >= warmUp) timed = { cpu: process.cpuUsage(), done, commits };
        if (next === made) throw new Error(`the store bench made ${made} appends' ids and needs more`);
        await writer.append(append(next++));
        done++;
      }
    }),
  );
  const used = process.cpuUsage(timed!.cpu);
  await store.close();
  const count = done - timed!.done;
  return {
    synchronous,
    maxBatch: maxBatch ?? 1000,
    commandsPerSecond: count / seconds,
    commitsPerSecond: (commits - timed!.commits) / seconds,
    cpuUsPerCommand: (used.user + used.system) / count,
  };
}
