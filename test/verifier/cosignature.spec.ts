// tlog-cosignature: Ed25519 cosignature/v1 and ML-DSA-44 subtree/v1 lines, cosigner vkeys, and a witness quorum.
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import {
  checkWitnessQuorum,
  COSIGNATURE_V1,
  cosignerLabel,
  misnamedCosigners,
  cosignatureV1Message,
  formatCosignerVkey,
  ML_DSA_44,
  parseCosignerVkey,
  signCosignatureV1,
  signMlDsaCosignature,
  subtreeV1Message,
  verifyCosignatures,
} from '../../src/verifier/cosignature.js';
import { parseNote } from '../../src/verifier/note.js';
import { isoSeconds } from '../../src/cli/trust.js';
import { newSigner, sampleLog } from './fixture.js';

const log = sampleLog();
const signer = newSigner();
const note = signer.checkpoint(log);
const text = (parseNote(note) as { text: string }).text;
const witness = (name: string) => {
  const seed = ed25519.utils.randomSecretKey();
  return { name, seed, key: parseCosignerVkey(formatCosignerVkey(name, COSIGNATURE_V1, ed25519.getPublicKey(seed))) };
};

describe('cosigner vkeys', () => {
  it('derive the key ID from name, type and key, and refuse a wrong one', () => {
    const w = witness('witness.example/w1');
    const vkey = formatCosignerVkey(w.name, COSIGNATURE_V1, w.key.publicKey);
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from('witness.example/w1\n'), Buffer.from([0x04]), w.key.publicKey]))
      .digest()
      .subarray(0, 4);
    expect(vkey.split('+')[1]).toBe(expected.toString('hex'));
    expect(parseCosignerVkey(vkey).type).toBe(COSIGNATURE_V1);
    expect(() => parseCosignerVkey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(/key ID/);
    expect(() => parseCosignerVkey(signer.vkey)).toThrow(/not a cosigner key/);
    expect(() => parseCosignerVkey(signer.vkey)).toThrow(expect.objectContaining({ fault: { problem: 'not-cosigner' } }));
    const short = Buffer.from(vkey.split('+')[2], 'base64').subarray(0, 20).toString('base64');
    expect(() => parseCosignerVkey(`${w.name}+00000000+${short}`)).toThrow(
      expect.objectContaining({ message: 'a type 0x04 vkey holds a 32-byte key', fault: { problem: 'key-size', keyType: 4, bytes: 32 } }),
    );
    const pq = ml_dsa44.keygen(new Uint8Array(32).fill(7));
    expect(parseCosignerVkey(formatCosignerVkey('log.example', ML_DSA_44, pq.publicKey)).type).toBe(ML_DSA_44);
  });
});

describe('cosignature lines', () => {
  it('Ed25519 cosignature/v1 signs "cosignature/v1", the time and the whole checkpoint text', () => {
    expect(new TextDecoder().decode(cosignatureV1Message(text, 1700000000))).toBe(`cosignature/v1\ntime 1700000000\n${text}`);
    const w = witness('witness.example/w1');
    const line = signCosignatureV1(text, w.name, w.seed, 1700000000);
    const bytes = Buffer.from(line.trim().split(' ')[2], 'base64');
    expect(bytes.length).toBe(4 + 8 + 64);
    expect(bytes.readBigUInt64BE(4)).toBe(1700000000n);
    expect(verifyCosignatures(note + line, [w.key]).valid).toMatchObject([{ timestamp: 1700000000 }]);
    const other = signer.checkpoint(log, 5);
    expect(verifyCosignatures(other + line, [w.key])).toMatchObject({ valid: [], invalid: [expect.stringMatching(/does not verify/)] });
  });

  it('ML-DSA-44 subtree/v1 signs the label, names, timestamp, range and root', () => {
    const message = subtreeV1Message('log.example', 5, text);
    expect(Buffer.from(message.subarray(0, 12)).toString('latin1')).toBe('subtree/v1\n\0');
    expect(message.length).toBe(12 + 1 + 11 + 8 + 1 + Buffer.byteLength(text.split('\n')[0]) + 8 + 8 + 32);
    const keys = ml_dsa44.keygen(new Uint8Array(32).fill(1));
    const key = parseCosignerVkey(formatCosignerVkey('log.example', ML_DSA_44, keys.publicKey));
    const line = signMlDsaCosignature(text, 'log.example', keys, 1767225612);
    expect(Buffer.from(line.trim().split(' ')[2], 'base64').length).toBe(4 + 8 + 2420);
    expect(verifyCosignatures(note + line, [key]).valid).toMatchObject([{ timestamp: 1767225612 }]);
    const [dash, name, b64] = line.trim().split(' ');
    const bytes = Buffer.from(b64, 'base64');
    bytes[4 + 8 + 1000] ^= 0x01; // a byte in the middle of the signature
    const tampered = `${dash} ${name} ${bytes.toString('base64')}\n`;
    expect(verifyCosignatures(note + tampered, [key]).valid).toEqual([]);
  });

  it('counts a quorum of distinct witnesses; a forged second line does not count', () => {
    const [w1, w2] = [witness('w.example/1'), witness('w.example/2')];
    const one = note + signCosignatureV1(text, w1.name, w1.seed, 1);
    expect(checkWitnessQuorum(one, [w1.key, w2.key], 1)).toMatchObject({ ok: true });
    expect(checkWitnessQuorum(one + signCosignatureV1(text, w1.name, w1.seed, 2), [w1.key, w2.key], 2)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/1 valid witness cosignature\(s\), 2 required/),
    });
    const forged = signCosignatureV1(text, w2.name, witness(w2.name).seed, 1).replace(
      /^(\u2014 \S+ )[A-Za-z0-9+/]{6}/,
      (_, p) => p + Buffer.from(w2.key.keyId).toString('base64').slice(0, 6),
    );
    expect(checkWitnessQuorum(one + forged, [w1.key, w2.key], 2).ok).toBe(false);
    expect(checkWitnessQuorum(one + signCosignatureV1(text, w2.name, w2.seed, 3), [w1.key, w2.key], 2)).toMatchObject({ ok: true });
    // A key listed twice is one witness.
    expect(checkWitnessQuorum(one, [w1.key, w1.key], 2)).toMatchObject({ ok: false, fault: { valid: 1, quorum: 2 } });
    expect(checkWitnessQuorum(one, [w1.key, { ...w1.key, keyId: Uint8Array.from(w1.key.keyId) }], 2).ok).toBe(false);
  });

  it('names a witness key whose cosignature is on the note under another name, and no other', () => {
    const w = witness('w.example/right');
    // The same public key under another name: another key ID, so its line is not counted as this key's.
    const renamed = parseCosignerVkey(formatCosignerVkey('w.example/wrong', COSIGNATURE_V1, ed25519.getPublicKey(w.seed)));
    const other = witness('w.example/other');
    const cosigned = note + signCosignatureV1(text, w.name, w.seed, 5) + signCosignatureV1(text, other.name, other.seed, 6);
    expect(misnamedCosigners(cosigned, [renamed, other.key])).toEqual([{ key: cosignerLabel(renamed), signedAs: 'w.example/right' }]);
    expect(checkWitnessQuorum(cosigned, [renamed, other.key], 2)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('the witness signs as "w.example/right", so its vkey must be made with that name'),
      fault: { valid: 1, quorum: 2, invalid: [], misnamed: [{ key: cosignerLabel(renamed), signedAs: 'w.example/right' }] },
    });
    // A key with its own line (even one that does not verify) and a key that signed nothing are not misnamed.
    expect(misnamedCosigners(cosigned, [w.key, witness('w.example/absent').key])).toEqual([]);
    // ML-DSA-44: its message holds the line's name.
    const pq = ml_dsa44.keygen(new Uint8Array(32).fill(3));
    const pqRenamed = parseCosignerVkey(formatCosignerVkey('pq.example/wrong', ML_DSA_44, pq.publicKey));
    const pqNote = note + signMlDsaCosignature(text, 'pq.example/right', pq, 7);
    expect(misnamedCosigners(pqNote, [pqRenamed])).toEqual([{ key: cosignerLabel(pqRenamed), signedAs: 'pq.example/right' }]);
  });
});

describe('isoSeconds', () => {
  it('writes an instant in seconds as ISO 8601, and one beyond the dates JavaScript holds as the number, without throwing', () => {
    expect(isoSeconds(1_500_000_000)).toBe('2017-07-14T02:40:00Z');
    expect(isoSeconds(0)).toBe('1970-01-01T00:00:00Z');
    expect(isoSeconds(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991 s after 1970-01-01T00:00:00Z');
  });
});
