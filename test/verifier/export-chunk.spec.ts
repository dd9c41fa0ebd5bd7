// Verification in chunks (each checked on its own, as a worker thread checks it, then reduced in order) gives the
// verdict and the message that verifying line by line gives, wherever the chunks are cut.
import { createHash } from 'node:crypto';
import { canonicalEnvelopeBody, computeEventHash, type EventEnvelope, exportLine, exportText } from '../../src/verifier/envelope.js';
import { bufferLines } from '../../src/cli/native-crypto.js';
import {
  checkChunk,
  ChunkChecker,
  type ChunkFacts,
  hashedBody,
  hashedText,
  LineChunker,
  type LineDecoder,
  NotCanonicalLine,
  NOT_UTF8,
  textDecoderLines,
} from '../../src/verifier/export-chunk.js';
import { ExportVerifier, type ExportResult, verifyExport } from '../../src/verifier/export-verifier.js';
import { amendment, buildLog, copyRegistered, ndjson, newSigner, workFiledData } from './fixture.js';

const NOT_CANONICAL = /^the line is not its event as the log writes it: whitespace outside strings, a repeated key/;

const signer = newSigner();
const log = buildLog(Array.from({ length: 40 }, (_, i) => copyRegistered(String((i * 7) % 9), i, i % 5 === 0 ? `作品 ${i}` : `work ${i}`)));
const checkpoints = [signer.checkpoint(log, 17), signer.checkpoint(log)];
const clone = (events: EventEnvelope[]) => events.map((e) => structuredClone(e));
const encoder = new TextEncoder();

/** Cuts `text` in chunks of about `size` bytes, checks each on its own (its facts cloned, as a thread hands them back), reduces in order. */
function verifyInChunks(text: string, size: number): ExportResult {
  const verifier = new ExportVerifier();
  for (const note of checkpoints) verifier.checkCheckpoint(note, signer.vkey);
  const chunker = new LineChunker(size);
  const checker = new ChunkChecker();
  const apply = (chunk: Uint8Array) => {
    const facts: ChunkFacts = structuredClone(checkChunk(chunk, checker));
    verifier.pushChunk(facts);
  };
  const bytes = encoder.encode(text);
  // Fed in uneven pieces, as a stream delivers them.
  for (let at = 0; at < bytes.length; at += 97) for (const chunk of chunker.push(bytes.subarray(at, at + 97))) apply(chunk);
  const last = chunker.end();
  if (last) apply(last);
  return verifier.finish();
}

/** Where the CLI (as readline did) ends a line. */
const LINE_BREAK = /\r\n|\n|\r/;
const lines = (events: unknown[]) => ndjson(events).join('\n') + '\n';
const SIZES = [1, 64, 700, 1500, 5000, 1 << 20];

/** Event 23's data changed after it was hashed; written by `write`. */
const dataChanged = (write: (events: EventEnvelope[]) => string) => () => {
  const events = clone(log);
  events[23].data.distance = 99;
  return write(events);
};
/** Event 5's data changed and its hash made again, which breaks its stream chain; written by `write`. */
const rehashed = (write: (events: EventEnvelope[]) => string) => () => {
  const events = clone(log);
  events[5].data.distance = 99;
  events[5].hash = computeEventHash(events[5]);
  return write(events);
};

const tampers: Array<[string, () => string]> = [
  ['nothing', () => lines(log)],
  ['nothing, as the log writes it', () => exportText(log)],
  ['an event whose data changed, as the log writes it', dataChanged(exportText)],
  ['an event rehashed, as the log writes it', rehashed(exportText)],
  ['an event whose data changed', dataChanged(lines)],
  ['an event rehashed, which breaks its stream chain', rehashed(lines)],
  ['an event missing', () => lines(log.filter((_, i) => i !== 30))],
  ['two events swapped', () => lines([...log.slice(0, 8), log[9], log[8], ...log.slice(10)])],
  [
    'an event both misplaced and changed (the place is named first)',
    () => {
      const events = clone(log);
      events[12].data.distance = 99;
      return lines(events.filter((_, i) => i !== 11));
    },
  ],
  [
    'a time that goes back',
    () => {
      const events = clone(log);
      events[20].recordedAt = '2025-12-31T00:00:00.000Z';
      events[20].hash = computeEventHash(events[20]);
      return lines(events);
    },
  ],
  [
    'a time that is not ISO-8601 UTC',
    () => {
      const events = clone(log);
      events[3].recordedAt = '2026-01-01 00:00:03';
      events[3].hash = computeEventHash(events[3]);
      return lines(events);
    },
  ],
  ['a line that is not JSON', () => lines(log).replace(`"leafIndex":26}`, `"leafIndex":26`)],
  ['an extra field', () => lines(log).replace(`"leafIndex":2}`, `"leafIndex":2,"x":1}`)],
  ['blank lines and CRLF line ends', () => `\n${ndjson(log).join('\r\n\r\n')}\r\n  \n`],
  ['lone CR line ends', () => ndjson(log).join('\r')],
  ['no final line break', () => ndjson(log).join('\n')],
  ['the last events cut off', () => lines(log.slice(0, 33))],
  ['a byte-order mark', () => `\uFEFF${lines(log)}`],
];

describe('verification in chunks', () => {
  it.each(tampers)('gives the line-by-line verdict for %s, wherever the chunks are cut', (_, make) => {
    const text = make();
    const expected = verifyExport(text.split(LINE_BREAK), checkpoints, signer.vkey);
    for (const size of SIZES) expect({ size, result: verifyInChunks(text, size) }).toEqual({ size, result: expected });
  });

  it('accepts the untouched export and fails each tampered one (the cases above are not all passes)', () => {
    const verdicts = tampers.map(([name, make]) => [name, verifyExport(make().split(LINE_BREAK), checkpoints, signer.vkey).ok]);
    expect(verdicts.filter(([, ok]) => ok).map(([name]) => name)).toEqual([
      'nothing',
      'nothing, as the log writes it',
      'blank lines and CRLF line ends',
      'lone CR line ends',
      'no final line break',
    ]);
  });

  it('names the stream, the type, the leaf and both hashes when an event does not match its hash', () => {
    const events = clone(log);
    events[23].data.distance = 99;
    const computed = computeEventHash(events[23]);
    expect(verifyInChunks(lines(events), 700)).toEqual({
      ok: false,
      leafIndex: 23,
      reason:
        `hash does not match the event (${log[23].type} in stream ${log[23].stream}, leaf 23): ` +
        `expected ${log[23].hash} (its hash field), computed ${computed} (SHA-256 of its canonical form)`,
      code: 'hash-mismatch',
      type: log[23].type,
      stream: log[23].stream,
      leaf: 23,
      expected: log[23].hash,
      computed,
    });
  });

  it('fails an event with no canonical form (a lone surrogate) instead of throwing', () => {
    const text = lines(log).replace('"location":"work 1"', '"location":"work \\ud800"');
    const result = {
      ok: false,
      leafIndex: 1,
      reason: 'the event has no canonical form (Lone surrogate is not allowed)',
      code: 'no-canonical-form',
      error: 'Lone surrogate is not allowed',
    };
    expect(verifyExport(text, checkpoints, signer.vkey)).toEqual(result);
    expect(verifyInChunks(text, 64)).toEqual(result);
  });
});

describe('lines that are not well-formed UTF-8', () => {
  // Event 7 holds U+FFFD itself (EF BF BD), hashed as such: the genuine export verifies.
  const events = buildLog(Array.from({ length: 12 }, (_, i) => amendment(`s-${i % 3}`, i, i === 7 ? 'a\ufffdb' : `t ${i}`)));
  const genuine = encoder.encode(lines(events));
  const replacement = Buffer.from('a\ufffdb');
  const at = Buffer.from(genuine).indexOf(replacement) + 1;
  /** The export with the bytes of event 7's U+FFFD replaced by `bad`: a lenient decoder reads U+FFFD there again. */
  const withBytes = (bad: number[]) => Buffer.concat([genuine.subarray(0, at), Buffer.from(bad), genuine.subarray(at + 3)]);
  const malformed: Array<[string, number[]]> = [
    ['a byte never in UTF-8', [0xff]],
    ['a lone continuation byte', [0x80]],
    ['a sequence cut short', [0xe2, 0x82]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ];
  const verify = (bytes: Uint8Array, lines: LineDecoder) => {
    const verifier = new ExportVerifier();
    verifier.checkCheckpoint(signer.checkpoint(events), signer.vkey);
    const checker = new ChunkChecker({ lines });
    verifier.pushChunk(checkChunk(bytes, checker));
    return verifier.finish();
  };

  it('a lenient decoder reads the first three as the genuine line, which verifies', () => {
    expect(verify(genuine, textDecoderLines)).toMatchObject({ ok: true, treeSize: 12 });
    const lenient = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    const same = malformed.filter(([, bad]) => lenient(withBytes(bad)) === lenient(genuine)).map(([name]) => name);
    expect(same).toEqual(['a byte never in UTF-8', 'a lone continuation byte', 'a sequence cut short']);
  });

  it.each(malformed)('fails the line with %s, decoded in Node or as a browser decodes, by chunk or line by line', (_, bad) => {
    const expected = { ok: false, leafIndex: 7, reason: NOT_UTF8, code: 'not-utf8' };
    expect(verify(withBytes(bad), bufferLines)).toEqual(expected);
    expect(verify(withBytes(bad), textDecoderLines)).toEqual(expected);
    // Line by line, as the auditor's page feeds its verifier.
    const verifier = new ExportVerifier();
    verifier.checkCheckpoint(signer.checkpoint(events), signer.vkey);
    const bytes = withBytes(bad);
    for (let start = 0, nl = bytes.indexOf(10); nl >= 0; start = nl + 1, nl = bytes.indexOf(10, start))
      if (!verifier.pushBytes(bytes.subarray(start, nl))) break;
    expect(verifier.finish()).toEqual(expected);
    // Lines ended by a lone CR: one line of the chunk as \n splits it, the fault still put at its own leaf.
    const cr = Buffer.from(withBytes(bad).toString('latin1').replace(/\n/g, '\r'), 'latin1');
    expect(cr.includes(10)).toBe(false);
    expect(verify(cr, bufferLines)).toEqual(expected);
    expect(verify(cr, textDecoderLines)).toEqual(expected);
  });
});

describe('ChunkChecker', () => {
  it('gives each event its facts: leaf index, revision, time, hashes, stream, and the rules part of the events the audit reads', () => {
    const events = buildLog([
      { stream: 'filing-a', type: 'WorkFiled', data: workFiledData('a', '2026-01-01T00:00:00.000Z', { creator: 'c' }) },
      amendment('b', 1),
    ]);
    const facts = checkChunk(encoder.encode(lines(events)), new ChunkChecker());
    expect(facts).toMatchObject({
      events: 2,
      streams: ['filing-a', 'filing-b'],
      recordedAt: events.map((e) => e.recordedAt),
      failure: null,
    });
    const floats = new Float64Array(facts.records.buffer, facts.records.byteOffset, 32);
    expect([floats[0], floats[1], floats[2]]).toEqual([0, 0, Date.parse(events[0].recordedAt)]);
    expect(Buffer.from(facts.records.subarray(32, 64)).toString('hex')).toBe(events[0].hash);
    expect(facts.rules).toEqual([
      {
        at: 0,
        event: {
          type: 'WorkFiled',
          stream: 'filing-a',
          leafIndex: 0,
          recordedAt: events[0].recordedAt,
          data: { filingId: 'a', creator: 'c', filedAt: '2026-01-01T00:00:00.000Z' }, // the title and the rest are not read by the rules
        },
      },
    ]);
  });
});

describe('the subtrees a chunk hands over for the Merkle range', () => {
  /** The whole log as one chunk whose tiles had a byte changed, verified against `notes`. */
  const withTamperedTiles = (notes: string[]): ExportResult => {
    const facts = checkChunk(encoder.encode(lines(log)), new ChunkChecker());
    expect(facts.tiles).toHaveLength(32 * 2); // 40 leaves from 0: subtrees of 32 and 8
    facts.tiles![5] ^= 1;
    const verifier = new ExportVerifier();
    for (const note of notes) verifier.checkCheckpoint(note, signer.vkey);
    verifier.pushChunk(facts);
    return verifier.finish();
  };

  it('are what the range takes: a changed one fails the root of the checkpoint at the chunk end', () => {
    expect(withTamperedTiles([checkpoints[1]])).toEqual({
      ok: false,
      leafIndex: 0,
      lastLeafIndex: 39,
      reason:
        'root of the first 40 events does not match the signed checkpoint of size 40: ' +
        "each event's own hash and chain hold, but leaves 0..39 are not those the log signed (changed and re-hashed, reordered, " +
        'inserted or removed), or the export is of another log under the same key; checkpoints in between (--checkpoints) narrow the range',
      code: 'root-mismatch',
      treeSize: 40,
      signedSize: 0,
    });
  });

  it('are not used when a checkpoint falls inside the chunk: its leaves go into the range one by one', () => {
    expect(withTamperedTiles(checkpoints)).toMatchObject({ ok: true, treeSize: 40, checkpointsChecked: 2 });
  });

  it('leave the range at the events accepted when one of the chunk is out of place, as leaf by leaf', () => {
    const text = lines(log).replace('"leafIndex":3}', '"leafIndex":4}'); // the hash does not cover the leaf index
    const facts = checkChunk(encoder.encode(text), new ChunkChecker());
    expect(facts).toMatchObject({ events: 40, failure: null });
    expect(facts.tiles).not.toBeNull();
    const verifier = new ExportVerifier();
    verifier.checkCheckpoint(checkpoints[1], signer.vkey);
    verifier.pushChunk(facts);
    expect(verifier.count).toBe(3);
    expect(verifier.finish()).toEqual(verifyExport(text.split(LINE_BREAK), [checkpoints[1]], signer.vkey));
  });

  it('are not made for a chunk whose first leaf index leaves no room for its events below 2^53: the order check fails it', () => {
    const text = lines(log.slice(0, 3)).replace('"leafIndex":0}', `"leafIndex":${Number.MAX_SAFE_INTEGER}}`);
    const facts = checkChunk(encoder.encode(text), new ChunkChecker());
    expect(facts).toMatchObject({ events: 3, tiles: null, failure: null });
    const verifier = new ExportVerifier();
    expect(verifier.pushChunk(facts)).toBe(false);
    expect(verifier.result).toEqual({
      ok: false,
      leafIndex: 0,
      reason: `leafIndex is ${Number.MAX_SAFE_INTEGER}, expected 0 (an event is missing, moved or inserted)`,
      code: 'misplaced',
      claimed: Number.MAX_SAFE_INTEGER,
      expected: 0,
    });
  });

  it('are given for two events or more, none for one event or after a failure', () => {
    const checker = new ChunkChecker();
    expect(checkChunk(encoder.encode(lines(log.slice(0, 1))), checker).tiles).toBeNull();
    expect(checkChunk(encoder.encode(lines(log.slice(0, 3))), checker).tiles).toHaveLength(32 * 2);
    expect(checkChunk(encoder.encode(lines(log.slice(0, 3)).replace('"leafIndex":2}', '"leafIndex":2,"x":1}')), checker)).toMatchObject({
      events: 2,
      tiles: null,
    });
  });
});

describe('the hashed text cut out of a line as the log writes it', () => {
  it('is the canonical form of the hashed fields for every line of an export in JCS form', () => {
    for (const e of log) {
      expect(hashedText(exportLine(e))).toBe(canonicalEnvelopeBody(e));
      expect(hashedBody(e, exportLine(e))).toBe(canonicalEnvelopeBody(e));
    }
    expect(checkChunk(encoder.encode(exportText(log)), new ChunkChecker())).toMatchObject({ events: log.length, failure: null });
  });

  it('refuses a line with whitespace though its parsed event hashes right; takes one in the order of its own keys, as exports once were', () => {
    const spaced = log.map((e) => JSON.stringify(e, null, 1).replace(/\n/g, ''));
    expect(hashedText(spaced[0])).toBeUndefined();
    expect(() => hashedBody(JSON.parse(spaced[0]) as EventEnvelope, spaced[0])).toThrow(NotCanonicalLine);
    expect(checkChunk(encoder.encode(spaced.join('\n')), new ChunkChecker())).toMatchObject({
      events: 0,
      failure: { at: 0, leafIndex: 0, reason: expect.stringMatching(NOT_CANONICAL), code: 'not-canonical' },
    });
    expect(verifyExport(spaced, checkpoints, signer.vkey)).toMatchObject({
      ok: false,
      leafIndex: 0,
      reason: expect.stringMatching(NOT_CANONICAL),
    });

    const reordered = log.map(({ leafIndex, hash, ...rest }) => JSON.stringify({ leafIndex, hash, ...rest }));
    expect(reordered.map((line) => hashedText(line))).toEqual(reordered.map(() => undefined));
    expect(reordered.map((line) => hashedBody(JSON.parse(line) as EventEnvelope, line))).toEqual(log.map(canonicalEnvelopeBody));
    expect(checkChunk(encoder.encode(reordered.join('\n')), new ChunkChecker())).toMatchObject({ events: log.length, failure: null });
    expect(verifyExport(reordered, checkpoints, signer.vkey)).toMatchObject({ ok: true });
  });

  it('takes a canonical line that the scan does not follow and JSON.stringify writes otherwise (an escaped key, integer-like keys)', () => {
    const e = { ...log[6], data: { ...log[6].data, '10': 1, '9': 2, 'a\u0001b': 3 } };
    e.hash = computeEventHash(e);
    const line = exportLine(e);
    expect(line).toContain('"10":1,"9":2');
    expect(JSON.stringify(JSON.parse(line))).not.toBe(line); // integer-like keys come first, in numeric order
    expect(hashedText(line)).toBeUndefined();
    expect(hashedBody(JSON.parse(line) as EventEnvelope, line)).toBe(canonicalEnvelopeBody(e));
  });

  it('takes a canonical line that the scan does not follow (an escaped key) by serialising its event again', () => {
    const e = { ...log[6], data: { ...log[6].data, 'a\u0001b': 1 } };
    e.hash = computeEventHash(e);
    const line = exportLine(e);
    expect(line).toContain('"a\\u0001b":1');
    expect(hashedText(line)).toBeUndefined();
    expect(hashedBody(JSON.parse(line) as EventEnvelope, line)).toBe(canonicalEnvelopeBody(e));
  });

  // Each line below is another text of an event, carrying the hash of its own text less its hash and leaf index. Read
  // by JSON.parse it is an event whose hash it could carry, while a reader that keeps a repeated key's first value, or
  // takes a text as it stands, may read another: each fails, for its form, or (keys in another order, which every
  // reader reads alike) for the hash of its event's canonical form. None passes.
  const forged: Array<[string, (line: string) => string, RegExp]> = [
    ['a repeated key in its data', (l) => l.replace('"distance":6,', '"distance":6,"distance":1000,'), NOT_CANONICAL],
    ['a repeated top-level key', (l) => l.replace('"type":"CopyRegistered"', '"type":"CopyRegistered","type":"Other"'), NOT_CANONICAL],
    ['a number written 6.0', (l) => l.replace('"distance":6,', '"distance":6.0,'), NOT_CANONICAL],
    ['an escaped letter', (l) => l.replace('"work 6"', '"\\u0077ork 6"'), NOT_CANONICAL],
    ['a space', (l) => l.replace('"distance":6,', '"distance": 6,'), NOT_CANONICAL],
    [
      'keys out of order',
      (l) => l.replace('"location":"work 6","policyVersion":1', '"policyVersion":1,"location":"work 6"'),
      /^hash does not match/,
    ],
    ['an escaped lone surrogate', (l) => l.replace('"work 6"', '"work \\ud800"'), /^the event has no canonical form/],
    ['a number written -0', (l) => l.replace('"distance":6,', '"distance":-0,'), NOT_CANONICAL],
    ['a number written 6e0', (l) => l.replace('"distance":6,', '"distance":6e0,'), NOT_CANONICAL],
    ['an escaped slash', (l) => l.replace('"work 6"', '"work\\/6"'), NOT_CANONICAL],
    ['a line break written \\u000a', (l) => l.replace('"work 6"', '"work\\u000a6"'), NOT_CANONICAL],
    [
      'a "__proto__" member added to its data',
      (l) => l.replace('"distance":6,', '"__proto__":{"x":1},"distance":6,'),
      /^hash does not match/,
    ],
  ];
  it.each(forged)('fails a line with %s, hashed as it stands', (_, edit, reason) => {
    const e = log[6];
    const members = [`,"hash":"${e.hash}"`, `,"leafIndex":${e.leafIndex}`];
    const edited = edit(exportLine(e));
    expect(edited).not.toBe(exportLine(e));
    const hash = createHash('sha256').update(edited.replace(members[0], '').replace(members[1], '')).digest('hex');
    const line = edited.replace(members[0], `,"hash":"${hash}"`);
    const checker = new ChunkChecker();
    checker.addLine(line);
    const code = reason === NOT_CANONICAL ? 'not-canonical' : reason.test('hash does not match') ? 'hash-mismatch' : 'no-canonical-form';
    expect(checker.take().failure).toMatchObject({ at: 0, leafIndex: 6, reason: expect.stringMatching(reason), code });
    const text = exportText(log).replace(exportLine(e), line);
    expect(verifyExport(text, checkpoints, signer.vkey)).toMatchObject({ ok: false, leafIndex: 6, reason: expect.stringMatching(reason) });
  });

  it('fails a repeated key whose last value is the one hashed: JSON.parse reads the event, the line shows another', () => {
    const e = log[6];
    const line = exportLine(e).replace('"location":"work 6"', '"location":"forged","location":"work 6"');
    expect((JSON.parse(line) as EventEnvelope).hash).toBe(e.hash);
    expect(computeEventHash(JSON.parse(line) as EventEnvelope)).toBe(e.hash); // the parsed event is the logged one
    const result = verifyExport(exportText(log).replace(exportLine(e), line), checkpoints, signer.vkey);
    expect(result).toMatchObject({ ok: false, leafIndex: 6, reason: expect.stringMatching(NOT_CANONICAL) });
  });

  it('does not cut a leaf index nested in meta after a comma: a hash over the line less that one does not pass', () => {
    const e = { ...log[6], meta: { a: 0, leafIndex: 5 } };
    const line = exportLine(e);
    const hash = createHash('sha256')
      .update(line.replace(`,"hash":"${e.hash}"`, '').replace(',"leafIndex":5', ''))
      .digest('hex');
    const forgedLine = line.replace(e.hash, hash);
    expect(hashedText(forgedLine)).toBe(canonicalEnvelopeBody(e)); // in JCS form: the top-level members are cut
    const checker = new ChunkChecker();
    checker.addLine(forgedLine);
    expect(checker.take().failure).toMatchObject({
      at: 0,
      leafIndex: 6,
      reason: expect.stringMatching(/^hash does not match/),
      code: 'hash-mismatch',
      leaf: 6,
      expected: hash,
    });
  });
});

describe('a line longer than a verifier reads', () => {
  const genuine = ndjson(log);
  const limit = Math.max(...genuine.map((l) => encoder.encode(l).length));
  // Leaf 7 padded to one byte over the limit: a space too many, which a longer limit would read and refuse otherwise.
  const padded = genuine.map((l, i) => (i === 7 ? l + ' '.repeat(limit + 1 - encoder.encode(l).length) : l));
  const tooLong = {
    ok: false,
    leafIndex: 7,
    code: 'line-too-long',
    limit,
    reason: `line is longer than ${limit} bytes, the most a verifier reads as one line`,
  };

  /** Chunked as the CLI cuts and checks the export, with the limit given to both. */
  function verifyWithLimit(lines: string[], maxLine: number): ExportResult {
    const verifier = new ExportVerifier();
    for (const note of checkpoints) verifier.checkCheckpoint(note, signer.vkey);
    const chunker = new LineChunker(64, maxLine);
    const checker = new ChunkChecker({ lines: bufferLines, maxLineBytes: maxLine });
    for (const chunk of chunker.push(encoder.encode(lines.join('\n') + '\n'))) verifier.pushChunk(checkChunk(chunk, checker));
    const last = chunker.end();
    if (last) verifier.pushChunk(checkChunk(last, checker));
    return verifier.finish();
  }

  it('fails its leaf, undecoded, in chunks and line by line; a line of exactly the limit is read', () => {
    expect(verifyWithLimit(genuine, limit)).toMatchObject({ ok: true, treeSize: 40 });
    expect(verifyWithLimit(padded, limit)).toEqual(tooLong);
    expect(verifyWithLimit(padded, limit + 1)).toMatchObject({ ok: false, leafIndex: 7, code: 'not-canonical' });
    const verifier = new ExportVerifier({ maxLineBytes: limit });
    for (const note of checkpoints) verifier.checkCheckpoint(note, signer.vkey);
    for (const line of padded) if (!verifier.pushBytes(encoder.encode(line))) break;
    expect(verifier.finish()).toEqual(tooLong);
  });
});

describe('LineChunker', () => {
  const text = 'one\ntwo two\r\nthree three three\n' + 'x'.repeat(50) + '\nlast';

  it('cuts only after a line break, keeps a long line whole, and loses no byte', () => {
    const chunker = new LineChunker(8);
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    const bytes = encoder.encode(text);
    for (let at = 0; at < bytes.length; at += 5) for (const c of chunker.push(bytes.subarray(at, at + 5))) chunks.push(decoder.decode(c));
    chunks.push(decoder.decode(chunker.end()!));
    expect(chunks.join('')).toBe(text);
    expect(chunks.slice(0, -1).every((c) => c.endsWith('\n'))).toBe(true);
    expect(chunks.filter((c) => c.includes('x'.repeat(50) + '\n'))).toHaveLength(1);
    expect(chunker.end()).toBeNull();
  });

  it('cuts a line longer than its limit where it has come to, never holding it whole, and loses no byte', () => {
    const chunker = new LineChunker(8, 20);
    const long = 'ab\n' + 'x'.repeat(100) + '\nok\n';
    const chunks: string[] = [];
    const bytes = encoder.encode(long);
    for (let at = 0; at < bytes.length; at += 5)
      for (const c of chunker.push(bytes.subarray(at, at + 5))) chunks.push(new TextDecoder().decode(c));
    const last = chunker.end();
    if (last) chunks.push(new TextDecoder().decode(last));
    expect(chunks.join('')).toBe(long);
    // The buffer grew for the line (8, 16, then 21: one past the limit of 20, no more), and the line went on as far as it had come.
    expect(chunks).toContain('x'.repeat(21));
    expect(Math.max(...chunks.map((c) => c.length))).toBe(21);
  });

  it('starts every chunk at its own buffer and reuses the buffers handed back', () => {
    const chunker = new LineChunker(16);
    const first = [...chunker.push(encoder.encode('0123456789\nabcdefghij\n'))];
    expect(first).toHaveLength(1);
    expect(first[0].byteOffset).toBe(0);
    chunker.recycle(first[0].buffer as ArrayBuffer);
    const next = [...chunker.push(encoder.encode('klmnop\n'))];
    expect(new TextDecoder().decode(next[0])).toBe('abcdefghij\n');
    const last = chunker.end()!; // the bytes after the cut went to the buffer handed back
    expect(last.buffer === first[0].buffer).toBe(true);
    expect(new TextDecoder().decode(last)).toBe('klmnop\n');
  });
});
