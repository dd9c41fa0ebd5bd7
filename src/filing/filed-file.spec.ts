import { DomainError } from '../common/domain-error.js';
import type { FileInspection } from '../inspection/file-inspection.js';
import { checkFiledFile, type DeclaredFile } from './filed-file.js';

const H = 'ab'.repeat(32);
const inspection = (o: Partial<FileInspection> = {}): FileInspection => ({
  sha256: H,
  size: 1000,
  sniffedType: 'image/png',
  image: { width: 10, height: 10 },
  perceptualHash: { scheme: 'phash64', value: '00000000000000ff' },
  provenance: { labels: [], c2pa: null, digitalSourceTypes: [], unread: [] },
  reading: { sha256: H, size: 1000, format: 'png', values: [], traces: [], unread: [] },
  ...o,
});
const declared = (o: Partial<DeclaredFile> = {}): DeclaredFile => ({
  contentHash: null,
  contentType: 'image/png',
  perceptualHash: null,
  ...o,
});
const code = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return (e as DomainError).code;
  }
};

describe('checkFiledFile', () => {
  it('takes the content hash from the file and files the computed perceptual hash', () => {
    const r = checkFiledFile(declared(), inspection(), 8);
    expect(r.contentHash).toBe(H);
    expect(r.perceptualHash).toEqual({ scheme: 'phash64', value: '00000000000000ff', source: 'computed' });
    expect(r.file).toMatchObject({ sha256: H, sniffedType: 'image/png', declaredPerceptualHash: null, aiSignals: [] });
    expect(r.file).not.toHaveProperty('reading');
  });

  it('keeps a declared hash within the threshold for the record', () => {
    const r = checkFiledFile(declared({ perceptualHash: { scheme: 'phash64', value: '0000000000000000' } }), inspection(), 8);
    expect(r.perceptualHash).toEqual({ scheme: 'phash64', value: '00000000000000ff', source: 'computed' });
    expect(r.file.declaredPerceptualHash).toEqual({ scheme: 'phash64', value: '0000000000000000', source: 'declared' });
  });

  it('files a declared hash as declared when the file is not an image it decodes', () => {
    const r = checkFiledFile(
      declared({ contentType: 'application/pdf', perceptualHash: { scheme: 'simhash64', value: '1'.repeat(16) } }),
      inspection({ sniffedType: 'application/pdf', image: null, perceptualHash: null }),
      8,
    );
    expect(r.perceptualHash).toEqual({ scheme: 'simhash64', value: '1'.repeat(16), source: 'declared' });
  });

  it('refuses another content hash, another type, a far or foreign perceptual hash', () => {
    expect(code(() => checkFiledFile(declared({ contentHash: 'cd'.repeat(32) }), inspection(), 8))).toBe('content-hash-mismatch');
    expect(code(() => checkFiledFile(declared({ contentType: 'image/jpeg' }), inspection(), 8))).toBe('content-type-mismatch');
    expect(
      code(() => checkFiledFile(declared({ perceptualHash: { scheme: 'phash64', value: '0000000000000000' } }), inspection(), 7)),
    ).toBe('perceptual-hash-mismatch');
    expect(code(() => checkFiledFile(declared({ perceptualHash: { scheme: 'pdq256', value: '0'.repeat(64) } }), inspection(), 8))).toBe(
      'perceptual-hash-mismatch',
    );
  });
});
