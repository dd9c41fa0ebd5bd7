// `sandbox-ledger projections rebuild` as the bench runs it: the same application context and ProjectionRunner.rebuild,
// with a progress line per batch so the bench can stop a slow rebuild at its time limit and still report a rate.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { createLogger } from '../app.factory.js';
import { loadConfig } from '../config.js';
import { ProjectionRunner } from '../ledger/read-models/projection-runner.js';

const config = loadConfig(process.env, { logLevel: 'warn' });
const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: createLogger(config) });
const runner = ctx.get(ProjectionRunner);
const started = performance.now();
let shown = 0;
await runner.rebuild((applied, total) => {
  const now = performance.now();
  if (now - shown < 500 && applied < total) return;
  shown = now;
  process.stdout.write(JSON.stringify({ applied, total, seconds: (now - started) / 1000 }) + '\n');
});
process.stdout.write(
  JSON.stringify({ applied: runner.position, total: runner.position, seconds: (performance.now() - started) / 1000, done: true }) + '\n',
);
await ctx.close();
