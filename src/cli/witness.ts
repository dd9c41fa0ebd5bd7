// `sandbox-ledger witness serve|vkey`: an independent C2SP witness with its own key and data dir.
import { closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { COSIGNATURE_V1, formatCosignerVkey } from '../verifier/cosignature.js';
import { Witness, witnessServer } from '../witness/witness-server.js';
import { WitnessState } from '../witness/witness-state.js';
import { readLocalFile, readVkey } from './sources.js';
import { UsageError } from './usage-error.js';

export const DEFAULT_WITNESS_NAME = 'witness.sandbox-ledger.local';

export interface WitnessArgs {
  keyFile: string;
  name?: string;
  logs: string[];
  port?: string;
  host?: string;
  dataDir?: string;
}

/**
 * The witness's Ed25519 seed (base64) from its key file. Only `witness serve` may create it (0600) when it does not
 * exist: anything else that reads the key refuses a missing file, so that a mistyped path is not a new witness.
 */
export function loadWitnessKey(file: string, create = false): Uint8Array {
  if (!existsSync(file)) {
    if (!create) throw new Error(`${file}: no such key file (witness serve creates one)`);
    const seed = ed25519.utils.randomSecretKey();
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, Buffer.from(seed).toString('base64') + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  const seed = Buffer.from(readLocalFile(file).toString('utf8').trim(), 'base64');
  if (seed.length !== 32) throw new UsageError(`${file} must hold a base64 Ed25519 seed of 32 bytes`);
  return new Uint8Array(seed);
}

/** Listens, or rejects with the error listening met (EADDRINUSE, EACCES), which names the address. */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
}

const vkeyOf = (name: string, seed: Uint8Array) => formatCosignerVkey(name, COSIGNATURE_V1, ed25519.getPublicKey(seed));

export function witnessVkeyCommand(args: WitnessArgs, out: NodeJS.WritableStream = process.stdout): number {
  out.write(`${vkeyOf(args.name ?? DEFAULT_WITNESS_NAME, loadWitnessKey(args.keyFile))}\n`);
  return 0;
}

/** Serves until SIGINT or SIGTERM; prints `witness <vkey> listening on <url>` once it listens. */
export async function witnessServeCommand(args: WitnessArgs): Promise<number> {
  if (args.logs.length === 0) throw new UsageError('witness serve needs at least one --log <vkey> of a log to follow');
  const name = args.name ?? DEFAULT_WITNESS_NAME;
  // Digits only: Number() would read 1e3 as 1000, 0x50 as 80 and '' as 0 (any port).
  const port = args.port === undefined ? 0 : /^[0-9]{1,5}$/.test(args.port) ? Number(args.port) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be a TCP port (0 to 65535), not ${JSON.stringify(args.port)}`);
  const host = args.host ?? '127.0.0.1';
  const logs = await Promise.all(args.logs.map((l) => readVkey(l)));
  // A port already taken is found before the key file or the data directory is made (listen below still reports a race).
  if (port !== 0) {
    const probe = createServer();
    await listen(probe, port, host);
    await new Promise((done) => probe.close(done));
  }
  // The data directory first: one that cannot be made or read stops the start before a key file is made.
  const state = new WitnessState(resolve(args.dataDir ?? './witness-data'));
  const secretKey = loadWitnessKey(args.keyFile, true);
  const witness = new Witness({
    name,
    secretKey,
    logs,
    state,
    log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  const vkey = vkeyOf(name, secretKey);
  const server = witnessServer(witness, vkey);
  await listen(server, port, host);
  const { port: bound } = server.address() as { port: number };
  process.stdout.write(`witness ${vkey} listening on http://${host}:${bound}\n`);
  await new Promise<void>((done) => {
    const stop = () => server.close(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
