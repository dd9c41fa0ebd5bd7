// BENCH_ONLY=witness: what witnesses and a TSA cost. Two witnesses (processes of the compiled CLI, quorum 2) and an
// openssl TSA on loopback; the latency from a committed filing to a cosigned checkpoint covering it, the TSA's token
// latency, and filings/s with and without witnesses (the write path must not wait for them).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fetchTimestamp, newNonce, sha256 } from '../timestamp/rfc3161.js';
import { checkpointMessage, parsePemCertificates, verifyTimestampToken } from '../verifier/timestamp-token.js';
import { type CheckpointTrust, parseCosignerVkey, verifyCosignedCheckpoint } from '../verifier/cosignature.js';
import { formatVkey } from '../verifier/note.js';
import { quantile } from './figures.js';
import { benchFilingBody, benchLedger, type HttpFigure, type HttpOptions, withLedger } from './http.js';
import { type OpensslTsa, startOpensslTsa } from './openssl-tsa.js';
import { ROOT } from './processes.js';

export interface WitnessFigures {
  checkpoint: { samples: number; medianMs: number; p99Ms: number };
  tsa: { samples: number; medianMs: number; p99Ms: number };
  /** One figure per round, the rounds alternating between the two. */
  without: HttpFigure[];
  with: HttpFigure[];
}

const ORIGIN = 'bench.sandbox-ledger.local/log';

async function startWitness(dir: string, name: string, logVkey: string): Promise<{ vkey: string; url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'sandbox-ledger.js'),
      'witness',
      'serve',
      '--key',
      join(dir, `${name}.key`),
      '--name',
      `witness.bench/${name}`,
      '--data-dir',
      join(dir, name),
      '--log',
      logVkey,
    ],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const { vkey, url } = await new Promise<{ vkey: string; url: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /^witness (\S+) listening on (\S+)$/m.exec(out);
      if (m) resolve({ vkey: m[1], url: m[2] });
    });
    child.on('exit', (code) => reject(new Error(`witness ${name} exited with ${code}`)));
  });
  return {
    vkey,
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { samples: sorted.length, medianMs: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
};

/** A fresh log key and two fresh witnesses following it: each ledger the bench starts is a new log to them. */
export async function withWitnesses<T>(
  tsa: OpensslTsa,
  work: (env: Record<string, string>, trust: CheckpointTrust) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-witness-'));
  const seed = ed25519.utils.randomSecretKey();
  const logVkey = formatVkey(ORIGIN, ed25519.getPublicKey(seed));
  const witnesses = await Promise.all([startWitness(dir, 'w1', logVkey), startWitness(dir, 'w2', logVkey)]);
  try {
    return await work(
      {
        LEDGER_ORIGIN: ORIGIN,
        LEDGER_SIGNING_KEY: Buffer.from(seed).toString('base64'),
        LEDGER_WITNESSES: witnesses.map((w) => `${w.vkey} ${w.url}`).join(','),
        LEDGER_WITNESS_QUORUM: '2',
        LEDGER_TSA_URLS: tsa.url,
        LEDGER_TSA_CA_FILE: tsa.caFile,
        LEDGER_TSA_INTERVAL_S: '1',
        LEDGER_PUBLIC_RATE_LIMIT: '1000000', // the latency loop reads the public checkpoint far more often than a client would
      },
      { vkey: logVkey, witnesses: witnesses.map((w) => parseCosignerVkey(w.vkey)), quorum: 2 },
    );
  } finally {
    await Promise.all(witnesses.map((w) => w.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchWitnesses(
  http: HttpOptions,
  samples: number,
  rounds: number,
  log: (s: string) => void,
): Promise<WitnessFigures> {
  const tsa = await startOpensslTsa('Bench TSA');
  try {
    log(`witness 1/4 checkpoint latency: a filing, then GET /v1/ledger/checkpoint until cosigned by both witnesses (${samples} samples)`);
    const checkpointMs = await withWitnesses(tsa, (env, trust) =>
      withLedger('FULL', env, async (server, creatorKey) => {
        const out: number[] = [];
        for (let i = 0; i < samples; i++) {
          const res = await fetch(`${server.url}/v1/filings`, {
            method: 'POST',
            headers: { authorization: `Bearer ${creatorKey}`, 'content-type': 'application/json' },
            body: benchFilingBody(i),
          });
          if (res.status !== 201) throw new Error(`filing failed: ${res.status} ${await res.text()}`);
          const { leafIndex } = (await res.json()) as { leafIndex: number };
          const started = performance.now();
          for (;;) {
            if (performance.now() - started > 30_000) throw new Error(`no cosigned checkpoint covered leaf ${leafIndex} within 30 s`);
            const served = await fetch(`${server.url}/v1/ledger/checkpoint`);
            if (served.status !== 200) throw new Error(`GET /v1/ledger/checkpoint answered ${served.status}`);
            const verified = verifyCosignedCheckpoint(await served.text(), trust);
            if (verified.ok && verified.checkpoint.treeSize > leafIndex) break;
          }
          out.push(performance.now() - started);
        }
        return out;
      }),
    );

    log(`witness 2/4 TSA token latency: request, openssl ts -reply, verification (${Math.min(samples, 100)} samples)`);
    const cas = parsePemCertificates(tsa.caPem);
    const tsaMs: number[] = [];
    for (let i = 0; i < Math.min(samples, 100); i++) {
      const note = `${ORIGIN}\n${i}\n${randomBytes(32).toString('base64')}\n\n\u2014 x AAAAAAA=\n`;
      const message = checkpointMessage(note);
      const nonce = newNonce();
      const started = performance.now();
      await verifyTimestampToken(await fetchTimestamp(tsa.url, sha256(message), nonce), message, cas, nonce);
      tsaMs.push(performance.now() - started);
    }

    // Alternated, on a machine others share: a single pair of runs differs by more than what is measured.
    const without: HttpFigure[] = [];
    const attested: HttpFigure[] = [];
    for (let round = 1; round <= rounds; round++) {
      log(`witness 3/4 HTTP (${round}/${rounds}): POST /v1/filings, durable, no witness and no TSA`);
      const { output: _plain, ...plain } = await benchLedger(http, 'FULL');
      without.push(plain);
      log(`witness 4/4 HTTP (${round}/${rounds}): POST /v1/filings, durable, 2 witnesses (quorum 2) and a TSA every second`);
      const { output: _attested, ...withThem } = await withWitnesses(tsa, (env) => benchLedger(http, 'FULL', env));
      attested.push(withThem);
    }
    return { checkpoint: stats(checkpointMs), tsa: stats(tsaMs), without, with: attested };
  } finally {
    await tsa.close();
  }
}
