// The log's signed head of a stream: its exact text, strict parsing, and that it never reads as a checkpoint (nor a
// checkpoint as it), though both are signed by the log's key.
import { signCheckpoint, verifyCheckpoint } from '../../src/verifier/checkpoint.js';
import { formatVkey, signNote, verifyNote } from '../../src/verifier/note.js';
import { formatStreamHead, parseStreamHead, STREAM_HEAD } from '../../src/verifier/stream-head.js';
import { nativeVerify, newKey } from './keys.js';
import { vectors } from './vectors.js';

const origin = 'ledger.example/sandbox';
const head = { origin, stream: 'filing-0190f0e8-5b1a-7c3e-9d2f-123456789abc', events: 3, headHash: 'ab'.repeat(32), treeSize: 42 };

describe('stream head', () => {
  it('is six lines: the statement, origin, stream, event count, last hash, tree size; and parses back', () => {
    const text = formatStreamHead(head);
    expect(text).toBe(`${STREAM_HEAD}\n${origin}\n${head.stream}\n3\n${'ab'.repeat(32)}\n42\n`);
    expect(parseStreamHead(text)).toEqual(head);
  });

  it.each([
    ['another first line', (t: string) => t.replace(STREAM_HEAD, 'sandbox-ledger/stream-head/v2')],
    ['no final newline', (t: string) => t.slice(0, -1)],
    ['a line more', (t: string) => `${t}extra\n`],
    ['a count with a leading zero', (t: string) => t.replace('\n3\n', '\n03\n')],
    ['a count with a sign', (t: string) => t.replace('\n3\n', '\n+3\n')],
    ['a hash in capitals', (t: string) => t.replace('ab'.repeat(32), 'AB'.repeat(32))],
    ['a short hash', (t: string) => t.replace('ab'.repeat(32), 'ab'.repeat(31))],
    ['an empty stream', (t: string) => t.replace(head.stream, '')],
    ['a tree size past 2^53', (t: string) => t.replace('\n42\n', '\n9007199254740993\n')],
    ['a tree size of 17 digits', (t: string) => t.replace('\n42\n', '\n99999999999999999\n')],
  ])('refuses a text with %s', (_, edit) => {
    expect(parseStreamHead(edit(formatStreamHead(head)))).toBeUndefined();
  });

  it('signed by the log key, verifies as a note but is no checkpoint, and a checkpoint is no stream head', () => {
    const key = newKey();
    const vkey = formatVkey(origin, key.publicKey);
    const note = signNote(formatStreamHead(head), origin, key.secretKey);
    const verified = verifyNote(note, vkey, { verify: nativeVerify });
    expect(verified).toEqual({ ok: true, text: formatStreamHead(head) });
    expect(verifyCheckpoint(note, vkey, { verify: nativeVerify })).toMatchObject({ ok: false });
    const checkpoint = signCheckpoint({ origin, treeSize: 8, rootHash: vectors.rootsBySize[8], time: 1 }, key.secretKey);
    const asNote = verifyNote(checkpoint, vkey, { verify: nativeVerify });
    expect(asNote.ok && parseStreamHead(asNote.text)).toBe(undefined);
  });
});
