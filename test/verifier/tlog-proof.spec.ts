// Receipts: the JSON receipt and the C2SP tlog-proof@v1 bundle of every event of a small log verify; tampering does not.
import { canonicalJson, computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import { inclusionProof } from '../support/merkle-tree.js';
import {
  formatTlogProof,
  parseTlogProof,
  receiptToTlogProof,
  TLOG_PROOF_HEADER,
  verifyReceipt,
  type JsonReceipt,
} from '../../src/verifier/tlog-proof.js';
import { leafHashesOf, newSigner, sampleLog } from './fixture.js';
import { flipBit, hex, unhex } from './vectors.js';
import { nativeVerify } from './keys.js';

const signer = newSigner();
const log = sampleLog();
const leaves = leafHashesOf(log);
const checkpoint = signer.checkpoint(log);

function receiptFor(i: number, size = log.length, note = checkpoint): JsonReceipt {
  const hashes = inclusionProof(i, leaves.slice(0, size)).map(hex);
  return {
    entry: structuredClone(log[i]),
    leafIndex: i,
    treeSize: size,
    inclusionProof: { leafIndex: i, treeSize: size, hashes },
    checkpoint: note,
  };
}
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('the tlog-proof@v1 text format', () => {
  it('parses the C2SP example', () => {
    const example = [
      'c2sp.org/tlog-proof@v1',
      'extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ',
      'index 73894',
      'gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=',
      'B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=',
      'EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=',
      'RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=',
      'AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=',
      '',
      'example.com/fancylog',
      '109482',
      'sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=',
      '',
      '— example.com/fancylog hI2DJw[...]1roloI=',
      '',
    ].join('\n');
    const parsed = parseTlogProof(example);
    expect(parsed.index).toBe(73894);
    expect(parsed.hashes.map((h) => Buffer.from(h).toString('base64'))[1]).toBe('B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=');
    expect(parsed.hashes).toHaveLength(5);
    expect(parsed.extra).toHaveLength(39);
    expect(parsed.checkpoint).toBe(
      'example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n— example.com/fancylog hI2DJw[...]1roloI=\n',
    );
    expect(formatTlogProof(parsed)).toBe(example);
  });

  it('lays out header, extra, index, proof lines, blank line, checkpoint', () => {
    const r = receiptFor(5);
    const text = receiptToTlogProof(r);
    const expected = [
      TLOG_PROOF_HEADER,
      `extra ${b64(canonicalJson(r.entry))}`,
      'index 5',
      ...r.inclusionProof.hashes.map((h) => Buffer.from(h, 'hex').toString('base64')),
      '',
      checkpoint,
    ].join('\n');
    expect(text).toBe(expected);
    expect(parseTlogProof(text)).toEqual({
      extra: new TextEncoder().encode(canonicalJson(r.entry)),
      index: 5,
      hashes: r.inclusionProof.hashes.map(unhex),
      checkpoint,
    });
    expect(formatTlogProof({ index: 0, hashes: [], checkpoint })).toBe(`${TLOG_PROOF_HEADER}\nindex 0\n\n${checkpoint}`);
  });

  it.each([
    ['a wrong header', (t: string) => t.replace('tlog-proof@v1', 'tlog-proof@v2')],
    ['a leading-zero index', (t: string) => t.replace('\nindex 5\n', '\nindex 05\n')],
    ['no index', (t: string) => t.replace('\nindex 5\n', '\n')],
    ['a proof line that is not base64', (t: string) => t.replace('\nindex 5\n', '\nindex 5\n!!!!\n')],
    ['a proof line of 31 bytes', (t: string) => t.replace('\nindex 5\n', `\nindex 5\n${Buffer.alloc(31).toString('base64')}\n`)],
    ['no blank line', (t: string) => t.slice(0, t.indexOf('\n\n'))],
    ['no checkpoint', (t: string) => t.slice(0, t.indexOf('\n\n') + 2)],
  ])('rejects %s', (_, tamper) => {
    const text = tamper(receiptToTlogProof(receiptFor(5)));
    expect(() => parseTlogProof(text)).toThrow(SyntaxError);
    expect(verifyReceipt(text, signer.vkey)).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed tlog-proof/) });
  });
});

describe('verifyReceipt', () => {
  it('accepts the JSON receipt and the text bundle of every event, also at smaller checkpoints', () => {
    for (const size of [12, 7, 1]) {
      const note = signer.checkpoint(log, size);
      for (let i = 0; i < size; i++) {
        const r = receiptFor(i, size, note);
        expect(verifyReceipt(r, signer.vkey)).toEqual({ ok: true });
        expect(verifyReceipt(receiptToTlogProof(r), signer.vkey)).toEqual({ ok: true });
      }
    }
    expect(verifyReceipt(receiptFor(3), signer.vkey, { verify: nativeVerify })).toEqual({ ok: true });
  });

  type Tamper = (r: JsonReceipt) => void;
  const cases: [string, Tamper, RegExp][] = [
    [
      'modified entry data',
      (r) => {
        (r.entry.data as { n: number }).n = 7;
      },
      /^entry hash does not match the event \(\w+ in stream [^,]+, leaf \d+\): expected [0-9a-f]{64} \(its hash field\), computed [0-9a-f]{64} /,
    ],
    [
      'modified entry data, hash recomputed',
      (r) => {
        (r.entry.data as { n: number }).n = 7;
        r.entry.hash = computeEventHash(r.entry);
      },
      /^inclusion: inclusion proof does not lead to the root/,
    ],
    [
      'another entry',
      (r) => {
        r.entry = structuredClone(log[6]);
        r.entry.leafIndex = 5;
        r.entry.hash = computeEventHash(r.entry);
      },
      /^inclusion/,
    ],
    [
      'entry leafIndex ≠ receipt index',
      (r) => {
        r.entry = structuredClone(log[6]);
      },
      /is not the entry's leafIndex 6/,
    ],
    [
      'a flipped bit in a proof hash',
      (r) => {
        r.inclusionProof.hashes[1] = hex(flipBit(unhex(r.inclusionProof.hashes[1]), 9));
      },
      /^inclusion: inclusion proof does not lead/,
    ],
    [
      'an extra proof hash',
      (r) => {
        r.inclusionProof.hashes.push(r.inclusionProof.hashes[0]);
      },
      /more than the path/,
    ],
    [
      'a truncated proof',
      (r) => {
        r.inclusionProof.hashes.pop();
      },
      /fewer than the path/,
    ],
    [
      'receipt tree size ≠ checkpoint',
      (r) => {
        r.treeSize = 11;
        r.inclusionProof.treeSize = 11;
      },
      /tree size 11 is not the checkpoint's 12/,
    ],
    [
      'proof size ≠ receipt size',
      (r) => {
        r.inclusionProof.treeSize = 11;
      },
      /another tree size/,
    ],
    [
      'proof index ≠ receipt index',
      (r) => {
        r.inclusionProof.leafIndex = 4;
      },
      /another leaf index/,
    ],
    [
      'uppercase proof hex',
      (r) => {
        r.inclusionProof.hashes[0] = r.inclusionProof.hashes[0].toUpperCase();
      },
      /lowercase hex/,
    ],
    [
      'a tampered checkpoint',
      (r) => {
        r.checkpoint = r.checkpoint.replace('\n12\n', '\n13\n');
      },
      /^checkpoint: signature .* does not verify/,
    ],
    [
      'an entry with an extra field',
      (r) => {
        (r.entry as EventEnvelope & { x?: number }).x = 1;
      },
      /^entry: unexpected field/,
    ],
  ];

  it.each(cases)('rejects %s (JSON receipt)', (_, tamper, reason) => {
    const r = receiptFor(5);
    tamper(r);
    expect(verifyReceipt(r, signer.vkey)).toEqual({ ok: false, reason: expect.stringMatching(reason), fault: expect.any(Object) });
  });

  it.each(cases.filter(([name]) => !/receipt|proof size|proof index|uppercase/.test(name)))(
    'rejects %s (text bundle)',
    (_, tamper, reason) => {
      const r = receiptFor(5);
      tamper(r);
      expect(verifyReceipt(receiptToTlogProof(r), signer.vkey)).toEqual({
        ok: false,
        reason: expect.stringMatching(reason),
        fault: expect.any(Object),
      });
    },
  );

  it('rejects a receipt for a leaf the checkpoint does not contain', () => {
    const r = receiptFor(5);
    r.checkpoint = signer.checkpoint(log, 5);
    r.treeSize = r.inclusionProof.treeSize = 5;
    expect(verifyReceipt(r, signer.vkey)).toEqual({
      ok: false,
      reason: 'inclusion: leaf index 5 is not below tree size 5',
      fault: { code: 'inclusion', proof: { code: 'index-range', leafIndex: 5, treeSize: 5 } },
    });
  });

  it('rejects another key, a bundle without extra, with a non-JSON extra, or with a changed index', () => {
    expect(verifyReceipt(receiptFor(2), newSigner().vkey)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^checkpoint: note has no signature/),
    });
    const text = receiptToTlogProof(receiptFor(2));
    const lines = text.split('\n');
    expect(verifyReceipt([lines[0], ...lines.slice(2)].join('\n'), signer.vkey)).toEqual({
      ok: false,
      reason: 'tlog-proof has no extra line carrying the entry',
      fault: { code: 'no-extra' },
    });
    expect(verifyReceipt(text.replace(/^extra .*$/m, `extra ${b64('{not json')}`), signer.vkey)).toEqual({
      ok: false,
      reason: 'extra is not UTF-8 JSON',
      fault: { code: 'extra-not-json' },
    });
    expect(verifyReceipt(text.replace(/^extra .*$/m, `extra ${Buffer.from([0xff, 0xfe]).toString('base64')}`), signer.vkey)).toEqual({
      ok: false,
      reason: 'extra is not UTF-8 JSON',
      fault: { code: 'extra-not-json' },
    });
    expect(verifyReceipt(text.replace('\nindex 2\n', '\nindex 3\n'), signer.vkey)).toEqual({
      ok: false,
      reason: "receipt index 3 is not the entry's leafIndex 2",
      fault: { code: 'index', index: 3, leafIndex: 2 },
    });
  });

  it('rejects receipts that are not objects', () => {
    expect(verifyReceipt(null as unknown as JsonReceipt, signer.vkey).ok).toBe(false);
    expect(verifyReceipt({ ...receiptFor(1), inclusionProof: undefined } as unknown as JsonReceipt, signer.vkey).ok).toBe(false);
  });
});
