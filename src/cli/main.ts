// `sandbox-ledger <command>`: serve, projections rebuild (more commands arrive with their issues).
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { createApp, createLogger } from '../app.factory.js';
import { loadConfig } from '../config.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { progressBar } from './progress.js';

const USAGE = `usage: sandbox-ledger <command>

commands:
  serve                  run the HTTP server (PORT, LEDGER_DATA_DIR, LEDGER_STORE, ...)
  projections rebuild    clear every read model and replay the whole log
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

export async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  const [command, sub] = positionals;
  if (command === 'serve') { await serve(); return 0; }
  if (command === 'projections' && sub === 'rebuild') { await rebuildProjections(); return 0; }
  process.stderr.write(USAGE);
  return command === undefined || command === 'help' ? 0 : 2;
}

const code = await main(process.argv.slice(2)).catch((err: Error) => { process.stderr.write(`sandbox-ledger: ${err.message}\n`); return 1; });
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
