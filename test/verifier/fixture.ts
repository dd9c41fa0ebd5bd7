// A small, hand-built log: envelopes chained per stream, their Merkle tree, and signed checkpoints over it.
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
      recordedAt: recordedAt ?? new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      prevHash: head ? head.hash : ZERO_HASH,
    };
    const hash = computeEventHash(body);
    heads.set(stream, { revision: body.revision, hash });
    return { ...body, hash, leafIndex: i };
  });
}

export const leafHashesOf = (events: EventEnvelope[]) => events.map((e) => hashLeaf(unhex(e.hash)));

export function sampleLog(): EventEnvelope[] {
  const spec = [];
  for (let i = 0; i < 12; i++)
    spec.push({
      stream: `filing-${i % 3}`,
      type: i < 3 ? 'WorkFiled' : 'LabelDeclared',
      data: { n: i, title: `work ${i % 3}`, tags: ['a', i] },
    });
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
