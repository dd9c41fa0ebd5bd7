// The CLI commands that run the application itself: the server, a projection rebuild, a settlement.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { createApp, createLogger } from '../app.factory.js';
import { DomainError } from '../common/domain-error.js';
import { loadConfig } from '../config.js';
import { ProjectionRunner } from '../ledger/read-models/projection-runner.js';
import { SettlementService } from '../settlement/settlement.service.js';
import { progressBar } from './progress.js';
import { UsageError } from './usage-error.js';

export async function serve(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
}

export async function rebuildProjections(): Promise<void> {
  const config = loadConfig(process.env, { logLevel: 'warn' });
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: createLogger(config) });
  const runner = ctx.get(ProjectionRunner);
  const bar = progressBar('rebuilding read models');
  const started = performance.now();
  await runner.rebuild((done, total) => bar.update(done, total));
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `rebuilt read models from ${runner.position} events in ${seconds.toFixed(2)} s (${Math.round(runner.position / Math.max(seconds, 1e-9))} events/s)\n`,
  );
  await ctx.close();
}

export async function settle(asOf: string | undefined): Promise<number> {
  const at = asOf === undefined ? undefined : new Date(asOf);
  if (at && (!/(Z|[+-]\d{2}:\d{2})$/.test(asOf!) || Number.isNaN(at.getTime())))
    throw new UsageError('--as-of must be an ISO-8601 instant with a time zone');
  // No schedule in this process, and no projection runner: a running server catches the read models up itself.
  const config = loadConfig(process.env, { logLevel: 'warn', settlementIntervalMs: 0 });
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: createLogger(config) });
  try {
    const started = performance.now();
    const r = await ctx
      .get(SettlementService)
      .settle({ asOf: at, trigger: 'cli', actor: 'system:cli', recordEmpty: true, waitForReadModels: false });
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `settled as of ${r.asOf} over ${r.logSize} events under policy v${r.policyVersion}: ${r.changes.length} right(s) changed; RightsSettled at leaf ${r.leafIndex} (${seconds.toFixed(2)} s)\n`,
    );
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
