// The thread of `rebuildOnThread` (rebuild-thread.ts): the application context on the configured store, its
// ProjectionRunner's rebuild, progress posted after each batch.
import 'reflect-metadata';
import { parentPort } from 'node:worker_threads';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { createLogger } from '../app.factory.js';
import { loadConfig } from '../config.js';
import { ProjectionRunner } from '../ledger/read-models/projection-runner.js';
import type { RebuildMessage } from './rebuild-thread.js';

const port = parentPort;
if (!port) throw new Error('rebuild-worker runs as a thread of `sandbox-ledger projections rebuild`');
const post = (m: RebuildMessage) => port.postMessage(m);
const config = loadConfig(process.env, { logLevel: 'warn' });
const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: createLogger(config) });
try {
  const runner = ctx.get(ProjectionRunner);
  await runner.rebuild((applied, total) => post({ applied, total }));
  post({ done: runner.position });
} finally {
  await ctx.close();
}
