// One in-process run of durable filings through the whole request pipeline (Fastify's inject: no socket, no load
// generator), with parts of the server switched off, for BENCH_ONLY=parts: what each costs in CPU per filing. argv[2]
// is the variant: `all`, `no-projections` (the read models are not applied: the runner is stopped) or `no-tree` (the log
// sequencer is stopped: no Merkle tree, no checkpoints). Prints one line of JSON.
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { join } from 'node:path';
import { createApp } from '../app.factory.js';
import { loadConfig } from '../config.js';
import { MERKLE_LOG } from '../ledger/ledger.tokens.js';
import type { MerkleLog } from '../ledger/log/merkle-log.js';
import { ProjectionRunner } from '../ledger/read-models/projection-runner.js';
import { filingBody } from './http.js';

const variant = process.argv[2] ?? 'all';
const filings = Number(process.argv[3] ?? 6000);
const CLIENTS = 50;
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-parts-'));
const app = await createApp(loadConfig({ LEDGER_DATA_DIR: dir, LOG_LEVEL: 'warn', PORT: '0', LEDGER_CONSOLE: 'off' }));
const fastify = app.getHttpAdapter().getInstance();
await fastify.ready();
const post = (url: string, key: string, body: string) =>
  fastify.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: body });
const admin = readFileSync(join(dir, 'admin.key'), 'utf8').trim();
const creator = JSON.parse((await post('/v1/principals', admin, JSON.stringify({ name: 'Bench', roles: ['creator'] }))).body) as {
  apiKey: { key: string };
};
const key = creator.apiKey.key;
if (variant === 'no-projections') app.get(ProjectionRunner).stop();
if (variant === 'no-tree') await app.get<MerkleLog>(MERKLE_LOG).stop();

/** These filings from CLIENTS clients at once; the number answered 201. */
async function file(bodies: readonly string[]): Promise<number> {
  let next = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const res = await post('/v1/filings', key, bodies[next++]);
        if (res.statusCode === 201) ok++;
      }
    }),
  );
  return ok;
}
/** `count` filing bodies, made before they are filed: the server's CPU is measured, not the making of its requests. */
const bodiesFrom = (from: number, count: number) => Array.from({ length: count }, (_, i) => filingBody(from + i));

await file(bodiesFrom(1e9, 2000)); // warm-up: compiled code, caches, the tables' first pages
const bodies = bodiesFrom(0, filings);
await new Promise((r) => setTimeout(r, 300));
// What the run allocates on the heap: what its collections freed, and what it left in use at its end beside its start.
const gc = new GCProfiler();
gc.start();
const usedBefore = getHeapStatistics().used_heap_size;
const before = process.cpuUsage();
const started = performance.now();
const ok = await file(bodies);
await new Promise((r) => setTimeout(r, 300)); // the read models and the tree catch up: their work counts too
const cpu = process.cpuUsage(before);
const collections = gc.stop().statistics;
const freed = collections.reduce((sum, c) => sum + c.beforeGC.heapStatistics.usedHeapSize - c.afterGC.heapStatistics.usedHeapSize, 0);
const allocated = freed + getHeapStatistics().used_heap_size - usedBefore;
const gcMs = collections.reduce((sum, c) => sum + c.cost, 0) / 1000;
process.stdout.write(
  JSON.stringify({
    variant,
    filings: ok,
    cpuMsPerFiling: (cpu.user + cpu.system) / 1000 / ok,
    allocatedKbPerFiling: allocated / 1024 / ok,
    gcShare: gcMs / ((cpu.user + cpu.system) / 1000),
    perSecond: ok / ((performance.now() - started) / 1000),
  }) + '\n',
);
await app.close();
rmSync(dir, { recursive: true, force: true });
