// A small, hand-built log: envelopes chained per stream, their Merkle tree, and signed checkpoints over it.
import { createHash } from 'node:crypto';
import { computeEventHash, ZERO_HASH, type EventEnvelope, type JsonObject } from '../../src/verifier/envelope.js';
import { signCheckpoint } from '../../src/verifier/checkpoint.js';
import { formatVkey } from '../../src/verifier/note.js';
import { hashLeaf } from '../../src/verifier/rfc6962.js';
import { rootFromLeafHashes } from '../support/merkle-tree.js';
import { newKey, type TestKey } from './keys.js';
import { unhex } from './vectors.js';

export const ORIGIN = 'ledger.example/test-log';

/**
 * Envelope `i` of the log, chained to the previous event of its stream; leafIndex = i. Recorded `i` seconds into 2026
 * unless its spec gives its `recordedAt`.
 */
export function buildLog(spec: { stream: string; type: string; data: JsonObject; recordedAt?: string }[]): EventEnvelope[] {
  const heads = new Map<string, { revision: number; hash: string }>();
  return spec.map(({ stream, type, data, recordedAt }, i) => {
    const head = heads.get(stream);
    const body = {
      v: 1 as const,
      id: `0190a0b0-0000-7000-8000-${String(i).padStart(12, '0')}`,
      stream,
      revision: head ? head.revision + 1 : 0,
      type,
      data,
      meta: { actor: 'user-1' },
      recordedAt: recordedAt ?? recordedAtOf(i),
      prevHash: head ? head.hash : ZERO_HASH,
    };
    const hash = computeEventHash(body);
    heads.set(stream, { revision: body.revision, hash });
    return { ...body, hash, leafIndex: i };
  });
}

/**
 * The events hashed and chained again from event `from` on (a copy; the events before it as they are), as the log's
 * operator could after changing one: each stream's later events chained to their predecessor's new hash.
 */
export function rechain(events: EventEnvelope[], from = 0): EventEnvelope[] {
  const heads = new Map<string, string>();
  return events.map((e, i) => {
    const copy = structuredClone(e);
    if (i >= from && copy.revision > 0) copy.prevHash = heads.get(copy.stream)!;
    if (i >= from) copy.hash = computeEventHash(copy);
    heads.set(copy.stream, copy.hash);
    return copy;
  });
}

export const leafHashesOf = (events: EventEnvelope[]) => events.map((e) => hashLeaf(unhex(e.hash)));

/** When buildLog records event `i` by default: `i` seconds into 2026. */
export const recordedAtOf = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** The data of a WorkFiled as the filing handler writes it (every field of the event catalogue), filed at `filedAt`. */
export function workFiledData(filingId: string, filedAt: string, overrides: JsonObject = {}): JsonObject {
  return {
    filingId,
    creator: 'user-1',
    contentHash: sha256Hex(`content of ${filingId}`),
    contentType: 'image/png',
    title: `work ${filingId}`,
    generation: {
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      tool: { name: 'Stable Diffusion', version: '3.5', provider: null },
      promptHash: sha256Hex(`prompt of ${filingId}`),
      negativePromptHash: null,
      parametersHash: null,
      parameters: null,
      seed: null,
      iterations: null,
      humanContribution: 'selection',
    },
    processEvidence: [],
    perceptualHash: null,
    filedAt,
    ...overrides,
  };
}

/** The data of a LabelsDeclared as the labelling handler writes it: an image's labels, declared at `declaredAt`. */
export function labelsDeclaredData(filingId: string, declaredAt: string, version = 1): JsonObject {
  return {
    filingId,
    version,
    modality: 'image',
    explicit: { text: 'AI生成', placement: ['bottom-right'], displaySeconds: null, textHeightRatio: 0.06, audioCue: null, rhythm: null },
    implicit: {
      AIGC: {
        Label: '1',
        ContentProducer: 'ACME-AI',
        ProduceID: filingId,
        ReservedCode1: '',
        ContentPropagator: 'ledger',
        PropagateID: filingId,
        ReservedCode2: '',
      },
    },
    digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
    c2paManifestHash: null,
    declaredAt,
  };
}

/**
 * An event of the catalogue for any stream name: a FilingAmended of filing `name` (so in stream `filing-<name>`) as
 * event `n` of a log buildLog records (amended when it is recorded), titled `take n`; a test that changes an event
 * changes its title.
 */
export const amendment = (name: string, n: number, title = `take ${n}`) => ({
  stream: `filing-${name}`,
  type: 'FilingAmended',
  data: { filingId: name, title, addedProcessEvidence: [], humanContributionNote: null, amendedAt: recordedAtOf(n) } as JsonObject,
});

/** One filing amended `times` times with long titles, some 690 bytes an event (8,000 of them: 5.5 MB, six 1 MiB chunks). */
export const longAmendedLog = (times: number): EventEnvelope[] =>
  buildLog([
    { stream: 'filing-0', type: 'WorkFiled', data: workFiledData('0', recordedAtOf(0)) },
    ...Array.from({ length: times }, (_, i) => amendment('0', i + 1, `take ${i + 1} ${'x'.repeat(200)}`)),
  ]);

/**
 * An event of the catalogue with a number and a text to change: a distribution copy of filing `name` registered with its
 * label found at `location`, `distance` bits from the filed work.
 */
export const copyRegistered = (name: string, distance: number, location: string) => ({
  stream: `filing-${name}`,
  type: 'CopyRegistered',
  data: {
    filingId: name,
    copy: {
      sha256: sha256Hex(`copy of ${name}`),
      size: 1024,
      sniffedType: 'image/png',
      perceptualHash: { scheme: 'phash64', value: 'ffff0000ffff0000' },
    },
    label: {
      Label: '1',
      ContentProducer: 'ACME-AI',
      ProduceID: name,
      ReservedCode1: '',
      ContentPropagator: 'ledger',
      PropagateID: name,
      ReservedCode2: '',
    },
    location,
    distance,
    threshold: 8,
    policyVersion: 1,
    registeredAt: recordedAtOf(0),
  } as JsonObject,
});

/** Twelve events in three filing streams: three works filed, then amendments of their titles. */
export function sampleLog(): EventEnvelope[] {
  const spec = [];
  for (let i = 0; i < 12; i++) {
    const filingId = String(i % 3);
    const at = recordedAtOf(i);
    spec.push(
      i < 3
        ? { stream: `filing-${filingId}`, type: 'WorkFiled', data: workFiledData(filingId, at) }
        : {
            stream: `filing-${filingId}`,
            type: 'FilingAmended',
            data: { filingId, title: `work ${filingId}, take ${i}`, addedProcessEvidence: [], humanContributionNote: null, amendedAt: at },
          },
    );
  }
  return buildLog(spec);
}

export interface Signer {
  key: TestKey;
  vkey: string;
  checkpoint(events: EventEnvelope[], size?: number): string;
}

export function newSigner(origin = ORIGIN): Signer {
  const key = newKey();
  return {
    key,
    vkey: formatVkey(origin, key.publicKey),
    checkpoint: (events, size = events.length) =>
      signCheckpoint(
        { origin, treeSize: size, rootHash: rootFromLeafHashes(leafHashesOf(events.slice(0, size))), time: 1767225600 + size },
        key.secretKey,
      ),
  };
}

export const ndjson = (events: unknown[]) => events.map((e) => JSON.stringify(e));

/** The first event of a one-entry log: the ContentReserved of `contentHash` for `filingId`, at leaf 0. */
export function contentReservedEntry(contentHash: string, filingId: string): EventEnvelope {
  const body = {
    v: 1 as const,
    id: '0b6f3c52-0000-4a53-9d40-3f1f1b6c2a10',
    stream: `content-${contentHash}`,
    revision: 0,
    type: 'ContentReserved',
    data: { contentHash, filingId, creator: 'p-1' },
    meta: { actor: 'p-1' },
    recordedAt: '2025-12-02T08:00:00.000Z',
    prevHash: ZERO_HASH,
  };
  return { ...body, hash: computeEventHash(body), leafIndex: 0 };
}
