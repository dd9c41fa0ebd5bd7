// The public page's checks (web/src/public-check.ts) on receipts made here with real keys: a witnessed, time-stamped
// checkpoint passes with each check named; too few witnesses, another file or another filing fail at the right check.
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { signCheckpoint } from '../../src/verifier/checkpoint.js';
import { COSIGNATURE_V1, formatCosignerVkey, ML_DSA_44, signCosignatureV1, signMlDsaCosignature } from '../../src/verifier/cosignature.js';
import { computeEventHash, type EventEnvelope, hexToBytes, ZERO_HASH } from '../../src/verifier/envelope.js';
import { formatVkey, parseNote } from '../../src/verifier/note.js';
import { hashLeaf } from '../../src/verifier/rfc6962.js';
import { type PublicReceipt, verifyPublicReceipt } from '../../web/src/public-check.js';

const ORIGIN = 'log.example/console';
const CONTENT = 'ab'.repeat(32);
const FILING = '0b6f3c52-1d7e-4a53-9d40-3f1f1b6c2a10';
const logSeed = ed25519.utils.randomSecretKey();
const pq = ml_dsa44.keygen(new Uint8Array(32).fill(3));
const witnesses = ['witness.example/w1', 'witness.example/w2'].map((name) => ({ name, seed: ed25519.utils.randomSecretKey() }));
const NOW = 1_764_662_400;

/** A one-entry log's receipt for ContentReserved of CONTENT, cosigned by the log's ML-DSA key and the given witnesses. */
function receiptFor(cosigners = witnesses): PublicReceipt {
  const body = {
    v: 1 as const,
    id: '0b6f3c52-0000-4a53-9d40-3f1f1b6c2a10',
    stream: `content-${CONTENT}`,
    revision: 0,
    type: 'ContentReserved',
    data: { contentHash: CONTENT, filingId: FILING, creator: 'p-1' },
    meta: { actor: 'p-1' },
    recordedAt: '2025-12-02T08:00:00.000Z',
    prevHash: ZERO_HASH,
  };
  const entry: EventEnvelope = { ...body, hash: computeEventHash(body), leafIndex: 0 };
  let note = signCheckpoint({ origin: ORIGIN, treeSize: 1, rootHash: hashLeaf(hexToBytes(entry.hash)), time: NOW }, logSeed);
  const text = (parseNote(note) as { text: string }).text;
  note += signMlDsaCosignature(text, ORIGIN, pq, NOW);
  for (const w of cosigners) note += signCosignatureV1(text, w.name, w.seed, NOW + 1);
  return {
    contentHash: CONTENT,
    match: 'content',
    filingId: FILING,
    receipt: {
      entry,
      leafIndex: 0,
      treeSize: 1,
      inclusionProof: { leafIndex: 0, treeSize: 1, hashes: [] },
      checkpoint: note,
      timestamps: [{ tsa: 'http://tsa.example/', time: NOW + 2, token: 'AAAA' }],
    },
    keys: {
      log: formatVkey(ORIGIN, ed25519.getPublicKey(logSeed)),
      logMlDsa44: formatCosignerVkey(ORIGIN, ML_DSA_44, pq.publicKey),
      witnesses: witnesses.map((w) => formatCosignerVkey(w.name, COSIGNATURE_V1, ed25519.getPublicKey(w.seed))),
      witnessQuorum: 2,
      tsaCertificates: null,
    },
  };
}

it('passes a witnessed, time-stamped receipt, naming each check, the witnesses and the carried time-stamp', () => {
  const v = verifyPublicReceipt(CONTENT, receiptFor());
  expect(v.ok).toBe(true);
  expect(v.checks.map((c) => [c.id, c.outcome])).toEqual([
    ['entry', 'passed'],
    ['signature', 'passed'],
    ['inclusion', 'passed'],
    ['pq', 'passed'],
    ['witnesses', 'passed'],
    ['tsa', 'skipped'],
  ]);
  expect(v.checks.find((c) => c.id === 'witnesses')!.params).toEqual({
    count: 2,
    quorum: 2,
    names: 'witness.example/w1, witness.example/w2',
  });
  expect(v.checks.find((c) => c.id === 'tsa')).toMatchObject({
    variant: undefined,
    params: { count: 1, times: '2025-12-02T08:00:02.000Z' },
  });
  expect(v).toMatchObject({ treeSize: 1, leafIndex: 0, checkpointTime: NOW, entryType: 'ContentReserved' });
});

it('fails when fewer witnesses cosigned than the quorum', () => {
  const v = verifyPublicReceipt(CONTENT, receiptFor(witnesses.slice(0, 1)));
  expect(v.ok).toBe(false);
  expect(v.checks.at(-1)).toMatchObject({
    id: 'witnesses',
    outcome: 'failed',
    params: { reason: expect.stringMatching(/1 valid witness/) },
  });
});

it("fails at the entry for another file's hash or another filing, before any signature is trusted", () => {
  expect(verifyPublicReceipt('cd'.repeat(32), receiptFor()).checks).toEqual([
    { id: 'entry', outcome: 'failed', params: { reason: "the entry (ContentReserved) does not name this file's hash" } },
  ]);
  const other = { ...receiptFor(), filingId: '11111111-1d7e-4a53-9d40-3f1f1b6c2a10' };
  expect(verifyPublicReceipt(CONTENT, other).checks[0]).toMatchObject({ id: 'entry', outcome: 'failed' });
});

it("fails at the ML-DSA-44 check when the log's post-quantum cosignature is missing", () => {
  const r = receiptFor();
  r.receipt.checkpoint = r.receipt.checkpoint
    .split('\n')
    .filter((l, i, all) => !(l.startsWith(`— ${ORIGIN} `) && all.slice(0, i).some((x) => x.startsWith(`— ${ORIGIN} `))))
    .join('\n');
  const v = verifyPublicReceipt(CONTENT, r);
  expect(v.checks.at(-1)).toMatchObject({ id: 'pq', outcome: 'failed' });
});
