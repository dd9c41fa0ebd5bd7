// C2SP tlog-checkpoint: exact body format, strict parsing, and signatures checked from first principles with node:crypto.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { formatCheckpointBody, parseCheckpoint, signCheckpoint, verifyCheckpoint } from '../../src/verifier/checkpoint.js';
import { formatVkey, signNote } from '../../src/verifier/note.js';
import { hex, unhex, vectors } from './vectors.js';
import { nativeVerify, newKey } from './keys.js';

const origin = 'ledger.example/sandbox';
const root8 = vectors.rootsBySize[8];
const root8b64 = Buffer.from(root8, 'hex').toString('base64');

describe('checkpoint body', () => {
  it('is <origin>\\n<size>\\n<base64 root>\\ntime <unix seconds>\\n', () => {
    expect(formatCheckpointBody({ origin, treeSize: 8, rootHash: root8, time: 1767225600 })).toBe(
      `${origin}\n8\n${root8b64}\ntime 1767225600\n`,
    );
    expect(formatCheckpointBody({ origin, treeSize: 8, rootHash: unhex(root8) })).toBe(`${origin}\n8\n${root8b64}\n`);
    expect(formatCheckpointBody({ origin, treeSize: 0, rootHash: vectors.rootsBySize[0], time: 0 })).toBe(
      `${origin}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ntime 0\n`,
    );
  });

  it('refuses bad input', () => {
    expect(() => formatCheckpointBody({ origin: '', treeSize: 1, rootHash: root8 })).toThrow();
    expect(() => formatCheckpointBody({ origin: 'a\nb', treeSize: 1, rootHash: root8 })).toThrow();
    expect(() => formatCheckpointBody({ origin, treeSize: -1, rootHash: root8 })).toThrow();
    expect(() => formatCheckpointBody({ origin, treeSize: 1.5, rootHash: root8 })).toThrow();
    expect(() => formatCheckpointBody({ origin, treeSize: 1, rootHash: new Uint8Array(31) })).toThrow();
    expect(() => formatCheckpointBody({ origin, treeSize: 1, rootHash: root8, time: 1.5 })).toThrow();
  });

  it('parses back, with extension lines and the time', () => {
    const parsed = parseCheckpoint(`${origin}\n8\n${root8b64}\ntime 1767225600\nother ext\n`);
    expect(parsed).toEqual({ origin, treeSize: 8, rootHash: unhex(root8), extensions: ['time 1767225600', 'other ext'], time: 1767225600 });
    expect(parseCheckpoint(`${origin}\n8\n${root8b64}\n`)).toEqual({ origin, treeSize: 8, rootHash: unhex(root8), extensions: [] });
  });

  it.each([
    ['no final newline', `${origin}\n8\n${root8b64}`],
    ['two lines', `${origin}\n8\n`],
    ['empty origin', `\n8\n${root8b64}\n`],
    ['leading zero', `${origin}\n08\n${root8b64}\n`],
    ['negative size', `${origin}\n-8\n${root8b64}\n`],
    ['size beyond 2^53', `${origin}\n18446744073709551615\n${root8b64}\n`],
    ['root not base64', `${origin}\n8\n${root8}\n`],
    ['root of 31 bytes', `${origin}\n8\n${Buffer.alloc(31).toString('base64')}\n`],
    ['empty extension line', `${origin}\n8\n${root8b64}\n\ntime 1\n`],
    ['bad time', `${origin}\n8\n${root8b64}\ntime 01\n`],
  ])('rejects %s', (_, text) => {
    expect(() => parseCheckpoint(text)).toThrow(SyntaxError);
  });
});

describe('signed checkpoints', () => {
  const key = newKey();
  const vkey = formatVkey(origin, key.publicKey);
  const note = signCheckpoint({ origin, treeSize: 8, rootHash: root8, time: 1767225600 }, key.secretKey);

  it('verify, and are exactly the documented format, checked from first principles with node:crypto', () => {
    const body = `${origin}\n8\n${root8b64}\ntime 1767225600\n`;
    const m = /^— (\S+) (\S+)\n$/u.exec(note.slice(body.length + 1))!;
    expect(note.slice(0, body.length + 1)).toBe(body + '\n');
    expect(m[1]).toBe(origin);
    const field = Buffer.from(m[2], 'base64');
    const expectedId = createHash('sha256')
      .update(Buffer.concat([Buffer.from(origin), Buffer.from([0x0a, 0x01]), key.publicKey]))
      .digest()
      .subarray(0, 4);
    expect(hex(field.subarray(0, 4))).toBe(hex(expectedId));
    expect(field).toHaveLength(68);
    expect(cryptoVerify(null, Buffer.from(body), key.publicKeyObject, field.subarray(4))).toBe(true);

    const result = verifyCheckpoint(note, vkey);
    expect(result).toEqual({
      ok: true,
      checkpoint: { origin, treeSize: 8, rootHash: unhex(root8), extensions: ['time 1767225600'], time: 1767225600 },
    });
    expect(verifyCheckpoint(note, vkey, { verify: nativeVerify }).ok).toBe(true);
  });

  it('fail when the origin is not the key name, even when correctly signed', () => {
    const body = formatCheckpointBody({ origin: 'other.example/log', treeSize: 8, rootHash: root8 });
    const signed = signNote(body, origin, key.secretKey);
    expect(verifyCheckpoint(signed, vkey)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/is not the key name/),
      fault: { code: 'origin', origin: 'other.example/log', keyName: origin },
    });
  });

  it('fail with another key, a changed size or root, or a body that is not a checkpoint', () => {
    expect(verifyCheckpoint(note, formatVkey(origin, newKey().publicKey)).ok).toBe(false);
    expect(verifyCheckpoint(note.replace(`${origin}\n8\n`, `${origin}\n9\n`), vkey).ok).toBe(false);
    const otherRoot = Buffer.from(vectors.rootsBySize[7], 'hex').toString('base64');
    expect(verifyCheckpoint(note.replace(root8b64, otherRoot), vkey).ok).toBe(false);
    const notCheckpoint = signNote('just text\n', origin, key.secretKey);
    expect(verifyCheckpoint(notCheckpoint, vkey)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/checkpoint needs/),
      fault: { code: 'malformed-checkpoint' },
    });
    expect(verifyCheckpoint('not a note', vkey)).toMatchObject({ ok: false, fault: { code: 'malformed-note' } });
  });
});
