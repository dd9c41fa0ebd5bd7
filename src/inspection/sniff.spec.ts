import { sniffType, typeMismatch } from './sniff.js';

const head = (...parts: Array<string | number[]>) =>
  Buffer.concat([...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))), Buffer.alloc(32)]);

describe('sniffType', () => {
  it.each([
    ['image/png', head([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['image/jpeg', head([0xff, 0xd8, 0xff, 0xe0])],
    ['image/gif', head('GIF89a')],
    ['image/webp', head('RIFF', [1, 2, 3, 4], 'WEBPVP8 ')],
    ['image/tiff', head('II*', [0])],
    ['image/tiff', head('MM', [0, 42])],
    ['image/avif', head([0, 0, 0, 0x1c], 'ftypavif')],
    ['image/heic', head([0, 0, 0, 0x18], 'ftypheic')],
    ['application/pdf', head('%PDF-1.7')],
  ])('recognises %s', (type, bytes) => expect(sniffType(bytes)).toBe(type));

  it('names nothing for other bytes, a short head, or an ISO file of another brand', () => {
    expect(sniffType(Buffer.from('hello world, plain text'))).toBeNull();
    expect(sniffType(Buffer.from([0x89, 0x50]))).toBeNull();
    expect(sniffType(head([0, 0, 0, 0x18], 'ftypisom'))).toBeNull();
    expect(sniffType(head('RIFF', [1, 2, 3, 4], 'WAVE'))).toBeNull();
  });
});

describe('typeMismatch', () => {
  it('accepts the declared type, its aliases and parameters', () => {
    expect(typeMismatch('image/png', 'image/png')).toBeNull();
    expect(typeMismatch('image/jpg', 'image/jpeg')).toBeNull();
    expect(typeMismatch('IMAGE/JPEG; q=1', 'image/jpeg')).toBeNull();
  });

  it('refuses a recognised type without its signature, and a signature under another type', () => {
    expect(typeMismatch('image/png', 'image/jpeg')).toBe('the bytes are image/jpeg, not image/png');
    expect(typeMismatch('image/png', null)).toBe('the bytes do not start with the image/png signature');
    expect(typeMismatch('text/plain', 'image/png')).toBe('the bytes are image/png, not text/plain');
  });

  it('lets types it cannot tell from their bytes pass', () => {
    expect(typeMismatch('text/plain', null)).toBeNull();
    expect(typeMismatch('image/svg+xml', null)).toBeNull();
  });
});
