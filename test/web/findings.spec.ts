// The console's other findings in its languages (web/src/i18n/findings.ts): the checkpoint monitor's alarms, the public
// page's failed checks, and why time-stamps or TSA CA certificates do not check. Every code has a wording in each
// language, the English is the verifier's own reason, and the Chinese names the same values with no English but
// identifiers (or the verifier's English after a Chinese lead-in, where a detail is in English only). The faults are the
// verifier's own, from proofs, checkpoints, receipts and time-stamps changed in each way.
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { signCheckpoint } from '../../src/verifier/checkpoint.js';
import {
  COSIGNATURE_V1,
  formatCosignerVkey,
  ML_DSA_44,
  parseCosignerVkey,
  signCosignatureV1,
  signMlDsaCosignature,
  verifyCosignedCheckpoint,
  type CosignedFault,
} from '../../src/verifier/cosignature.js';
import { computeEventHash, hexToBytes, type EventEnvelope } from '../../src/verifier/envelope.js';
import { verifyConsistencyBetweenCheckpoints, type ConsistencyFault } from '../../src/verifier/export-verifier.js';
import { parseNote } from '../../src/verifier/note.js';
import { checkConsistency, checkInclusion, hashLeaf, PROOF_FAULT_CODES, proofReason, type ProofFault } from '../../src/verifier/rfc6962.js';
import {
  checkCheckpointTimestamps,
  essReason,
  ESS_FAULTS,
  parsePemCertificates,
  TIMESTAMP_FAULT_CODES,
  TimestampError,
  timestampReason,
  TOKEN_MALFORMATIONS,
  verifyTimestampToken,
  type EssFault,
  type TimestampFault,
  type TokenMalformation,
} from '../../src/verifier/timestamp-token.js';
import { verifyReceipt, type JsonReceipt, type ReceiptFault } from '../../src/verifier/tlog-proof.js';
import {
  alarmText,
  ALARM_KINDS_WORDED,
  consistencyText,
  cosignedText,
  publicFaultText,
  PUBLIC_FAULTS_WORDED,
  receiptText,
  timestampText,
} from '../../web/src/i18n/findings.js';
import { alarmReason, checkNext, checkStamps, type MonitorAlarm } from '../../web/src/pages/auditor/monitor.js';
import { publicFaultReason, verifyPublicReceipt, type PublicFault, type PublicReceipt } from '../../web/src/public-check.js';
import { consistencyProof, inclusionProof, rootFromLeafHashes } from '../support/merkle-tree.js';
import { contentReservedEntry, leafHashesOf, newSigner, ORIGIN, sampleLog } from '../verifier/fixture.js';

const CHINESE = /[\u4e00-\u9fff]/;
/** Words both languages keep: formats, fields and names of the standards. */
const IDENTIFIERS = new Set(
  (
    'JSON UTF-8 ISO-8601 UTC SHA-256 SHA-384 SHA-512 DER CMS SignedData SignerInfo TSTInfo sid digestAlgorithms nonce PEM CERTIFICATE CA TSA ' +
    'ESS signingCertificate signingCertificateV2 issuerSerial extendedKeyUsage timeStamping WebCrypto crypto subtle base64 ' +
    'RSA ECDSA ML-DSA-44 Ed25519 tlog-proof extra leafIndex hash vkey ID ContentReserved LabelDeclared WorkFiled recordedAt sandbox-ledger'
  ).split(' '),
);
/** Words of `text` that are English, leaving out the values of `facts` and the identifiers. */
function englishIn(text: string, facts: unknown): string[] {
  let rest = text;
  const values = (v: unknown): string[] =>
    v === null || v === undefined ? [] : typeof v === 'object' ? Object.values(v).flatMap(values) : [String(v)];
  for (const value of values(facts).sort((a, b) => b.length - a.length)) if (value.length > 1) rest = rest.split(value).join(' ');
  return (rest.match(/(?<![0-9A-Za-z])[A-Za-z][A-Za-z0-9-]+/g) ?? []).filter((w) => !IDENTIFIERS.has(w));
}
/** `text` is Chinese and names no English but identifiers and the values in `facts`, other than the code names. */
function chineseOf(text: string, facts: unknown) {
  expect(text).toMatch(CHINESE);
  const { code: _c, kind: _k, problem: _p, ...values } = facts as Record<string, unknown>;
  expect(englishIn(text, values)).toEqual([]);
}

// ---- Proofs

/** A fault of each code, from proofs changed in each way. */
function proofFaults(): ProofFault[] {
  const leaves = leafHashesOf(sampleLog());
  const root = (n: number) => rootFromLeafHashes(leaves.slice(0, n));
  const short = new Uint8Array(31);
  const inclusion = (i: number, size: number, proof: Uint8Array[], r = root(size), leaf = leaves[Math.max(i, 0)]) =>
    checkInclusion(leaf, i, size, proof, r);
  const consistency = (m: number, n: number, proof: Uint8Array[], r1 = root(Math.max(m, 0)), r2 = root(n)) =>
    checkConsistency(m, n, proof, r1, r2);
  const p5 = consistencyProof(5, leaves.slice(0, 8));
  const checks = [
    inclusion(-1, 8, []),
    consistency(-1, 8, []),
    inclusion(8, 8, []),
    inclusion(0, 8, [], root(8), short),
    inclusion(0, 8, [short]),
    inclusion(0, 1, [leaves[1]]),
    inclusion(0, 8, [leaves[1]]),
    inclusion(0, 1, [], short),
    consistency(5, 8, p5, short),
    inclusion(0, 2, [leaves[0]]),
    consistency(8, 5, p5),
    consistency(8, 8, p5),
    consistency(8, 8, [], root(8), root(7)),
    consistency(0, 8, p5),
    consistency(0, 8, [], root(8)),
    consistency(5, 8, []),
    consistency(5, 8, [...p5, leaves[0]]),
    consistency(5, 8, p5.slice(1)),
    consistency(5, 8, p5, root(5), root(7)),
  ];
  return checks.map((c) => {
    if (c.ok) throw new Error('the proof checked');
    return c.fault;
  });
}

describe('why a proof does not check', () => {
  const faults = proofFaults();

  it('covers every code, each from a proof changed in its way', () => {
    expect(faults.map((f) => f.code)).toEqual(PROOF_FAULT_CODES);
  });

  it.each(faults.map((f) => [f.code, f] as const))('%s is worded in Chinese, within a receipt and a consistency check', (_, f) => {
    const receipt: ReceiptFault = { code: 'inclusion', proof: f };
    expect(receiptText('en', receipt, `inclusion: ${proofReason(f)}`)).toBe(`inclusion: ${proofReason(f)}`);
    const text = receiptText('zh-CN', receipt, `inclusion: ${proofReason(f)}`);
    expect(text).toMatch(/^包含证明：/);
    chineseOf(text, f);
    const consistency: ConsistencyFault = { code: 'proof', older: 5, newer: 8, proof: f };
    chineseOf(consistencyText('zh-CN', consistency, 'r'), { ...f, older: 5, newer: 8 });
  });
});

// ---- Cosigned checkpoints, consistency and receipts

const signer = newSigner();
const log = sampleLog();
const pq = ml_dsa44.keygen(new Uint8Array(32).fill(7));
const witness = { name: 'witness.example/w1', seed: ed25519.utils.randomSecretKey() };
const witnessKey = parseCosignerVkey(formatCosignerVkey(witness.name, COSIGNATURE_V1, ed25519.getPublicKey(witness.seed)));
const pqKey = parseCosignerVkey(formatCosignerVkey(ORIGIN, ML_DSA_44, pq.publicKey));
const textOf = (note: string) => (parseNote(note) as { text: string }).text;
const withPq = (note: string) => note + signMlDsaCosignature(textOf(note), ORIGIN, pq, 1767225700);
const withWitness = (note: string) => note + signCosignatureV1(textOf(note), witness.name, witness.seed, 1767225701);
/** The note with the last byte of its last signature line changed. */
const lastChanged = (note: string) => {
  const lines = note.trimEnd().split('\n');
  const [dash, name, b64] = lines.at(-1)!.split(' ');
  const sig = Buffer.from(b64, 'base64');
  sig[sig.length - 1] ^= 1;
  lines[lines.length - 1] = [dash, name, sig.toString('base64')].join(' ');
  return lines.join('\n') + '\n';
};

function cosignedFaults(): Array<[CosignedFault, string]> {
  const note = signer.checkpoint(log);
  const other = parseCosignerVkey(formatCosignerVkey('other.example/log', ML_DSA_44, pq.publicKey));
  const results = [
    verifyCosignedCheckpoint(note, { vkey: newSigner().vkey }),
    verifyCosignedCheckpoint(note, { vkey: signer.vkey, logMlDsa: other }),
    verifyCosignedCheckpoint(note, { vkey: signer.vkey, logMlDsa: pqKey }),
    verifyCosignedCheckpoint(lastChanged(withPq(note)), { vkey: signer.vkey, logMlDsa: pqKey }),
    verifyCosignedCheckpoint(note, { vkey: signer.vkey, witnesses: [], quorum: 1 }),
    verifyCosignedCheckpoint(lastChanged(withWitness(note)), { vkey: signer.vkey, witnesses: [witnessKey], quorum: 1 }),
  ];
  return results.map((r) => {
    if (r.ok) throw new Error('the checkpoint verified');
    return [r.fault, r.reason];
  });
}

describe('why a checkpoint is not accepted with the trusted keys', () => {
  const faults = cosignedFaults();

  it('gives each kind, from checkpoints and keys changed in its way', () => {
    expect(faults.map(([f]) => f.code)).toEqual([
      'no-signature',
      'ml-dsa-origin',
      'ml-dsa-missing',
      'ml-dsa-invalid',
      'quorum-keys',
      'quorum',
    ]);
  });

  it.each(faults.map(([f, reason]) => [f.code, f, reason] as const))('%s: the verifier’s English, and Chinese', (_, f, reason) => {
    expect(cosignedText('en', f, reason)).toBe(reason);
    const text = cosignedText('zh-CN', f, reason);
    chineseOf(text, f);
    expect(text).not.toContain(reason);
  });

  it('words the quorum with the witness whose cosignature does not verify', () => {
    const [f, reason] = faults.at(-1)!;
    expect(cosignedText('zh-CN', f, reason)).toBe(
      `检查点有 0 个有效的见证者联署签名，要求 1 个；${witness.name}+${Buffer.from(witnessKey.keyId).toString('hex')} 的联署签名验证未通过`,
    );
  });

  it('words the quorum with a witness key made with another name than the witness signs with', () => {
    const renamed = parseCosignerVkey(formatCosignerVkey('witness.example/renamed', COSIGNATURE_V1, witnessKey.publicKey));
    const r = verifyCosignedCheckpoint(withWitness(signer.checkpoint(log)), { vkey: signer.vkey, witnesses: [renamed], quorum: 1 });
    if (r.ok) throw new Error('the checkpoint verified');
    const label = `witness.example/renamed+${Buffer.from(renamed.keyId).toString('hex')}`;
    expect(r.fault).toMatchObject({ code: 'quorum', invalid: [], misnamed: [{ key: label, signedAs: witness.name }] });
    expect(cosignedText('zh-CN', r.fault, r.reason)).toBe(
      `检查点有 0 个有效的见证者联署签名，要求 1 个；${label} 的公钥验证了署名为 “${witness.name}” 的联署签名：见证者以 “${witness.name}” 签名，其 vkey 须以此名生成`,
    );
  });
});

function consistencyFaults(): Array<[ConsistencyFault, string]> {
  const older = signer.checkpoint(log, 5);
  const newer = signer.checkpoint(log);
  const proof = consistencyProof(5, leafHashesOf(log));
  const results = [
    verifyConsistencyBetweenCheckpoints(older, newer, proof, `${ORIGIN}+00000000+AAAA`),
    verifyConsistencyBetweenCheckpoints(older, newer, proof, newSigner().vkey),
    verifyConsistencyBetweenCheckpoints(older, newSigner().checkpoint(log), proof, signer.vkey),
    verifyConsistencyBetweenCheckpoints(older, newer, ['zz'], signer.vkey),
    verifyConsistencyBetweenCheckpoints(older, newer, proof.slice(1), signer.vkey),
  ];
  return results.map((r) => {
    if (r.ok) throw new Error('consistent');
    return [r.fault, r.reason];
  });
}

describe('why two checkpoints are not shown consistent', () => {
  const faults = consistencyFaults();

  it('gives each kind, from keys, checkpoints and proofs changed in its way', () => {
    expect(faults.map(([f]) => f.code)).toEqual(['vkey', 'older', 'newer', 'not-hex', 'proof']);
  });

  it.each(faults.map(([f, reason]) => [f.code, f, reason] as const))('%s: the verifier’s English, and Chinese', (_, f, reason) => {
    expect(consistencyText('en', f, reason)).toBe(reason);
    const text = consistencyText('zh-CN', f, reason);
    const { detail: _d, ...facts } = f as ConsistencyFault & { detail?: string };
    chineseOf(text, facts);
  });
});

/** A receipt for leaf `i` of the sample log, with its inclusion proof. */
function receiptFor(i = 5, events = log): JsonReceipt {
  const leaves = leafHashesOf(events);
  return {
    entry: structuredClone(events[i]),
    leafIndex: i,
    treeSize: events.length,
    inclusionProof: { leafIndex: i, treeSize: events.length, hashes: inclusionProof(i, leaves).map((h) => Buffer.from(h).toString('hex')) },
    checkpoint: signer.checkpoint(events),
  };
}

/** The receipt of leaf 5 of a log whose key signed that event changed by `change` (hashed again). */
function signedWith(change: (e: EventEnvelope) => EventEnvelope): JsonReceipt {
  const events = log.map((e, i) => (i === 5 ? change(structuredClone(e)) : e));
  events[5] = { ...events[5], hash: computeEventHash(events[5]) };
  return receiptFor(5, events);
}

function receiptFaults(): Array<[ReceiptFault, string]> {
  const edit = (change: (r: JsonReceipt) => void) => {
    const r = receiptFor();
    change(r);
    return r;
  };
  const results = [
    verifyReceipt('not a bundle', signer.vkey),
    verifyReceipt('c2sp.org/tlog-proof@v1\nindex 5\n\n' + signer.checkpoint(log), signer.vkey),
    verifyReceipt(
      `c2sp.org/tlog-proof@v1\nextra ${Buffer.from('{').toString('base64')}\nindex 5\n\n` + signer.checkpoint(log),
      signer.vkey,
    ),
    verifyReceipt(null as unknown as JsonReceipt, signer.vkey),
    verifyReceipt(
      edit((r) => delete (r as Partial<JsonReceipt>).inclusionProof),
      signer.vkey,
    ),
    verifyReceipt(
      edit((r) => delete (r as Partial<JsonReceipt>).checkpoint),
      signer.vkey,
    ),
    verifyReceipt(
      edit((r) => (r.inclusionProof.leafIndex = 4)),
      signer.vkey,
    ),
    verifyReceipt(
      edit((r) => (r.inclusionProof.treeSize = 11)),
      signer.vkey,
    ),
    verifyReceipt(
      edit((r) => (r.inclusionProof.hashes[0] = r.inclusionProof.hashes[0].toUpperCase())),
      signer.vkey,
    ),
    verifyReceipt(
      edit((r) => ((r.entry as unknown as Record<string, unknown>).x = 1)),
      signer.vkey,
    ),
    verifyReceipt(
      edit((r) => (r.entry.data = { n: 99 })),
      signer.vkey,
    ),
    verifyReceipt(
      edit((r) => (r.leafIndex = r.inclusionProof.leafIndex = 4)),
      signer.vkey,
    ),
    verifyReceipt(receiptFor(), newSigner().vkey),
    verifyReceipt(
      edit((r) => (r.treeSize = r.inclusionProof.treeSize = 11)),
      signer.vkey,
    ),
    verifyReceipt(
      edit((r) => (r.inclusionProof.hashes = r.inclusionProof.hashes.slice(1))),
      signer.vkey,
    ),
    verifyReceipt(
      signedWith((e) => ({ ...e, recordedAt: '2026-01-01T00:00:05.000+00:00' })),
      signer.vkey,
    ),
    verifyReceipt(
      signedWith((e) => ({ ...e, type: 'WorkFiled', data: { filingId: 'f1', filedAt: '2025-06-01T00:00:00.000Z' } })),
      signer.vkey,
    ),
    verifyReceipt(
      signedWith((e) => ({ ...e, type: 'ContentRefiled' })),
      signer.vkey,
    ),
  ];
  return results.map((r) => {
    if (r.ok) throw new Error('the receipt verified');
    return [r.fault, r.reason];
  });
}

describe('why a receipt does not verify', () => {
  const faults = receiptFaults();

  it('gives each kind, from receipts changed in its way', () => {
    expect(faults.map(([f]) => f.code)).toEqual([
      'tlog-proof',
      'no-extra',
      'extra-not-json',
      'not-object',
      'no-inclusion-proof',
      'no-checkpoint',
      'proof-leaf-index',
      'proof-tree-size',
      'proof-hashes',
      'entry',
      'entry-hash',
      'index',
      'checkpoint',
      'tree-size',
      'inclusion',
      'entry-recorded-at',
      'entry-time',
      'entry-catalogue',
    ]);
  });

  it.each(faults.map(([f, reason]) => [f.code, f, reason] as const))('%s: the verifier’s English, and Chinese', (_, f, reason) => {
    expect(receiptText('en', f, reason)).toBe(reason);
    const text = receiptText('zh-CN', f, reason);
    // A malformed bundle's detail is the parser's English, after a Chinese lead-in.
    if (f.code === 'tlog-proof') expect(text).toBe(`tlog-proof 的格式有误（验证器的英文说明：${f.detail}）`);
    else {
      const { detail: _d, ...facts } = f as ReceiptFault & { detail?: string };
      chineseOf(text, facts);
    }
  });
});

// ---- Time-stamps and TSA CA certificates

/** A sample fault of every code, and of every malformation and ESS fault within one. */
const SAMPLE: { [C in TimestampFault['code']]: Extract<TimestampFault, { code: C }> } = {
  'no-webcrypto': { code: 'no-webcrypto' },
  note: { code: 'note', detail: 'malformed note: no blank line before the signatures' },
  'token-not-base64': { code: 'token-not-base64', index: 2 },
  'token-repeated': { code: 'token-repeated', index: 3, first: 1 },
  token: { code: 'token', index: 1, token: { code: 'imprint' } },
  'before-checkpoint': {
    code: 'before-checkpoint',
    index: 1,
    authority: 'CN=Test TSA,O=Example',
    time: 1767225599,
    checkpointTime: 1767225600,
  },
  'listed-time': { code: 'listed-time', index: 1, listed: 1767225601, time: 1767225602 },
  'no-certificate': { code: 'no-certificate' },
  'pem-extra': { code: 'pem-extra' },
  'pem-not-base64': { code: 'pem-not-base64' },
  'pem-not-canonical-base64': { code: 'pem-not-canonical-base64' },
  'pem-parse': { code: 'pem-parse', detail: "Object's schema was not verified against input data for Certificate" },
  'pem-not-der': { code: 'pem-not-der' },
  'ca-not-self-signed': { code: 'ca-not-self-signed', subject: 'CN=Served Not-A-Root' },
  'ca-signature-algorithm': { code: 'ca-signature-algorithm', subject: 'CN=Ed Root', oid: '1.3.101.112', name: 'Ed25519' },
  malformed: { code: 'malformed', token: { problem: 'crls' } },
  'imprint-algorithm': { code: 'imprint-algorithm' },
  imprint: { code: 'imprint' },
  nonce: { code: 'nonce' },
  chain: { code: 'chain', failed: 'signature', detail: null },
  'signer-name': { code: 'signer-name' },
  'signature-not-der': { code: 'signature-not-der' },
  'chain-not-der': { code: 'chain-not-der' },
  'extra-certificate': { code: 'extra-certificate' },
  'signing-certificate': { code: 'signing-certificate', ess: { problem: 'none' } },
  'not-tsa-certificate': { code: 'not-tsa-certificate' },
};
const MALFORMED: { [P in TokenMalformation['problem']]: Extract<TokenMalformation, { problem: P }> } = {
  'not-one-der': { problem: 'not-one-der' },
  'not-signed-data': { problem: 'not-signed-data' },
  'not-tst-info': { problem: 'not-tst-info' },
  'no-tst-info': { problem: 'no-tst-info' },
  signers: { problem: 'signers' },
  'signed-data-version': { problem: 'signed-data-version', version: 1 },
  'signer-info-version': { problem: 'signer-info-version' },
  crls: { problem: 'crls' },
  'not-canonical': { problem: 'not-canonical' },
  'digest-algorithms': { problem: 'digest-algorithms' },
  'algorithm-parameters': { problem: 'algorithm-parameters' },
  'no-signed-attributes': { problem: 'no-signed-attributes' },
  digest: { problem: 'digest', oid: '1.3.14.3.2.26' },
  parse: { problem: 'parse', detail: 'End of input reached before message was fully decoded' },
};
const ESS: EssFault[] = ESS_FAULTS.map((problem) =>
  problem === 'none' ? { problem } : ({ problem, attribute: 'signingCertificateV2' } as EssFault),
);
/** A detail in English only (a library's or a parser's words): given after a Chinese lead-in. */
const englishDetail = (f: TimestampFault): string | null =>
  f.code === 'note' || f.code === 'pem-parse' || f.code === 'chain'
    ? f.detail
    : f.code === 'malformed' && f.token.problem === 'parse'
      ? f.token.detail
      : null;

describe('why a time-stamp or a TSA CA certificate does not check', () => {
  const all: TimestampFault[] = [
    ...Object.values(SAMPLE),
    ...Object.values(MALFORMED).map((token): TimestampFault => ({ code: 'malformed', token })),
    ...ESS.map((ess): TimestampFault => ({ code: 'token', index: 3, token: { code: 'signing-certificate', ess } })),
    { code: 'chain', failed: 'chain', detail: null },
    { code: 'chain', failed: null, detail: 'Unable to find signer certificate' },
  ];

  it('has a sample of every code, malformation and ESS fault', () => {
    expect(Object.keys(SAMPLE)).toEqual(TIMESTAMP_FAULT_CODES);
    expect(Object.keys(MALFORMED)).toEqual(TOKEN_MALFORMATIONS);
  });

  it.each(all.map((f) => [timestampReason(f), f] as const))('%s: in English as the verifier says it, and in Chinese', (reason, f) => {
    expect(timestampText('en', f, reason)).toBe(reason);
    const text = timestampText('zh-CN', f, reason);
    expect(text).toMatch(CHINESE);
    const detail = englishDetail(f);
    if (detail !== null) expect(text).toContain(`（验证器的英文说明：${detail}）`);
    const flat = JSON.parse(JSON.stringify(f, (k, v: unknown) => (k === 'detail' ? undefined : v))) as Record<string, unknown>;
    expect(englishIn(detail === null ? text : text.replace(detail, ''), flat)).toEqual([]);
  });

  it('words the ESS fault in every form', () => {
    for (const ess of ESS) expect(essReason(ess)).toMatch(/signer|attribute/);
    expect(timestampText('zh-CN', { code: 'token', index: 1, token: { code: 'signing-certificate', ess: { problem: 'none' } } }, 'r')).toBe(
      '第 1 个时间戳：令牌的签名者证书不是它所签署声明的那一张：签名者没有签署哪张证书是它自己的（没有 ESS signingCertificate 属性）',
    );
  });

  it('is the verifier’s English after a lead-in where it gives an error with no fault', () => {
    expect(timestampText('zh-CN', null, 'the TSA answered HTTP 503')).toBe(
      '无法用中文说明此项（验证器的英文说明：the TSA answered HTTP 503）',
    );
  });

  it('is given as data by the verifier, in the same English: PEM text, tokens and checkpoints changed in each way', async () => {
    const faultOf = async (run: () => unknown) => {
      try {
        await run();
      } catch (err) {
        expect(err).toBeInstanceOf(TimestampError);
        const { fault, message } = err as TimestampError;
        expect(fault).not.toBeNull();
        expect(message).toBe(timestampReason(fault!));
        return fault!;
      }
      throw new Error('it checked');
    };
    const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
    const note = signer.checkpoint(log);
    const codes = [
      await faultOf(() => parsePemCertificates('not a certificate')),
      await faultOf(() => parsePemCertificates(pem('AAAA') + 'and words\n')),
      await faultOf(() => parsePemCertificates(pem('!!!!'))),
      await faultOf(() => parsePemCertificates(pem('AB=='))),
      await faultOf(() => parsePemCertificates(pem('AAAA'))),
      await faultOf(() => checkCheckpointTimestamps('no note', [{ token: 'AAAA' }], [])),
      await faultOf(() => checkCheckpointTimestamps(note, [{ token: '!' }], [])),
      await faultOf(() => checkCheckpointTimestamps(note, [{ token: 'MAA=' }, { token: 'MAA=' }], [])),
      await faultOf(() => checkCheckpointTimestamps(note, [{ token: 'MAA=' }], [])),
      await faultOf(() => verifyTimestampToken(Uint8Array.of(0x30, 0x00, 0x00), new Uint8Array(), [])),
    ];
    expect(codes.map((f) => (f.code === 'token' ? `token/${f.token.code}` : f.code))).toEqual([
      'no-certificate',
      'pem-extra',
      'pem-not-base64',
      'pem-not-canonical-base64',
      'pem-parse',
      'note',
      'token-not-base64',
      'token-repeated',
      'token/malformed',
      'malformed',
    ]);
    expect(codes.at(-1)).toEqual({ code: 'malformed', token: { problem: 'not-one-der' } });
  });
});

// ---- The monitor's alarms

describe('the checkpoint monitor’s alarms', () => {
  const trust = { vkey: signer.vkey };
  const noProof = async () => [] as string[];
  const leaves = leafHashesOf(log);
  const proof = async (from: number) => consistencyProof(from, leaves).map((h) => Buffer.from(h).toString('hex'));

  async function alarms(): Promise<MonitorAlarm[]> {
    const first = await checkNext(signer.checkpoint(log, 8), trust, null, noProof);
    if (!first.ok) throw new Error('the first checkpoint failed');
    const previous = first.observed;
    const other = signCheckpoint(
      { origin: ORIGIN, treeSize: 8, rootHash: new Uint8Array(32).fill(9), time: 1767225700 },
      signer.key.secretKey,
    );
    const results = [
      await checkNext(newSigner().checkpoint(log), trust, previous, noProof),
      await checkNext(signer.checkpoint(log, 5), trust, previous, noProof),
      await checkNext(other, trust, previous, noProof),
      await checkNext(signer.checkpoint(log), trust, previous, async () => (await proof(8)).slice(1)),
    ];
    const stamps = await checkStamps(signer.checkpoint(log), [{ token: 'AAAA' }], { caPem: null, pinned: false });
    if (stamps.state !== 'failed') throw new Error('the time-stamps checked');
    return [
      ...results.map((r) => {
        if (r.ok) throw new Error('the checkpoint was accepted');
        return r.alarm;
      }),
      { kind: 'time-stamp', stamps },
    ];
  }

  it('raises each kind, in English as before and in Chinese', async () => {
    const all = await alarms();
    expect(all.map((a) => a.kind)).toEqual(ALARM_KINDS_WORDED);
    const english = all.map(alarmReason);
    expect(english).toEqual([
      expect.stringMatching(/^signature: note has no signature by /),
      'the log shrank: tree size 5 after 8',
      'two checkpoints of tree size 8 sign different roots: the log showed a split view',
      expect.stringMatching(/^consistency: checkpoints 8 and 12 are not consistent: /),
      'time-stamp: the ledger serves no TSA CA certificate to check its time-stamps against',
    ]);
    for (const [i, a] of all.entries()) {
      expect(alarmText('en', a, english[i])).toBe(english[i]);
      const text = alarmText('zh-CN', a, english[i]);
      chineseOf(text, JSON.parse(JSON.stringify(a, (k, v: unknown) => (k === 'detail' || k === 'reason' ? undefined : v))));
    }
    expect(alarmText('zh-CN', all[1], english[1])).toBe('日志缩小了：树大小在 8 之后变成了 5');
    expect(alarmText('zh-CN', all[4], english[4])).toBe('时间戳：账本没有提供可用来核验其时间戳的 TSA CA 证书');
  });

  it('says why time-stamps failed from the verifier’s fault, and the CA certificates too', async () => {
    const stamps = await checkStamps(signer.checkpoint(log), [{ token: 'AAAA' }], { caPem: 'junk', pinned: false });
    expect(stamps).toEqual({ state: 'failed', fault: { code: 'no-certificate' }, reason: 'no CERTIFICATE in the PEM text' });
    const alarm: MonitorAlarm = { kind: 'time-stamp', stamps: stamps as { fault: TimestampFault; reason: string } };
    expect(alarmText('zh-CN', alarm, alarmReason(alarm))).toBe('时间戳：PEM 文本中没有 CERTIFICATE');
  });
});

// ---- The public page's failed checks

describe('the public page’s failed checks', () => {
  const CONTENT = 'ab'.repeat(32);
  const FILING = '0b6f3c52-1d7e-4a53-9d40-3f1f1b6c2a10';
  const w = witness;

  function publicReceipt(edit: (p: PublicReceipt) => void = () => undefined): PublicReceipt {
    const entry = contentReservedEntry(CONTENT, FILING);
    const note = withWitness(
      withPq(
        signCheckpoint({ origin: ORIGIN, treeSize: 1, rootHash: hashLeaf(hexToBytes(entry.hash)), time: 1767225600 }, signer.key.secretKey),
      ),
    );
    const p: PublicReceipt = {
      contentHash: CONTENT,
      match: 'content',
      filingId: FILING,
      receipt: {
        entry,
        leafIndex: 0,
        treeSize: 1,
        inclusionProof: { leafIndex: 0, treeSize: 1, hashes: [] },
        checkpoint: note,
        timestamps: [{ tsa: 'http://tsa.example/', time: 1767225601, token: 'AAAA' }],
      },
      keys: {
        log: signer.vkey,
        logMlDsa44: formatCosignerVkey(ORIGIN, ML_DSA_44, pq.publicKey),
        witnesses: [formatCosignerVkey(w.name, COSIGNATURE_V1, ed25519.getPublicKey(w.seed))],
        witnessQuorum: 1,
        tsaCertificates: 'junk',
      },
    };
    edit(p);
    return p;
  }

  async function failures(): Promise<Array<[PublicFault, string]>> {
    const receipts = [
      publicReceipt((p) => (p.filingId = '11111111-1d7e-4a53-9d40-3f1f1b6c2a10')),
      publicReceipt((p) => (p.receipt.entry.data = { ...p.receipt.entry.data, contentHash: 'cd'.repeat(32) })),
      publicReceipt((p) => (p.keys.log = newSigner().vkey)),
      publicReceipt((p) => (p.receipt.inclusionProof.hashes = ['00'.repeat(32)])),
      publicReceipt((p) => (p.keys.logMlDsa44 = `${ORIGIN}+00000000+AAAA`)),
      publicReceipt((p) => (p.keys.tsaCertificates = null)),
      publicReceipt(),
    ];
    const out: Array<[PublicFault, string]> = [];
    for (const r of receipts) {
      const v = await verifyPublicReceipt(CONTENT, r);
      const failed = v.checks.find((c) => c.outcome === 'failed');
      if (!failed?.fault) throw new Error('no check failed');
      out.push([failed.fault, String(failed.params.reason)]);
    }
    return out;
  }

  it('fails each way, in English as the check gives it and in Chinese', async () => {
    const all = await failures();
    const codes = all.map(([f]) => f.code);
    expect(codes).toEqual(['other-filing', 'not-this-file', 'checkpoint', 'receipt', 'key', 'no-ca', 'time-stamp']);
    expect([...new Set(codes)].sort()).toEqual([...PUBLIC_FAULTS_WORDED].sort());
    for (const [f, reason] of all) {
      expect(publicFaultReason(f)).toBe(reason);
      expect(publicFaultText('en', f, reason)).toBe(reason);
      const text = publicFaultText('zh-CN', f, reason);
      chineseOf(text, JSON.parse(JSON.stringify(f, (k, v: unknown) => (k === 'detail' ? undefined : v))));
    }
    expect(publicFaultText('zh-CN', all[0][0], all[0][1])).toBe(`条目记载的是存证 ${FILING}，而不是 11111111-1d7e-4a53-9d40-3f1f1b6c2a10`);
    expect(publicFaultText('zh-CN', all[6][0], all[6][1])).toBe('PEM 文本中没有 CERTIFICATE');
  });

  it('names the witnesses and the ML-DSA-44 key in Chinese when their cosignatures fail', async () => {
    const noWitness = await verifyPublicReceipt(
      CONTENT,
      publicReceipt((p) => (p.receipt.checkpoint = p.receipt.checkpoint.split('\n').slice(0, -2).join('\n') + '\n')),
    );
    const failed = noWitness.checks.at(-1)!;
    expect(failed).toMatchObject({ id: 'witnesses', outcome: 'failed', fault: { code: 'checkpoint', fault: { code: 'quorum' } } });
    expect(publicFaultText('zh-CN', failed.fault, String(failed.params.reason))).toBe('检查点有 0 个有效的见证者联署签名，要求 1 个');
  });
});
