// `sandbox-ledger <command>`: serve, projections rebuild, export, verify, settle (more commands arrive with their issues).
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { createApp, createLogger } from '../app.factory.js';
import { DomainError } from '../common/domain-error.js';
import { loadConfig } from '../config.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { SettlementService } from '../settlement/settlement.service.js';
import { exportCommand } from './export.js';
import { progressBar } from './progress.js';
import { verifyCommand, verifyReceiptCommand } from './verify.js';

const USAGE = `usage: sandbox-ledger <command>

commands:
  serve                  run the HTTP server (PORT, LEDGER_DATA_DIR, LEDGER_STORE, ...)
  projections rebuild    clear every read model and replay the whole log
  export [--out FILE]    write the log as NDJSON from the store in LEDGER_DATA_DIR (stdout by default)
  verify --export FILE|URL --checkpoint FILE|URL [--checkpoint ...] [--checkpoints FILE|URL] --vkey VKEY|FILE|URL [--key API_KEY]
                         check every event hash, every stream chain and the Merkle root at every checkpoint;
                         exit 0 only when all hold, else name the first bad leaf
  verify-receipt FILE --vkey VKEY|FILE|URL
                         check a receipt (JSON or tlog-proof text) on its own
  settle [--as-of ISO]   run a settlement against the store in LEDGER_DATA_DIR (no server needed) and record RightsSettled
`;

async function serve(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
}

async function rebuildProjections(): Promise<void> {
  const config = loadConfig(process.env, { logLevel: 'warn' });
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: createLogger(config) });
  const runner = ctx.get(ProjectionRunner);
  const bar = progressBar('rebuilding read models');
  const started = performance.now();
  await runner.rebuild((done, total) => bar.update(done, total));
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`rebuilt read models from ${runner.position} events in ${seconds.toFixed(2)} s (${Math.round(runner.position / Math.max(seconds, 1e-9))} events/s)\n`);
  await ctx.close();
}

async function settle(asOf: string | undefined): Promise<number> {
  const at = asOf === undefined ? undefined : new Date(asOf);
  if (at && (!/(Z|[+-]\d{2}:\d{2})$/.test(asOf!) || Number.isNaN(at.getTime()))) throw new UsageError('--as-of must be an ISO-8601 instant with a time zone');
  // No schedule in this process, and no projection runner: a running server catches the read models up itself.
  const config = loadConfig(process.env, { logLevel: 'warn', settlementIntervalMs: 0 });
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: createLogger(config) });
  try {
    const started = performance.now();
    const r = await ctx.get(SettlementService).settle({ asOf: at, trigger: 'cli', actor: 'system:cli', recordEmpty: true, waitForReadModels: false });
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`settled as of ${r.asOf} over ${r.logSize} events under policy v${r.policyVersion}: ${r.changes.length} right(s) changed; RightsSettled at leaf ${r.leafIndex} (${seconds.toFixed(2)} s)\n`);
    for (const c of r.changes) process.stdout.write(`  ${c.filingId} ${c.from} -> ${c.to} (${c.rule})\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    process.stderr.write(`settle refused (${err.code}): ${err.message}\n`);
    return 1;
  } finally {
    await ctx.close();
  }
}

const OPTIONS = {
  export: { type: 'string' }, checkpoint: { type: 'string', multiple: true }, checkpoints: { type: 'string', multiple: true },
  vkey: { type: 'string' }, key: { type: 'string' }, out: { type: 'string' }, 'as-of': { type: 'string' },
} as const;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, sub] = positionals;
  const need = (name: keyof typeof values, value: string | undefined): string => {
    if (!value) throw new UsageError(`${command} needs --${name}`);
    return value;
  };
  try {
    switch (command) {
      case 'serve': await serve(); return 0;
      case 'projections': if (sub === 'rebuild') { await rebuildProjections(); return 0; } break;
      case 'export': return await exportCommand(values.out);
      case 'verify':
        return await verifyCommand({
          export: need('export', values.export), checkpoint: values.checkpoint ?? [], checkpoints: values.checkpoints ?? [],
          vkey: need('vkey', values.vkey), apiKey: values.key ?? process.env.LEDGER_API_KEY,
        });
      case 'settle': return await settle(values['as-of']);
      case 'verify-receipt':
        if (!sub) throw new UsageError('verify-receipt needs the receipt file');
        return await verifyReceiptCommand(sub, need('vkey', values.vkey));
      case undefined: case 'help':
        process.stdout.write(USAGE);
        return 0;
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  process.stderr.write(USAGE);
  return 2;
}

const code = await main(process.argv.slice(2)).catch((err: Error) => { process.stderr.write(`sandbox-ledger: ${err.message}\n`); return 1; });
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
