// The streaming export verifier: a valid export passes; every kind of tampering fails at the first bad leaf.
import { computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import { ExportVerifier, verifyConsistencyBetweenCheckpoints, verifyExport } from '../../src/verifier/export-verifier.js';
import { consistencyProof, rootFromLeafHashes } from '../support/merkle-tree.js';
import { buildLog, leafHashesOf, ndjson, newSigner, ORIGIN, sampleLog } from './fixture.js';
import { hex } from './vectors.js';
import { nativeVerify } from './keys.js';
import { createHash } from 'node:crypto';

const signer = newSigner();
const log = sampleLog();
const checkpoint = signer.checkpoint(log);
const clone = (events: EventEnvelope[]) => events.map((e) => structuredClone(e));
const rehash = (e: EventEnvelope) => {
  e.hash = computeEventHash(e);
  return e;
};

describe('ExportVerifier on a valid export', () => {
  it('accepts it against its checkpoint, line by line', () => {
    const verifier = new ExportVerifier();
    expect(verifier.checkCheckpoint(checkpoint, signer.vkey)).toBe(true);
    for (const line of ndjson(log)) expect(verifier.push(line)).toBe(true);
    expect(verifier.finish()).toEqual({
      ok: true,
      treeSize: 12,
      rootHash: hex(rootFromLeafHashes(leafHashesOf(log))),
      streams: 3,
      checkpointsChecked: 1,
      signedTreeSize: 12,
    });
  });

  it('accepts a checkpoint given after streaming when it has exactly the streamed size', () => {
    const verifier = new ExportVerifier();
    ndjson(log).forEach((l) => verifier.push(l));
    expect(verifier.checkCheckpoint(checkpoint, signer.vkey)).toBe(true);
    expect(verifier.finish()).toMatchObject({ ok: true, checkpointsChecked: 1 });
  });

  it('checks several checkpoints, smaller ones included, in any order, with native crypto injected', () => {
    const notes = [12, 0, 5, 1, 8, 8].map((n) => signer.checkpoint(log, n));
    const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
    expect(verifyExport(ndjson(log).join('\n') + '\n', notes, signer.vkey, { sha256, verify: nativeVerify })).toMatchObject({
      ok: true,
      treeSize: 12,
      checkpointsChecked: 5, // the two of 8 leaves are one tree
    });
    const twice = signer.checkpoint(log, 12);
    expect(verifyExport(ndjson(log), [twice, twice, signer.checkpoint([], 0), signer.checkpoint([], 0)], signer.vkey)).toMatchObject({
      ok: true,
      checkpointsChecked: 2,
    });
  });

  it('accepts an empty export with a checkpoint of size 0', () => {
    expect(verifyExport('', [signer.checkpoint([], 0)], signer.vkey)).toMatchObject({ ok: true, treeSize: 0, checkpointsChecked: 1 });
  });

  it('accepts pushEnvelope with parsed objects', () => {
    const verifier = new ExportVerifier();
    verifier.checkCheckpoint(checkpoint, signer.vkey);
    for (const e of log) verifier.pushEnvelope(JSON.parse(JSON.stringify(e)));
    expect(verifier.finish().ok).toBe(true);
  });
});

describe('ExportVerifier on tampered exports names the first bad leaf', () => {
  const verify = (events: unknown[], notes = [checkpoint]) => verifyExport(ndjson(events), notes, signer.vkey);

  it('modified data', () => {
    const events = clone(log);
    events[5].data.title = 'forged';
    // The message names the event and both hashes: the one it carries and the one its canonical form gives.
    // The same as data, for a reader that words it in another language.
    expect(verify(events)).toEqual({
      ok: false,
      leafIndex: 5,
      reason:
        `hash does not match the event (FilingAmended in stream filing-2, leaf 5): expected ${log[5].hash} (its hash field), ` +
        `computed ${computeEventHash(events[5])} (SHA-256 of its canonical form)`,
      code: 'hash-mismatch',
      type: 'FilingAmended',
      stream: 'filing-2',
      leaf: 5,
      expected: log[5].hash,
      computed: computeEventHash(events[5]),
    });
    expect(computeEventHash(events[5])).not.toBe(log[5].hash);
  });

  it('modified data with the event hash recomputed breaks the stream chain at the next event of that stream', () => {
    const events = clone(log);
    events[5].data.title = 'forged';
    rehash(events[5]);
    expect(verify(events)).toMatchObject({
      ok: false,
      leafIndex: 8,
      reason: expect.stringMatching(/prevHash does not chain to revision 1 of filing-2/),
      code: 'chain-prev-hash',
      stream: 'filing-2',
      previousRevision: 1,
    });
  });

  it('a whole stream rewritten consistently is caught by the signed root', () => {
    const events = clone(log);
    const rewritten = buildLog(log.map((e, i) => ({ stream: e.stream, type: e.type, data: i === 2 ? { forged: true } : e.data })));
    expect(rewritten[2].hash).not.toBe(events[2].hash);
    expect(verify(rewritten)).toEqual({
      ok: false,
      leafIndex: 0,
      lastLeafIndex: 11,
      reason:
        'root of the first 12 events does not match the signed checkpoint of size 12: ' +
        "each event's own hash and chain hold, but leaves 0..11 are not those the log signed (changed and re-hashed, reordered, " +
        'inserted or removed), or the export is of another log under the same key; checkpoints in between (--checkpoints) narrow the range',
      code: 'root-mismatch',
      treeSize: 12,
      signedSize: 0,
    });
    expect(verify(rewritten, [signer.checkpoint(log, 2), checkpoint])).toMatchObject({
      ok: false,
      leafIndex: 2,
      lastLeafIndex: 11,
      code: 'root-mismatch',
      treeSize: 12,
      signedSize: 2,
      reason: expect.stringMatching(
        /but leaves 2\.\.11 are not those the log signed .*, or the log signed checkpoints of sizes 2 and 12 that disagree \(a split view: .*from=2&to=12, tells which\)/,
      ),
    });
  });

  it('a deleted event', () => {
    const events = clone(log);
    events.splice(4, 1);
    expect(verify(events)).toMatchObject({
      ok: false,
      leafIndex: 4,
      reason: 'leafIndex is 5, expected 4 (an event is missing, moved or inserted)',
      code: 'misplaced',
      claimed: 5,
      expected: 4,
    });
  });

  it('two events swapped', () => {
    const events = clone(log);
    [events[6], events[7]] = [events[7], events[6]];
    expect(verify(events)).toMatchObject({ ok: false, leafIndex: 6, reason: expect.stringMatching(/leafIndex is 7, expected 6/) });
  });

  it('two events swapped with their leaf indices renumbered', () => {
    const events = clone(log);
    [events[6], events[7]] = [events[7], events[6]];
    events[6].leafIndex = 6;
    events[7].leafIndex = 7;
    expect(verify(events)).toMatchObject({
      ok: false,
      leafIndex: 0,
      reason: expect.stringMatching(/does not match the signed checkpoint/),
    });
    expect(verify(events, [signer.checkpoint(log, 6), checkpoint])).toMatchObject({ ok: false, leafIndex: 6 });
  });

  it('an inserted forged event, well-formed and correctly hashed', () => {
    const events = clone(log);
    const forged = buildLog([{ stream: 'filing-forged', type: 'WorkFiled', data: { title: 'mine' } }])[0];
    forged.leafIndex = 3;
    forged.id = 'forged'; // an id of its own: one the log holds is a repeated id, named as such (below)
    rehash(forged);
    events.splice(3, 0, forged);
    expect(verify(events)).toMatchObject({ ok: false, leafIndex: 4, reason: expect.stringMatching(/leafIndex is 3, expected 4/) });
  });

  it('an inserted forged event with every later index renumbered is caught by the root', () => {
    const events = clone(log).slice(0, 11);
    const forged = buildLog([{ stream: 'filing-forged', type: 'WorkFiled', data: { title: 'mine' } }])[0];
    forged.id = 'forged';
    events.splice(3, 0, rehash(forged));
    events.forEach((e, i) => {
      e.leafIndex = i;
    });
    expect(verify(events)).toMatchObject({
      ok: false,
      leafIndex: 0,
      reason: expect.stringMatching(/does not match the signed checkpoint/),
    });
    expect(verify(events, [signer.checkpoint(log, 3), checkpoint])).toMatchObject({ ok: false, leafIndex: 3 });
  });

  it('events beyond the last checkpoint are chained and hashed but reported as not covered by a signature', () => {
    const events = clone(log);
    const last = events[events.length - 1];
    events.push(rehash({ ...structuredClone(last), id: 'x', revision: last.revision + 1, prevHash: last.hash, leafIndex: 12 }));
    expect(verify(events)).toMatchObject({ ok: true, treeSize: 13, signedTreeSize: 12 });
    expect(verifyExport(ndjson(log), [], signer.vkey)).toMatchObject({ ok: true, treeSize: 12, signedTreeSize: 0, checkpointsChecked: 0 });
  });

  it('a truncated tail is detected against the checkpoint, naming the first missing leaf', () => {
    expect(verify(clone(log).slice(0, 9))).toEqual({
      ok: false,
      leafIndex: 9,
      reason:
        'export ends after 9 events but a signed checkpoint has 12: the export was cut short, or taken before that checkpoint (export again, or verify with a checkpoint of at most 9 events)',
      code: 'truncated',
      events: 9,
      treeSize: 12,
    });
    expect(verify([])).toEqual({
      ok: false,
      leafIndex: 0,
      reason:
        'export ends after 0 events but a signed checkpoint has 12: the export was cut short, or taken before that checkpoint (export again)',
      code: 'truncated',
      events: 0,
      treeSize: 12,
    });
  });

  it('a broken stream revision or a missing first event', () => {
    const events = clone(log);
    events[4].revision = 5;
    rehash(events[4]);
    expect(verify(events)).toMatchObject({
      ok: false,
      leafIndex: 4,
      reason: 'revision of filing-1 is 5, expected 1',
      code: 'chain-revision',
      stream: 'filing-1',
      revision: 5,
      expected: 1,
    });
    const firstOfStream = clone(log);
    firstOfStream[0].prevHash = firstOfStream[3].hash;
    rehash(firstOfStream[0]);
    expect(verify(firstOfStream)).toMatchObject({
      ok: false,
      leafIndex: 0,
      reason: 'prevHash does not chain to the zero hash of filing-0',
      code: 'chain-prev-hash',
      stream: 'filing-0',
      previousRevision: null,
    });
  });

  it.each([
    [
      'not JSON',
      (lines: string[]) => {
        lines[2] = '{"v":1,';
      },
      'line is not JSON',
      { code: 'not-json' },
    ],
    [
      'a JSON array',
      (lines: string[]) => {
        lines[2] = '[]';
      },
      'event is not a JSON object',
      { code: 'envelope', rule: 'not-object', field: null },
    ],
    [
      'a missing field',
      (lines: string[]) => {
        const e = JSON.parse(lines[2]);
        delete e.meta;
        lines[2] = JSON.stringify(e);
      },
      'missing field meta',
      { code: 'envelope', rule: 'missing-field', field: 'meta' },
    ],
    [
      'an extra field',
      (lines: string[]) => {
        const e = JSON.parse(lines[2]);
        e.note = 'x';
        lines[2] = JSON.stringify(e);
      },
      'unexpected field "note" (not covered by the hash)',
      { code: 'envelope', rule: 'unexpected-field', field: 'note' },
    ],
    [
      'a string revision',
      (lines: string[]) => {
        const e = JSON.parse(lines[2]);
        e.revision = '0';
        lines[2] = JSON.stringify(e);
      },
      'revision is not a non-negative integer',
      { code: 'envelope', rule: 'not-index', field: 'revision' },
    ],
    [
      'an uppercase hash',
      (lines: string[]) => {
        const e = JSON.parse(lines[2]);
        e.hash = e.hash.toUpperCase();
        lines[2] = JSON.stringify(e);
      },
      'hash is not 64 lowercase hex digits',
      { code: 'envelope', rule: 'not-hex', field: 'hash' },
    ],
    [
      'v = 2',
      (lines: string[]) => {
        const e = JSON.parse(lines[2]);
        e.v = 2;
        lines[2] = JSON.stringify(e);
      },
      'v is not 1',
      { code: 'envelope', rule: 'version', field: 'v' },
    ],
  ])('a line that is %s', (_, tamper, reason, facts) => {
    const lines = ndjson(log);
    tamper(lines);
    expect(verifyExport(lines, [checkpoint], signer.vkey)).toEqual({ ok: false, leafIndex: 2, reason, ...facts });
  });

  it('stops at the first failure and ignores later input', () => {
    const events = clone(log);
    events[2].data.title = 'forged';
    events.splice(7, 1);
    const verifier = new ExportVerifier();
    verifier.checkCheckpoint(checkpoint, signer.vkey);
    const accepted = ndjson(events).map((l) => verifier.push(l));
    expect(accepted).toEqual([true, true, ...Array(events.length - 2).fill(false)]);
    expect(verifier.finish()).toMatchObject({ ok: false, leafIndex: 2 });
  });
});

describe('ExportVerifier checkpoints', () => {
  it('rejects a checkpoint by another key or with a tampered signature, or a key that is no vkey', () => {
    const other = newSigner().vkey;
    const otherLabel = other.split('+').slice(0, 2).join('+');
    expect(verifyExport(ndjson(log), [checkpoint], other)).toMatchObject({
      ok: false,
      leafIndex: null,
      reason: `checkpoint: note has no signature by ${otherLabel}`,
      code: 'checkpoint',
      checkpoint: { code: 'no-signature', key: otherLabel },
      detail: `note has no signature by ${otherLabel}`,
    });
    const forgedNote = checkpoint.replace(/\n12\n/, '\n11\n');
    expect(verifyExport(ndjson(log), [forgedNote], signer.vkey)).toMatchObject({
      ok: false,
      leafIndex: null,
      reason: expect.stringMatching(/does not verify/),
      code: 'checkpoint',
      checkpoint: { code: 'bad-signature' },
    });
    expect(verifyExport(ndjson(log), [checkpoint], `${ORIGIN}+00000000+AAAA`)).toMatchObject({
      ok: false,
      leafIndex: null,
      reason: 'checkpoint: bad verifier key: vkey is not an Ed25519 (type 0x01) key',
      code: 'checkpoint',
      checkpoint: { code: 'vkey', vkey: { problem: 'not-ed25519' } },
    });
  });

  it('refuses a smaller checkpoint given after its size was streamed (its root is no longer known in O(log n) memory)', () => {
    const verifier = new ExportVerifier();
    ndjson(log).forEach((l) => verifier.push(l));
    expect(verifier.checkCheckpoint(signer.checkpoint(log, 5), signer.vkey)).toBe(false);
    expect(verifier.finish()).toMatchObject({
      ok: false,
      leafIndex: null,
      reason: expect.stringMatching(/give it before streaming/),
      code: 'checkpoint-late',
      treeSize: 5,
      streamed: 12,
    });
  });

  it('two checkpoints of one size with different roots cannot both match (a split view)', () => {
    const other = buildLog(log.map((e, i) => ({ stream: e.stream, type: e.type, data: i === 0 ? { n: -1 } : e.data })));
    const evil = signer.checkpoint(other, 12);
    expect(verifyExport(ndjson(log), [checkpoint, evil], signer.vkey)).toMatchObject({
      ok: false,
      leafIndex: null,
      reason: expect.stringMatching(/split view/),
      code: 'split-view',
      treeSize: 12,
    });
  });
});

describe('verifyConsistencyBetweenCheckpoints', () => {
  const leaves = leafHashesOf(log);
  const older = signer.checkpoint(log, 5);

  it('accepts a valid proof (hex or bytes)', () => {
    const proof = consistencyProof(5, leaves);
    expect(verifyConsistencyBetweenCheckpoints(older, checkpoint, proof.map(hex), signer.vkey)).toMatchObject({
      ok: true,
      older: { treeSize: 5 },
      newer: { treeSize: 12 },
    });
    expect(verifyConsistencyBetweenCheckpoints(older, checkpoint, proof, signer.vkey, { verify: nativeVerify }).ok).toBe(true);
  });

  it('rejects a fork, a bad proof and a bad signature', () => {
    const forked = buildLog(log.map((e, i) => ({ stream: e.stream, type: e.type, data: i === 1 ? { n: 'fork' } : e.data })));
    const forkNote = signer.checkpoint(forked, 12);
    const proof = consistencyProof(5, leaves).map(hex);
    expect(verifyConsistencyBetweenCheckpoints(older, forkNote, proof, signer.vkey)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not consistent/),
    });
    expect(verifyConsistencyBetweenCheckpoints(older, checkpoint, proof.slice(1), signer.vkey).ok).toBe(false);
    expect(verifyConsistencyBetweenCheckpoints(older, checkpoint, ['zz'], signer.vkey)).toEqual({
      ok: false,
      reason: 'proof hashes are not hex',
      fault: { code: 'not-hex' },
    });
    expect(verifyConsistencyBetweenCheckpoints(older, checkpoint, proof, newSigner().vkey)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^older checkpoint/),
    });
    expect(verifyConsistencyBetweenCheckpoints(checkpoint, older, proof, signer.vkey).ok).toBe(false);
  });
});
