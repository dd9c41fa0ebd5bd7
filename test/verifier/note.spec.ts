// C2SP signed-note: the published example, our own notes checked from first principles with node:crypto, and tampering.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import {
  base64Decode,
  base64Encode,
  formatVkey,
  keyId,
  parseNote,
  parseVkey,
  signNote,
  verifyNote,
  vkeyReason,
} from '../../src/verifier/note.js';
import { flipBit, hex, vectors } from './vectors.js';
import { nativeSign, nativeVerify, newKey } from './keys.js';

const { vkey: exampleVkey, note: exampleNote } = vectors.signedNote;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Splits a single-signature note into text, key name and the decoded signature field (key ID ‖ signature). */
function pieces(note: string) {
  const i = note.lastIndexOf('\n\n');
  const [, name, b64] = /^— (\S+) (\S+)\n$/u.exec(note.slice(i + 2))!;
  return { text: note.slice(0, i + 1), name, field: new Uint8Array(Buffer.from(b64, 'base64')) };
}
const assemble = (text: string, name: string, field: Uint8Array) => `${text}\n— ${name} ${Buffer.from(field).toString('base64')}\n`;

describe('base64', () => {
  it('round-trips and rejects what is not canonical padded standard base64', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64Decode(base64Encode(bytes))).toEqual(bytes);
    }
    for (const bad of ['A', 'AB', 'AB=', 'AB=C', 'AAA', '-_8=', 'AQ==\n', ' AQ==', 'AR==', 'AAB='])
      expect(() => base64Decode(bad)).toThrow(SyntaxError);
  });
});

describe('the C2SP signed-note example', () => {
  it('parses the vkey, whose key ID is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4], and formats it back', () => {
    const key = parseVkey(exampleVkey);
    expect(key.name).toBe('example.com/foo');
    expect(hex(key.keyId)).toBe('530d903a');
    const id = createHash('sha256')
      .update(Buffer.concat([Buffer.from(key.name), Buffer.from([0x0a, 0x01]), key.publicKey]))
      .digest()
      .subarray(0, 4);
    expect(hex(id)).toBe('530d903a');
    expect(formatVkey(key.name, key.publicKey)).toBe(exampleVkey);
  });

  it('verifies, with @noble and with node:crypto injected', () => {
    expect(verifyNote(exampleNote, exampleVkey)).toEqual({ ok: true, text: 'This is an example message.\n' });
    expect(verifyNote(exampleNote, exampleVkey, { verify: nativeVerify })).toEqual({ ok: true, text: 'This is an example message.\n' });
  });

  it('fails with a flipped bit anywhere in the text', () => {
    const { text, name, field } = pieces(exampleNote);
    const bytes = enc.encode(text);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      expect(verifyNote(assemble(dec.decode(flipBit(bytes, bit)), name, field), exampleVkey).ok).toBe(false);
    }
  });

  it('fails with a flipped bit anywhere in the key ID or the signature', () => {
    const { text, name, field } = pieces(exampleNote);
    expect(field).toHaveLength(68);
    for (let bit = 0; bit < field.length * 8; bit++) {
      const result = verifyNote(assemble(text, name, flipBit(field, bit)), exampleVkey);
      expect(result.ok).toBe(false);
      expect(result.ok || result.reason).toMatch(bit < 32 ? /no signature by/ : /does not verify/);
    }
  });

  it('fails under another key name, or another key with the same name', () => {
    const { text, field } = pieces(exampleNote);
    expect(verifyNote(assemble(text, 'example.com/bar', field), exampleVkey)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no signature by/),
    });
    const other = newKey();
    expect(verifyNote(exampleNote, formatVkey('example.com/foo', other.publicKey)).ok).toBe(false);
  });
});

describe('our own notes', () => {
  const key = newKey();
  const name = 'ledger.example/log';
  const vkey = formatVkey(name, key.publicKey);
  const text = 'line one\n\nline — three ✓\n';

  it('are verifiable from first principles with node:crypto: key ID from SHA-256, Ed25519 over the text with its final newline', () => {
    const note = signNote(text, name, key.secretKey);
    expect(note.startsWith(text + '\n— ' + name + ' ')).toBe(true);
    const { text: signedText, name: signer, field } = pieces(note);
    expect(signedText).toBe(text);
    expect(signer).toBe(name);
    const expectedId = createHash('sha256')
      .update(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a, 0x01]), key.publicKey]))
      .digest()
      .subarray(0, 4);
    expect(hex(field.subarray(0, 4))).toBe(hex(expectedId));
    expect(hex(keyId(name, key.publicKey))).toBe(hex(expectedId));
    expect(cryptoVerify(null, Buffer.from(text, 'utf8'), key.publicKeyObject, field.subarray(4))).toBe(true);
    expect(vkey).toBe(`${name}+${hex(expectedId)}+${Buffer.concat([Buffer.from([1]), key.publicKey]).toString('base64')}`);
    expect(verifyNote(note, vkey)).toEqual({ ok: true, text });
  });

  it('sign and verify the same with the native functions injected', () => {
    const note = signNote(text, name, key.secretKey, { sign: nativeSign, publicKey: key.publicKey });
    expect(note).toBe(signNote(text, name, key.secretKey)); // Ed25519 is deterministic
    expect(verifyNote(note, vkey, { verify: nativeVerify })).toEqual({ ok: true, text });
  });

  it('ignore signatures by other keys, before or after ours', () => {
    const other = newKey();
    const theirs = signNote(text, 'witness.example/w1', other.secretKey).slice(text.length + 1);
    const sameNameOtherId = signNote(text, name, other.secretKey).slice(text.length + 1);
    const ours = signNote(text, name, key.secretKey).slice(text.length + 1);
    expect(verifyNote(`${text}\n${theirs}${ours}`, vkey)).toEqual({ ok: true, text });
    expect(verifyNote(`${text}\n${ours}${sameNameOtherId}${theirs}`, vkey)).toEqual({ ok: true, text });
    expect(verifyNote(`${text}\n${theirs}${sameNameOtherId}`, vkey).ok).toBe(false);
  });

  it('reject a note where one of two signatures by our key is bad', () => {
    const ours = signNote(text, name, key.secretKey).slice(text.length + 1);
    const { field } = pieces(text + '\n' + ours);
    const bad = `— ${name} ${Buffer.from(flipBit(field, 100)).toString('base64')}\n`;
    expect(verifyNote(`${text}\n${ours}${bad}`, vkey)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not verify/),
      fault: { code: 'bad-signature', key: `${name}+${vkey.split('+')[1]}` },
    });
  });

  it('reject malformed notes', () => {
    const note = signNote(text, name, key.secretKey);
    const sigLine = note.slice(text.length + 1);
    const malformed = [
      note.slice(0, -1), // no final newline
      text + sigLine, // no blank line
      `${text}\n`, // no signatures
      `${text}\n${sigLine}\n`, // empty line among the signatures
      note.replace('— ', '-- '),
      note.replace('— ', '—'),
      note.replace(name, 'a+b'),
      `${text}\n— ${name} AAAA\n`, // shorter than key ID + 1 byte
      `${text}\n— ${name} !!!!\n`,
      note.replace('line one', 'line\u0000one'),
      note.replace('line one', 'line\rone'),
      note.replace('line one', 'line\ud800one'),
      `${text}\n${sigLine.repeat(101)}`,
    ];
    for (const bad of malformed) {
      const result = verifyNote(bad, vkey);
      expect(result.ok).toBe(false);
    }
    expect(parseNote('one line\n' + sigLine)).toEqual({ ok: false, reason: 'malformed note: no blank line before the signatures' });
    expect(verifyNote(`${text}\n${sigLine.repeat(16)}`, vkey)).toEqual({ ok: true, text });
  });

  it('refuse to sign text without a final newline or with control characters, and bad key names', () => {
    expect(() => signNote('no newline', name, key.secretKey)).toThrow(SyntaxError);
    expect(() => signNote('tab\there\n', name, key.secretKey)).toThrow(SyntaxError);
    expect(() => signNote(text, 'has space', key.secretKey)).toThrow(SyntaxError);
    expect(() => signNote(text, 'has+plus', key.secretKey)).toThrow(SyntaxError);
  });

  it('reject bad vkeys', () => {
    const note = signNote(text, name, key.secretKey);
    const [n, id] = vkey.split('+');
    const k = vkey.slice(n.length + id.length + 2); // the base64 key may hold '+' itself
    const wrongType = Buffer.from(k, 'base64');
    wrongType[0] = 0x02;
    for (const [bad, problem] of [
      [`${n}+${id}`, 'format'],
      [`${n}+00000000+${k}`, 'key-id'],
      [`${n}+A${id.slice(1).toUpperCase()}+${k}`, 'key-id-digits'], // upper-case hex (the random key's own ID may have no letter to raise)
      [`${n}+${id}+${wrongType.toString('base64')}`, 'not-ed25519'],
      [`${n}x+${id}+${k}`, 'key-id'],
      [`${n}+${id}+${k}+x`, 'base64'],
      [`a name+${id}+${k}`, 'name'],
    ] as const) {
      expect(() => parseVkey(bad)).toThrow(SyntaxError);
      // Why, as data too: a reader in another language words it from the fault.
      expect(() => parseVkey(bad)).toThrow(expect.objectContaining({ fault: { problem } }));
      expect(verifyNote(note, bad)).toEqual({
        ok: false,
        reason: `bad verifier key: ${vkeyReason({ problem })}`,
        fault: { code: 'vkey', vkey: { problem } },
      });
    }
    expect(parseVkey(vkey + '\n').name).toBe(name);
  });

  it('parse vkeys whose base64 key contains "+" (only the first two "+" separate fields)', () => {
    let withPlus = newKey();
    while (!formatVkey(name, withPlus.publicKey).split('+').slice(2).join('+').includes('+')) withPlus = newKey();
    const v = formatVkey(name, withPlus.publicKey);
    expect(parseVkey(v).publicKey).toEqual(withPlus.publicKey);
    expect(verifyNote(signNote(text, name, withPlus.secretKey), v)).toEqual({ ok: true, text });
  });
});
