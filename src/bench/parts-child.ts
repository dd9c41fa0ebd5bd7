// One in-process run of durable filings through the whole request pipeline (Fastify's inject: no socket, no load
// generator), with parts of the server switched off, for BENCH_ONLY=parts: what each costs in CPU per filing. argv[2]
// is the variant: `all`, `no-projections` (the read models are not applied: the runner is stopped) or `no-tree` (the log
// sequencer is stopped: no Merkle tree, no checkpoints). Prints one line of JSON.
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** `count` filings from CLIENTS clients at once; the number answered 201. */
async function file(count: number, from: number): Promise<number> {
  let next = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < count) {
        const res = await post('/v1/filings', key, filingBody(from + next++));
        if (res.statusCode === 201) ok++;
      }
    }),
  );
  return ok;
}

await file(2000, 1e9); // warm-up: compiled code, caches, the tables' first pages
await new Promise((r) => setTimeout(r, 300));
const before = process.cpuUsage();
const started = performance.now();
const ok = await file(filings, 0);
await new Promise((r) => setTimeout(r, 300)); // the read models and the tree catch up: their work counts too
const cpu = process.cpuUsage(before);
process.stdout.write(
  JSON.stringify({
    variant,
    filings: ok,
    cpuMsPerFiling: (cpu.user + cpu.system) / 1000 / ok,
    perSecond: ok / ((performance.now() - started) / 1000),
  }) + '\n',
);
await app.close();
rmSync(dir, { recursive: true, force: true });
