// The CLI commands that run the application itself: the server, a projection rebuild, a settlement.
import 'reflect-metadata';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { createApp, createLogger } from '../app.factory.js';
import { DomainError } from '../common/domain-error.js';
import { isInstant } from '../common/validation.js';
import { type AppConfig, loadConfig } from '../config.js';
import { SignerMismatchError } from '../ledger/log/merkle-tree.store.js';
import { ProjectionRunner } from '../ledger/read-models/projection-runner.js';
import { NearDuplicateService } from '../settlement/near-duplicates.service.js';
import { SettlementService } from '../settlement/settlement.service.js';
import { checkTrustAnchors, parsePemCertificates } from '../verifier/timestamp-token.js';
import { describeServers, holdDataDir, serversHolding } from './data-dir-lock.js';
import { holdSchemaAlone, holdSchemaServing } from './schema-lock.js';
import { requireLedger, requireLogKeys } from './existing-ledger.js';
import { progressBar } from './progress.js';
import { UsageError } from './usage-error.js';

/** The SQLite databases of a data directory, with their WAL and shared-memory files. */
const DATABASE_FILE = /\.sqlite(-wal|-shm)?$/;

/** Makes the databases a data directory already holds (made by a build that left them readable by all) the owner's alone. */
function ownDatabases(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    if (!DATABASE_FILE.test(name)) continue;
    const file = join(dataDir, name);
    const { mode } = statSync(file);
    if ((mode & 0o077) !== 0) chmodSync(file, mode & 0o700);
  }
}

/** The files the log's keys are generated into when none is given (src/ledger/log/signing-key.ts). */
const LOG_KEY_FILES = ['log-signing.key', 'log-mldsa.key'];

/**
 * Runs the HTTP server (`npm start` and `sandbox-ledger serve`) until SIGTERM or SIGINT, then closes it (requests in
 * flight, stores, timers), removes its lock and exits 0; a second signal exits at once with 1.
 */
export async function serve(config: AppConfig = loadConfig()): Promise<void> {
  await checkAddress(config.port, config.host);
  await checkTsaCa(config);
  // What the server makes is its own: the databases (and their WAL files), as the keys and the directory already were,
  // so that a copy of one (a backup) is not readable by every user of the machine either.
  process.umask(0o077);
  const lock = holdDataDir(config.dataDir);
  ownDatabases(config.dataDir);
  // The embedded store has one server: a second one on the same files would append to the log beside the first, and
  // each would find the Merkle tree moved under its sequencer. Checked after this lock is written, so that of two
  // servers starting together at least one sees the other.
  const others = config.store === 'sqlite' ? serversHolding(config.dataDir) : [];
  if (others.length > 0) {
    lock.release();
    throw new Error(
      `serve refused: a running server holds ${config.dataDir} (${describeServers(others)}); one server serves a SQLite ` +
        `data directory: stop that one first, or give this one another LEDGER_DATA_DIR`,
    );
  }
  // Its lines before the application is made (the wait for an offline command below) are JSON, as every later one.
  Logger.overrideLogger(createLogger(config));
  const log = new Logger('main');
  // The log's key files this start makes, when it is given no keys and the directory has none.
  const keyFiles = LOG_KEY_FILES.map((name) => join(config.dataDir, name)).filter((file) => !existsSync(file));
  let app;
  let letSchemaGo: (() => Promise<void>) | undefined;
  try {
    // On a shared store the data directory's lock is this instance's alone: the schema is held too (schema-lock.ts).
    if (config.store !== 'sqlite')
      letSchemaGo = await holdSchemaServing(config.databaseUrl!, config.databaseSchema ?? 'ledger', () =>
        log.warn(`waiting for an offline command (settle, projections rebuild) on schema ${config.databaseSchema ?? 'ledger'} to end`),
      );
    app = await createApp(config);
    await app.listen(config.port, config.host).catch((err: Error) => {
      throw unlistenable(err, config.port, config.host);
    });
  } catch (err) {
    await app?.close().catch(() => undefined); // a port already taken: its stores and timers would keep the process alive
    await letSchemaGo?.();
    // Keys made for a log that is signed with others were never used: left, they would look like the log's own, and
    // the next start in this directory would be refused the same way.
    if (err instanceof SignerMismatchError) for (const file of keyFiles) rmSync(file, { force: true });
    lock.release();
    throw err;
  }
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  lock.update({ url });
  log.log(`Sandbox Ledger listening on ${url} (store ${config.store}, data ${config.dataDir})`);
  let stopping = false;
  // The near-duplicate index is loaded on first use: loaded now, behind the listening server, it spares the first filing
  // after a restart that wait (3 to 4 s on a ledger of 375,000 filings); a filing that comes sooner waits for the same load.
  app
    .get(NearDuplicateService)
    .catchUp()
    .catch((err: Error) => {
      if (!stopping) log.warn(`near-duplicate index not loaded at start (${err.message}); it is loaded on first use`);
    });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log.log(`${signal}: closing`);
    app.close().then(
      async () => {
        await letSchemaGo?.();
        lock.release();
        log.log('closed');
        process.exit(0);
      },
      async (err: Error) => {
        await letSchemaGo?.();
        lock.release();
        log.error(`closing failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * Fails when the address cannot be listened on (a HOST that does not resolve or is not this machine's: ENOTFOUND,
 * EADDRNOTAVAIL; a PORT taken or not allowed: EADDRINUSE, EACCES), before anything is opened or made: found only when
 * the started application listened, it left a new data directory with its stores, keys and admin key, after log lines
 * that read like a successful start. PORT=0 too, whose HOST must resolve all the same. (Another process may still take
 * the port in between: listen reports it, in the same words.)
 */
async function checkAddress(port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(unlistenable(err, port, host)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/**
 * The TSA CA the server checks time-stamps with, and publishes for the verifiers, must be one they take as a trust
 * anchor: each certificate validly self-signed. Another (the TSA's own certificate, say) made the server check nothing
 * and log a failed time-stamp for every checkpoint, while publishing a CA every verifier refuses.
 */
async function checkTsaCa(config: AppConfig): Promise<void> {
  if (config.tsaCaFile === undefined) return;
  try {
    await checkTrustAnchors(parsePemCertificates(readFileSync(config.tsaCaFile, 'utf8')));
  } catch (err) {
    throw new Error(
      `LEDGER_TSA_CA_FILE ${config.tsaCaFile}: ${(err as Error).message}: it must hold the CA certificates, each self-signed`,
      {
        cause: err,
      },
    );
  }
}

/** A listen error that names the variables of the address: Node's names the address alone (getaddrinfo ENOTFOUND <host>). */
function unlistenable(err: Error, port: number, host: string): Error {
  return new Error(`HOST ${JSON.stringify(host)}, PORT ${port} cannot be listened on (${err.message})`, { cause: err });
}

/**
 * Runs `work` unless a server holds the data directory (1, said on stderr): while it runs, its read models and settlements
 * are its own. On PostgreSQL, also when a server of the schema runs, whatever its directory; the schema is held to this
 * command while `work` runs. `force` goes on all the same, saying so.
 */
async function besideNoServer(
  command: string,
  config: AppConfig,
  force: boolean,
  instead: string,
  work: () => Promise<number>,
): Promise<number> {
  const dataDir = config.dataDir;
  let release: (() => Promise<void>) | null = null;
  try {
    if (config.store !== 'sqlite') {
      const schema = config.databaseSchema ?? 'ledger';
      release = await holdSchemaAlone(config.databaseUrl!, schema);
      if (!release && !force) {
        process.stderr.write(`${command} refused: a server of schema ${schema} runs (on this machine or another). ${instead}\n`);
        return 1;
      }
      if (!release) process.stderr.write(`${command}: a server of schema ${schema} runs; going on as --force asks\n`);
    }
    const held = serversHolding(dataDir);
    if (held.length > 0) {
      const holders = `a running server holds ${dataDir} (${describeServers(held)})`;
      if (!force) {
        const locks = held.map((l) => join(dataDir, `server-${l.pid}.lock`)).join(', ');
        process.stderr.write(
          `${command} refused: ${holders}. ${instead} If no server of this directory runs (${locks} left by another process), pass --force.\n`,
        );
        return 1;
      }
      process.stderr.write(`${command}: ${holders}; going on as --force asks\n`);
    }
    return await work();
  } finally {
    await release?.();
  }
}

export async function rebuildProjections(force = false): Promise<number> {
  const config = loadConfig(process.env, { logLevel: 'warn' });
  await requireLedger(config, 'projections rebuild');
  return besideNoServer('projections rebuild', config, force, 'Stop it first: it catches its read models up itself.', () =>
    rebuildBesideNoServer(config),
  );
}

async function rebuildBesideNoServer(config: AppConfig): Promise<number> {
  // It opens the whole ledger, log included: keys it made would be left for the next server (see requireLogKeys).
  requireLogKeys(config, 'projections rebuild');
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: createLogger(config), abortOnError: false });
  const runner = ctx.get(ProjectionRunner);
  const bar = progressBar('rebuilding read models');
  const started = performance.now();
  let rebuilt = false;
  try {
    await runner.rebuild((done, total) => bar.update(done, total));
    rebuilt = true;
  } finally {
    bar.stop(rebuilt ? undefined : 'failed'); // a rebuild that fails gives the terminal its cursor back too
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `rebuilt read models from ${runner.position} events in ${seconds.toFixed(2)} s (${Math.round(runner.position / Math.max(seconds, 1e-9))} events/s)\n`,
  );
  await ctx.close();
  return 0;
}

export async function settle(asOf: string | undefined, force = false): Promise<number> {
  if (asOf !== undefined && !isInstant(asOf))
    throw new UsageError('--as-of must be an ISO-8601 instant with a time zone, in the years 0000 to 9999');
  const at = asOf === undefined ? undefined : new Date(asOf);
  // No schedule in this process, and no projection runner: a running server catches the read models up itself.
  const config = loadConfig(process.env, { logLevel: 'warn', settlementIntervalMs: 0 });
  await requireLedger(config, 'settle');
  // A server running on this directory is named first: its keys may come from its environment, not from the directory.
  return besideNoServer('settle', config, force, 'Ask it instead (POST /v1/settlements), or stop it first.', () =>
    settleBesideNoServer(config, at),
  );
}

async function settleBesideNoServer(config: AppConfig, at: Date | undefined): Promise<number> {
  requireLogKeys(config, 'settle');
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: createLogger(config), abortOnError: false });
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
