// The server's and the CLI's SHA-256 (Node's native one, its digest read from a one-byte-per-character text) gives the
// digest node:crypto's streaming interface gives, for inputs of every length around SHA-256's block, for bytes that are
// not ASCII (every byte value, where a text decoding would go wrong), and hands back a digest of its own.
import { createHash, randomBytes } from 'node:crypto';
import { nativeSha256, nativeSha256Text } from '../../src/ledger/native-sha256.js';

const reference = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('native SHA-256', () => {
  it('gives the streaming digest for every length from 0 to 200 bytes and for 1 MiB', () => {
    for (let n = 0; n <= 200; n++) {
      const data = randomBytes(n);
      expect(hex(nativeSha256(data))).toBe(reference(data));
    }
    const big = randomBytes(1 << 20);
    expect(hex(nativeSha256(big))).toBe(reference(big));
  });

  it('reads every byte value of a digest exactly (bytes 0x80–0xff included)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000 && seen.size < 256; i++) {
      const data = Uint8Array.of(i & 0xff, i >> 8);
      const digest = nativeSha256(data);
      expect(hex(digest)).toBe(reference(data));
      digest.forEach((b) => seen.add(b));
    }
    expect(seen.size).toBe(256);
  });

  it('hashes a view of a larger buffer over the view only, and returns 32 bytes in a buffer of their own', () => {
    const buffer = randomBytes(100);
    const view = buffer.subarray(10, 43);
    const digest = nativeSha256(view);
    expect(hex(digest)).toBe(reference(Buffer.from(view)));
    expect(digest).toBeInstanceOf(Uint8Array);
    expect(digest.length).toBe(32);
    expect(digest.byteOffset).toBe(0);
    expect(digest.buffer.byteLength).toBe(32);
    expect(nativeSha256(view)).not.toBe(digest);
  });

  it('hashes a text as its UTF-8 bytes', () => {
    for (const text of ['', 'abc', 'é€😀', '\u0000\u007f\u0080']) {
      expect(nativeSha256Text(text)).toBe(reference(Buffer.from(text, 'utf8')));
    }
  });
});
