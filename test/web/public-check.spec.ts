// The public page's checks (web/src/public-check.ts) on receipts made here with real keys and a real TSA (`openssl ts`):
// a witnessed, time-stamped checkpoint passes with each check named; too few witnesses, another file or another filing,
// a changed byte of a token fail at the right check; tokens are said to be unchecked where WebCrypto is missing.
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { startOpensslTsa, type OpensslTsa } from '../../src/bench/openssl-tsa.js';
import { fetchTimestamp, newNonce, sha256 } from '../../src/timestamp/rfc3161.js';
import { signCheckpoint } from '../../src/verifier/checkpoint.js';
import { COSIGNATURE_V1, formatCosignerVkey, ML_DSA_44, signCosignatureV1, signMlDsaCosignature } from '../../src/verifier/cosignature.js';
import { hexToBytes } from '../../src/verifier/envelope.js';
import { formatVkey, parseNote } from '../../src/verifier/note.js';
import { hashLeaf } from '../../src/verifier/rfc6962.js';
import { checkpointMessage, parsePemCertificates, verifyTimestampToken } from '../../src/verifier/timestamp-token.js';
import { type PublicReceipt, verifyPublicReceipt } from '../../web/src/public-check.js';
import { contentReservedEntry } from '../verifier/fixture.js';

const ORIGIN = 'log.example/console';
const CONTENT = 'ab'.repeat(32);
const FILING = '0b6f3c52-1d7e-4a53-9d40-3f1f1b6c2a10';
const logSeed = ed25519.utils.randomSecretKey();
const pq = ml_dsa44.keygen(new Uint8Array(32).fill(3));
const witnesses = ['witness.example/w1', 'witness.example/w2'].map((name) => ({ name, seed: ed25519.utils.randomSecretKey() }));
const NOW = 1_764_662_400;

let tsa: OpensslTsa;
/** A real token over the checkpoint of receiptFor(), and the time it states. */
let stamp: { time: number; token: string };
beforeAll(async () => {
  tsa = await startOpensslTsa('Test TSA');
  const message = checkpointMessage(receiptFor().receipt.checkpoint);
  const token = await fetchTimestamp(tsa.url, sha256(message), newNonce());
  const { time } = await verifyTimestampToken(token, message, parsePemCertificates(tsa.caPem));
  stamp = { time, token: Buffer.from(token).toString('base64') };
});
afterAll(() => tsa?.close());

/**
 * A one-entry log's receipt for ContentReserved of CONTENT, cosigned by the log's ML-DSA key and the given witnesses, with
 * the given time-stamps (and the TSA's CA when there are any).
 */
function receiptFor(cosigners = witnesses, timestamps: Array<{ time: number; token: string }> = []): PublicReceipt {
  const entry = contentReservedEntry(CONTENT, FILING);
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
      timestamps: timestamps.map((t) => ({ tsa: 'http://tsa.example/', ...t })),
    },
    keys: {
      log: formatVkey(ORIGIN, ed25519.getPublicKey(logSeed)),
      logMlDsa44: formatCosignerVkey(ORIGIN, ML_DSA_44, pq.publicKey),
      witnesses: witnesses.map((w) => formatCosignerVkey(w.name, COSIGNATURE_V1, ed25519.getPublicKey(w.seed))),
      witnessQuorum: 2,
      tsaCertificates: timestamps.length ? tsa.caPem : null,
    },
  };
}

/** `2025-12-02 08:00:02 UTC`. */
const utc = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

it("passes a witnessed, time-stamped receipt, naming each check, the witnesses, the TSA and its token's time", async () => {
  const v = await verifyPublicReceipt(CONTENT, receiptFor(witnesses, [stamp]));
  expect(v.ok).toBe(true);
  expect(v.checks.map((c) => [c.id, c.outcome])).toEqual([
    ['entry', 'passed'],
    ['signature', 'passed'],
    ['inclusion', 'passed'],
    ['pq', 'passed'],
    ['witnesses', 'passed'],
    ['tsa', 'passed'],
  ]);
  expect(v.checks.find((c) => c.id === 'witnesses')!.params).toEqual({
    count: 2,
    quorum: 2,
    names: 'witness.example/w1, witness.example/w2',
  });
  expect(v.checks.find((c) => c.id === 'tsa')).toEqual({
    id: 'tsa',
    outcome: 'passed',
    params: { count: 1, authorities: 'Test TSA', times: utc(stamp.time) },
  });
  expect(v).toMatchObject({ treeSize: 1, leafIndex: 0, checkpointTime: NOW, entryType: 'ContentReserved' });
});

it('fails at the TSA check when a byte of the token is changed, or its listed time is not its own', async () => {
  const der = Buffer.from(stamp.token, 'base64');
  for (const at of [40, der.length - 20]) {
    const changed = Buffer.from(der);
    changed[at] ^= 0x01;
    const v = await verifyPublicReceipt(CONTENT, receiptFor(witnesses, [{ time: stamp.time, token: changed.toString('base64') }]));
    expect(v.ok).toBe(false);
    expect(v.checks.at(-1)).toMatchObject({ id: 'tsa', outcome: 'failed', params: { reason: expect.stringMatching(/^time-stamp 1/) } });
  }
  const late = await verifyPublicReceipt(CONTENT, receiptFor(witnesses, [{ ...stamp, time: stamp.time + 1 }]));
  expect(late.checks.at(-1)).toMatchObject({ id: 'tsa', outcome: 'failed', params: { reason: expect.stringMatching(/is listed at/) } });
  const noCa = { ...receiptFor(witnesses, [stamp]) };
  noCa.keys = { ...noCa.keys, tsaCertificates: null };
  expect((await verifyPublicReceipt(CONTENT, noCa)).checks.at(-1)).toMatchObject({ id: 'tsa', outcome: 'failed' });
});

it('says a checkpoint carries no time-stamp', async () => {
  const v = await verifyPublicReceipt(CONTENT, receiptFor());
  expect(v.ok).toBe(true);
  expect(v.checks.at(-1)).toEqual({ id: 'tsa', outcome: 'skipped', variant: 'none', params: {} });
});

it('says the tokens are not checked, and claims nothing of them, where the runtime offers no WebCrypto (crypto.subtle)', async () => {
  const changed = Buffer.from(stamp.token, 'base64');
  changed[40] ^= 0x01;
  const receipts = [stamp.token, changed.toString('base64')].map((token) => receiptFor(witnesses, [{ time: stamp.time, token }]));
  const own = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  // As a browser outside a secure context: crypto.getRandomValues, but no crypto.subtle.
  Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues: (a: Uint8Array) => a }, configurable: true });
  try {
    for (const receipt of receipts) {
      const v = await verifyPublicReceipt(CONTENT, receipt);
      expect(v.ok).toBe(true);
      expect(v.checks.at(-1)).toEqual({
        id: 'tsa',
        outcome: 'skipped',
        variant: 'unavailable',
        params: { count: 1, times: utc(stamp.time) },
      });
    }
  } finally {
    if (own) Object.defineProperty(globalThis, 'crypto', own);
    else delete (globalThis as { crypto?: unknown }).crypto;
  }
  expect(globalThis.crypto.subtle).toBeDefined();
});

it('fails when fewer witnesses cosigned than the quorum', async () => {
  const v = await verifyPublicReceipt(CONTENT, receiptFor(witnesses.slice(0, 1)));
  expect(v.ok).toBe(false);
  expect(v.checks.at(-1)).toMatchObject({
    id: 'witnesses',
    outcome: 'failed',
    params: { reason: expect.stringMatching(/1 valid witness/) },
  });
});

it("fails at the entry for another file's hash or another filing, before any signature is trusted", async () => {
  expect((await verifyPublicReceipt('cd'.repeat(32), receiptFor())).checks).toEqual([
    {
      id: 'entry',
      outcome: 'failed',
      params: { reason: "the entry (ContentReserved) does not name this file's hash" },
      fault: { code: 'not-this-file', type: 'ContentReserved' },
    },
  ]);
  const other = { ...receiptFor(), filingId: '11111111-1d7e-4a53-9d40-3f1f1b6c2a10' };
  expect((await verifyPublicReceipt(CONTENT, other)).checks[0]).toMatchObject({ id: 'entry', outcome: 'failed' });
});

it("fails at the ML-DSA-44 check when the log's post-quantum cosignature is missing", async () => {
  const r = receiptFor();
  r.receipt.checkpoint = r.receipt.checkpoint
    .split('\n')
    .filter((l, i, all) => !(l.startsWith(`— ${ORIGIN} `) && all.slice(0, i).some((x) => x.startsWith(`— ${ORIGIN} `))))
    .join('\n');
  const v = await verifyPublicReceipt(CONTENT, r);
  expect(v.checks.at(-1)).toMatchObject({ id: 'pq', outcome: 'failed' });
});
