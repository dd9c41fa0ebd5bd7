// A synthetic but realistic ledger for the 1M-event figures, made with the ledger's own code: the domain deciders
// decide the events, the SQLite store hashes and chains them, the Merkle log integrates them and signs a checkpoint,
// and the export is written as `sandbox-ledger export` writes it.
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { hashApiKey } from '../auth/api-key.js';
import { identityDecider } from '../auth/identity.decider.js';
import { principalStream } from '../auth/identity.events.js';
import { filingDecider, type FilingState } from '../filing/filing.decider.js';
import { contentStream, filingStream, type FilingDetails } from '../filing/filing.events.js';
import type { LabelsDeclaredData } from '../labeling/labeling.events.js';
import type { EventStore, StreamAppend } from '../ledger/event-store/event-store.port.js';
import { MerkleLog } from '../ledger/log/merkle-log.js';
import * as treeStores from '../ledger/log/merkle-tree.store.js';
import { nativeSha256 } from '../ledger/native-sha256.js';
import { loadSigningKey, type SigningKey } from '../ledger/log/signing-key.js';
import { CommitClock } from '../ledger/event-store/append-planning.js';
import { SqliteEventStore } from '../ledger/event-store/sqlite-event-store.js';
import { LedgerWriter } from '../ledger/write/ledger-writer.js';
import { formatCheckpointBody } from '../verifier/checkpoint.js';
import { exportText, type JsonObject } from '../verifier/envelope.js';
import { formatVkey, signNote } from '../verifier/note.js';

export const ORIGIN = 'bench.sandbox-ledger.local/log';

type TreeStore = ConstructorParameters<typeof MerkleLog>[1] & { close(): unknown };
/** The embedded (SQLite) Merkle tree store, whichever name this build gives it (MerkleTreeStore before the store port). */
const SqliteTrees = ((treeStores as Record<string, unknown>).SqliteMerkleTreeStore ??
  (treeStores as Record<string, unknown>).MerkleTreeStore) as { open(file: string): TreeStore };

export interface Ledger {
  dataDir: string;
  events: number;
  streams: number;
  filings: number;
  exportFile: string;
  exportBytes: number;
  checkpointFile: string;
  vkey: string;
  /** A prefix of the export with its own signed checkpoint, to show verifier memory against log size. */
  prefix: { events: number; exportFile: string; exportBytes: number; checkpointFile: string };
  /** The perceptual hashes filed, for the near-duplicate figure. */
  phashes: Array<{ filingId: string; creator: string; leafIndex: number; value: string }>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const meta = (actor: string): JsonObject => ({ actor });

function filingDetails(filingId: string, creator: string, n: number): FilingDetails {
  return {
    filingId,
    creator,
    contentHash: hex(32),
    contentType: n % 5 === 0 ? 'text/plain' : 'image/png',
    title: `Synthetic work ${n}`,
    generation: {
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      tool: { name: 'Stable Diffusion', version: '3.5', provider: 'Stability AI' },
      promptHash: hex(32),
      negativePromptHash: n % 2 ? hex(32) : null,
      parametersHash: hex(32),
      parameters: { steps: 30, cfg: 7.5, sampler: 'euler' },
      seed: String(n * 7919),
      iterations: 1 + (n % 20),
      humanContribution: 'Wrote and refined the prompt, selected one of many candidates and repainted parts by hand.',
    },
    processEvidence: n % 3 ? [{ sha256: hex(32), kind: 'draft', description: 'first draft', createdAt: '2024-11-28T10:00:00.000Z' }] : [],
    perceptualHash: { scheme: 'phash64', value: hex(8) },
  };
}

function labels(filingId: string, creator: string, at: Date): LabelsDeclaredData {
  return {
    filingId,
    version: 1,
    modality: 'image',
    explicit: { text: 'AI生成', placement: ['bottom-right'], displaySeconds: null, textHeightRatio: 0.06, audioCue: null, rhythm: null },
    implicit: {
      AIGC: {
        Label: '1',
        ContentProducer: creator.slice(0, 16),
        ProduceID: filingId,
        ReservedCode1: '',
        ContentPropagator: 'SANDBOXLEDGER',
        PropagateID: filingId,
        ReservedCode2: '',
      },
    },
    digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
    c2paManifestHash: null,
    declaredAt: at.toISOString(),
  };
}

/** Commands decided a second apart and committed together: their events are within this many seconds of their commit. */
const ROUND = 500;

/**
 * Appends `total` events: 100 creators, then filings (ContentReserved + WorkFiled), about a third of them labelled later
 * and one in thirty withdrawn, in rounds of up to ROUND concurrent commands (one group commit each).
 */
async function fill(
  store: EventStore,
  clock: Date,
  total: number,
  phashes: Ledger['phashes'],
  onProgress: (n: number) => void,
): Promise<number> {
  const tick = () => new Date(clock.setTime(clock.getTime() + 1000));
  const writer = new LedgerWriter(store);
  const creators: string[] = [];
  let count = 0;
  for (let i = 0; i < 100 && count + 2 <= total; i++) {
    const principalId = uuidv7();
    const events = identityDecider.decide(
      {
        type: 'RegisterPrincipal',
        principalId,
        name: `creator ${i}`,
        roles: ['creator'],
        keyId: uuidv7(),
        keyHash: hashApiKey(hex(32)),
        now: tick(),
      },
      identityDecider.initialState(),
    );
    await writer.append([
      {
        stream: principalStream(principalId),
        expectedRevision: 'no-stream',
        events: events.map((e) => ({ ...e, meta: meta(principalId) })),
      },
    ]);
    creators.push(principalId);
    count += events.length;
  }
  const recent: Array<{ filingId: string; creator: string; revision: number }> = []; // filings that may still get labels or a withdrawal
  let filings = 0;
  while (count < total) {
    const round: Array<Promise<unknown>> = [];
    for (let c = 0; c < ROUND && count < total; c++) {
      const remaining = total - count;
      const r = Math.random();
      if (remaining >= 2 && (r < 0.6 || recent.length < 100)) {
        const filingId = uuidv7();
        const creator = creators[filings % creators.length];
        const filing = filingDetails(filingId, creator, filings++);
        const state: FilingState = filingDecider.initialState();
        const [filed] = filingDecider.decide({ type: 'FileWork', filing, now: tick() }, state);
        const appends: StreamAppend[] = [
          {
            stream: contentStream(filing.contentHash),
            expectedRevision: 'no-stream',
            events: [{ type: 'ContentReserved', data: { contentHash: filing.contentHash, filingId, creator }, meta: meta(creator) }],
          },
          {
            stream: filingStream(filingId),
            expectedRevision: 'no-stream',
            events: [{ type: filed.type, data: filed.data, meta: meta(creator) }],
          },
        ];
        round.push(
          writer.append(appends).then((res) => {
            phashes.push({ filingId, creator, leafIndex: res.lastPosition, value: filing.perceptualHash!.value });
            recent.push({ filingId, creator, revision: 0 });
            if (recent.length > 20_000) recent.splice(0, 10_000);
          }),
        );
        count += 2;
      } else if (recent.length > 0) {
        // A later event on an earlier filing: its labels (most often) or its withdrawal, at the filing's next revision.
        const f = recent.splice(Math.floor(Math.random() * recent.length), 1)[0];
        const withdraw = r > 0.97;
        const [event] = withdraw
          ? filingDecider.decide(
              { type: 'WithdrawFiling', filingId: f.filingId, actor: f.creator, reason: 'withdrawn by the creator', now: tick() },
              { ...filingDecider.initialState(), status: 'active', creator: f.creator },
            )
          : [{ type: 'LabelsDeclared', data: labels(f.filingId, f.creator, tick()) as unknown as JsonObject }];
        round.push(
          writer
            .append([
              {
                stream: filingStream(f.filingId),
                expectedRevision: f.revision,
                events: [{ type: event.type, data: event.data, meta: meta(f.creator) }],
              },
            ])
            .then(() => {
              if (!withdraw) recent.push({ ...f, revision: f.revision + 1 });
            }),
        );
        count += 1;
      } else break;
    }
    await Promise.all(round);
    onProgress(count);
  }
  return filings;
}

async function writeExport(
  store: EventStore,
  file: string,
  prefixFile: string,
  prefixSize: number,
): Promise<{ bytes: number; prefixBytes: number }> {
  const out = createWriteStream(file);
  const prefix = createWriteStream(prefixFile);
  let bytes = 0;
  let prefixBytes = 0;
  for (let position = 0; ;) {
    const batch = await store.readAll(position, { limit: 5000 });
    if (batch.length === 0) break;
    const text = exportText(batch);
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
    if (position < prefixSize) {
      const part = exportText(batch.slice(0, prefixSize - position));
      prefixBytes += Buffer.byteLength(part);
      if (!prefix.write(part)) await once(prefix, 'drain');
    }
    position += batch.length;
  }
  out.end();
  prefix.end();
  await Promise.all([once(out, 'finish'), once(prefix, 'finish')]);
  return { bytes, prefixBytes };
}

/** Signs a checkpoint of the first `treeSize` leaves with the log key (the log itself only signs its current head). */
async function checkpointAt(log: MerkleLog, key: SigningKey, treeSize: number): Promise<string> {
  const rootHash = await log.root(treeSize);
  return signNote(formatCheckpointBody({ origin: ORIGIN, treeSize, rootHash, time: Math.floor(Date.now() / 1000) }), ORIGIN, key.secretKey);
}

/**
 * The ledger's Merkle log opened as a server opens its own: over the event store of `dataDir` and its tree, every leaf
 * integrated; the store and the log key may be given, already open and read. `close` stops the log and closes both stores.
 */
export async function openLedgerLog(
  dataDir: string,
  {
    store = SqliteEventStore.open(join(dataDir, 'events.sqlite')),
    key = loadSigningKey(dataDir),
  }: { store?: SqliteEventStore; key?: SigningKey } = {},
): Promise<{ log: MerkleLog; close: () => Promise<void> }> {
  const tree = SqliteTrees.open(join(dataDir, 'merkle.sqlite'));
  const close = async () => {
    await tree.close();
    await store.close();
  };
  const log = new MerkleLog(store, tree, key, ORIGIN, nativeSha256);
  try {
    await log.start(0); // integrates every leaf; no periodic signing
  } catch (err) {
    await close();
    throw err;
  }
  return {
    log,
    close: async () => {
      await log.stop();
      await close();
    },
  };
}

/** Files a generated ledger has; a directory without them is refused rather than given an empty ledger and a new key. */
export const GENERATED_FILES = ['events.sqlite', 'merkle.sqlite', 'log-signing.key'];

/** Builds the ledger in `dataDir` (events, Merkle tree, export files, checkpoints) and closes it. */
export async function generateLedger(dataDir: string, total: number, progress: (what: string) => void): Promise<Ledger> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = loadSigningKey(dataDir);
  // NORMAL while generating: how fast the fixture is written is not a figure, and nothing here must survive power loss.
  // The commits are stamped by the time the commands are decided at, one second apart from 2026-01-01, as a server
  // stamps them by its clock: each event's own time is within a round's seconds of its recordedAt, as verify checks.
  const clock = new Date('2026-01-01T00:00:00.000Z');
  const store = SqliteEventStore.open(join(dataDir, 'events.sqlite'), {
    synchronous: 'NORMAL',
    clock: new CommitClock(() => clock.getTime()),
  });
  const phashes: Ledger['phashes'] = [];
  let shown = 0;
  const filings = await fill(store, clock, total, phashes, (n) => {
    if (n - shown >= total / 10) {
      shown = n;
      progress(`  generated ${n} events`);
    }
  });
  const { log, close } = await openLedgerLog(dataDir, { store, key });
  const head = await log.checkpoint();
  progress(`  Merkle log: ${log.treeSize} leaves, checkpoint signed`);
  const exportFile = join(dataDir, 'export.ndjson');
  const prefixSize = Math.max(1, Math.floor(total / 10));
  const prefixFile = join(dataDir, 'export-prefix.ndjson');
  const { bytes, prefixBytes } = await writeExport(store, exportFile, prefixFile, prefixSize);
  const checkpointFile = join(dataDir, 'checkpoint.txt');
  writeFileSync(checkpointFile, head.note);
  const prefixCheckpoint = join(dataDir, 'checkpoint-prefix.txt');
  writeFileSync(prefixCheckpoint, await checkpointAt(log, key, prefixSize));
  let streams = 0;
  for (let position = 0; ;) {
    const batch = await store.readAll(position, { limit: 5000 });
    if (batch.length === 0) break;
    for (const e of batch) if (e.revision === 0) streams++;
    position += batch.length;
  }
  progress(`  export written: ${(bytes / 1e6).toFixed(0)} MB`);
  const events = await store.count();
  await close();
  return {
    dataDir,
    events,
    streams,
    filings,
    exportFile,
    exportBytes: bytes,
    checkpointFile,
    vkey: formatVkey(ORIGIN, key.publicKey),
    prefix: { events: prefixSize, exportFile: prefixFile, exportBytes: prefixBytes, checkpointFile: prefixCheckpoint },
    phashes,
  };
}
