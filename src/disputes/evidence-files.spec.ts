import { DomainError } from '../common/domain-error.js';
import type { FileInspection } from '../inspection/file-inspection.js';
import { evidenceItems, type DescribedEvidence, type UploadedEvidence } from './evidence-files.js';

const inspection = (sha256: string, labels: FileInspection['provenance']['labels'] = []): FileInspection => ({
  sha256,
  size: 10,
  sniffedType: 'image/png',
  image: { width: 1, height: 1 },
  perceptualHash: null,
  provenance: { labels, c2pa: null, digitalSourceTypes: [], unread: [] },
  reading: { sha256, size: 10, format: 'png', values: [], traces: [], unread: [] },
});
const upload = (filename: string, sha256 = 'a'.repeat(64), labels: FileInspection['provenance']['labels'] = []): UploadedEvidence => ({
  filename,
  inspection: inspection(sha256, labels),
});
const item = (o: Partial<DescribedEvidence>): DescribedEvidence => ({ description: 'x', declaredAiGenerated: false, ...o });
const code = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return (e as DomainError).code;
  }
};

describe('evidenceItems', () => {
  it('keeps hash-only items as they were, and gives named files their hash, inspection and signals', () => {
    const label = { location: 'png:tEXt:AIGC', label: '1', value: '{"Label":"1"}' };
    const items = evidenceItems(
      [item({ sha256: 'b'.repeat(64) }), item({ file: 'a.png', declaredAiGenerated: true })],
      [upload('a.png', 'c'.repeat(64), [label])],
    );
    expect(items[0]).toEqual({ sha256: 'b'.repeat(64), description: 'x', declaredAiGenerated: false });
    expect(items[1]).toMatchObject({
      sha256: 'c'.repeat(64),
      declaredAiGenerated: true,
      inspection: { filename: 'a.png', signals: [{ signal: 'aigc-label', label: '1' }] },
    });
    expect(items[1].inspection).not.toHaveProperty('reading');
  });

  it("accepts a declared hash that is the file's", () =>
    expect(evidenceItems([item({ file: 'a.png', sha256: 'a'.repeat(64) })], [upload('a.png')])[0].sha256).toBe('a'.repeat(64)));

  it('refuses what does not pair up: a file not uploaded, uploaded twice, described twice or not at all, another hash', () => {
    expect(code(() => evidenceItems([item({ file: 'b.png' })], [upload('a.png')]))).toBe('evidence-file-missing');
    expect(code(() => evidenceItems([item({ file: 'a.png' })], []))).toBe('evidence-file-missing');
    expect(code(() => evidenceItems([item({ file: 'a.png' })], [upload('a.png'), upload('a.png')]))).toBe('duplicate-evidence-file');
    expect(code(() => evidenceItems([item({ file: 'a.png' }), item({ file: 'a.png' })], [upload('a.png')]))).toBe('duplicate-evidence');
    expect(code(() => evidenceItems([], [upload('a.png')]))).toBe('evidence-file-undescribed');
    expect(code(() => evidenceItems([item({ file: 'a.png', sha256: 'f'.repeat(64) })], [upload('a.png')]))).toBe('evidence-hash-mismatch');
  });
});
