// The inspection of real files: pictures made with sharp, labels embedded as real PNG chunks and XMP, and JPEG files
// with C2PA manifests made by other tools (test/fixtures/c2pa).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../src/common/domain-error.js';
import type { AppConfig } from '../../src/config.js';
import { provenanceSignals } from '../../src/inspection/file-inspection.js';
import { FileInspector, Slots } from '../../src/inspection/file-inspector.js';
import { hammingDistanceHex } from '../../src/inspection/phash.js';
import { app1Xmp, iTXt, sha256, tEXt, xmpPacket } from '../support/files.js';
import { claimedSizePng, resizedJpeg, sceneJpeg, scenePng, withJpegSegments, withPngChunks } from '../support/images.js';

export const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'c2pa', name));
const AI = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
const COMPOSITE_AI = 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia';
const label = (l: string) =>
  JSON.stringify({
    Label: l,
    ContentProducer: 'ACME-AI',
    ProduceID: 'p1',
    ReservedCode1: '',
    ContentPropagator: '',
    PropagateID: '',
    ReservedCode2: '',
  });

async function* chunked(bytes: Buffer, size = 7919): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('FileInspector', () => {
  const config = { uploadLimit: 2 * 1024 * 1024, imagePixelLimit: 4_000_000, inspectionConcurrency: 2 } as AppConfig;
  const inspector = new FileInspector(config);
  const inspect = (bytes: Buffer) => inspector.inspect(chunked(bytes));
  async function refusal(bytes: Buffer): Promise<DomainError> {
    const err = await inspect(bytes).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }

  it('hashes a PNG, reads its type from its bytes and computes its perceptual hash from its pixels', async () => {
    const png = await scenePng(1, 320, 200);
    const r = await inspect(png);
    expect(r).toMatchObject({ sha256: sha256(png), size: png.length, sniffedType: 'image/png', image: { width: 320, height: 200 } });
    expect(r.perceptualHash).toEqual({ scheme: 'phash64', value: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(r.provenance).toEqual({ labels: [], c2pa: null, digitalSourceTypes: [], unread: [] });
    expect(provenanceSignals(r.provenance)).toEqual([]);
  });

  it('the same inspection whatever the chunks and whatever size was announced (exact, too small, too large, none)', async () => {
    const png = withPngChunks(await scenePng(7, 120, 90), [tEXt('AIGC', label('1'))]);
    const reference = await inspect(png);
    for (const [size, expected] of [
      [1, png.length],
      [5, png.length - 100],
      [31, png.length * 2],
      [64, null],
      [png.length, 40],
    ] as const) {
      expect(await inspector.inspect(chunked(png, size), expected)).toEqual(reference);
    }
  });

  it('a file shorter than any signature is hashed whole', async () => {
    const tiny = Buffer.from([0x89, 0x50, 0x4e]);
    expect(await inspector.inspect(chunked(tiny, 1))).toMatchObject({
      sha256: sha256(tiny),
      size: 3,
      sniffedType: null,
      perceptualHash: null,
    });
  });

  it('a resized, re-encoded copy is within the similarity threshold; unrelated pictures are far apart', async () => {
    const originals = await Promise.all([1, 2, 3, 4, 5].map((seed) => scenePng(seed, 400, 300)));
    const hashes = await Promise.all(originals.map(async (png) => (await inspect(png)).perceptualHash!.value));
    for (const [i, png] of originals.entries()) {
      const copy = await inspect(await resizedJpeg(png, 200 + i * 40, 170, 60));
      expect(copy.sniffedType).toBe('image/jpeg');
      // Within the default similarity threshold of 8 bits (policy v1).
      expect(hammingDistanceHex(copy.perceptualHash!.value, hashes[i])).toBeLessThanOrEqual(8);
    }
    for (let i = 0; i < hashes.length; i++) {
      for (let j = i + 1; j < hashes.length; j++) expect(hammingDistanceHex(hashes[i], hashes[j])).toBeGreaterThan(16);
    }
  });

  it('finds AIGC labels in PNG tEXt and iTXt chunks, and the IPTC digital source type in JPEG XMP', async () => {
    const png = withPngChunks(await scenePng(2), [tEXt('AIGC', label('1')), iTXt('AIGC', label('2'))]);
    const r = await inspect(png);
    expect(r.provenance.labels).toEqual([
      { location: 'png:tEXt:AIGC', label: '1', value: label('1') },
      { location: 'png:iTXt:AIGC', label: '2', value: label('2') },
    ]);
    expect(provenanceSignals(r.provenance)).toEqual([
      { signal: 'aigc-label', location: 'png:tEXt:AIGC', label: '1' },
      { signal: 'aigc-label', location: 'png:iTXt:AIGC', label: '2' },
    ]);

    const jpeg = withJpegSegments(await sceneJpeg(3), [app1Xmp(xmpPacket({ digitalSourceType: AI }))]);
    const j = await inspect(jpeg);
    expect(j.provenance.digitalSourceTypes).toEqual([{ location: 'xmp:Iptc4xmpExt:DigitalSourceType', value: AI }]);
    expect(provenanceSignals(j.provenance)).toEqual([
      { signal: 'iptc-digital-source-type', digitalSourceType: AI, location: 'xmp:Iptc4xmpExt:DigitalSourceType' },
    ]);
  });

  it('a label "3" (suspected) or a malformed one is recorded, not taken as a signal', async () => {
    const r = await inspect(withPngChunks(await scenePng(4), [tEXt('AIGC', label('3')), iTXt('AIGC', '{"Label":')]));
    expect(r.provenance.labels.map((l) => l.label)).toEqual(['3', null]);
    expect(provenanceSignals(r.provenance)).toEqual([]);
  });

  it('reads the C2PA manifest of the Adobe Firefly fixture: valid, both AI digital source types, a signal', async () => {
    const r = await inspect(fixture('firefly-trained-ai.jpg'));
    expect(r.sniffedType).toBe('image/jpeg');
    expect(r.provenance.c2pa).toMatchObject({
      validationState: 'Valid',
      signer: 'Adobe Inc.',
      claimGenerator: expect.stringContaining('Adobe_Photoshop'),
    });
    const types = (r.provenance.c2pa as { digitalSourceTypes: Array<{ value: string }> }).digitalSourceTypes.map((d) => d.value);
    expect(types).toEqual(expect.arrayContaining([AI, COMPOSITE_AI]));
    const signals = provenanceSignals(r.provenance);
    expect(signals).toContainEqual(
      expect.objectContaining({
        signal: 'c2pa-digital-source-type',
        digitalSourceType: AI,
        validationState: 'Valid',
        assertion: 'c2pa.actions.v2',
      }),
    );
    expect(signals.every((s) => s.signal === 'c2pa-digital-source-type')).toBe(true);
    // Its Photoshop manifest declares the composite type in two actions of one assertion: one signal.
    expect(signals).toHaveLength(new Set(signals.map((s) => JSON.stringify(s))).size);
    expect(signals.map((s) => (s as { digitalSourceType: string }).digitalSourceType).sort()).toEqual([COMPOSITE_AI, AI]);
  });

  it('a signed manifest without an AI source type is recorded and gives no signal; a JPEG without a manifest has none', async () => {
    const signed = await inspect(fixture('c2pa-no-ai.jpg'));
    expect(signed.provenance.c2pa).toMatchObject({ validationState: 'Valid', digitalSourceTypes: [] });
    expect(provenanceSignals(signed.provenance)).toEqual([]);
    const plain = await inspect(fixture('no-manifest.jpg'));
    expect(plain.provenance.c2pa).toBeNull();
    expect(plain.perceptualHash).not.toBeNull();
  });

  it('a file that is no image is hashed and typed, nothing more', async () => {
    const text = Buffer.from('a plain text file, '.repeat(1000));
    expect(await inspect(text)).toMatchObject({
      sha256: sha256(text),
      size: text.length,
      sniffedType: null,
      image: null,
      perceptualHash: null,
    });
  });

  it('refuses a truncated or corrupt image (422 image-unreadable)', async () => {
    const png = await scenePng(5);
    expect((await refusal(png.subarray(0, png.length >> 1))).code).toBe('image-unreadable');
    const jpeg = await sceneJpeg(6);
    expect((await refusal(jpeg.subarray(0, jpeg.length >> 1))).code).toBe('image-unreadable');
    expect((await refusal(Buffer.concat([png.subarray(0, 64), Buffer.alloc(4096, 0x5a)]))).code).toBe('image-unreadable');
  });

  it('refuses an image whose dimensions pass the pixel limit before decoding it (422 image-too-large)', async () => {
    const err = await refusal(claimedSizePng(100_000, 100_000));
    expect(err).toMatchObject({
      kind: 'unprocessable',
      code: 'image-too-large',
      extensions: { width: 100_000, height: 100_000, pixelLimit: 4_000_000 },
    });
  });

  it('refuses a file over the upload limit (413 file-too-large)', async () => {
    const err = await refusal(Buffer.alloc(config.uploadLimit + 1, 1));
    expect(err).toMatchObject({ kind: 'too-large', code: 'file-too-large' });
  });
});

describe('Slots', () => {
  it('runs at most its size at a time, the others in turn', async () => {
    const slots = new Slots(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        slots.run(async () => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 5));
          order.push(i);
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(order.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('frees the slot of a failed task', async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(slots.run(async () => 'yes')).resolves.toBe('yes');
  });
});
