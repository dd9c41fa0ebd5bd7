// The streaming scan and the label reader on real PNG and JPEG bytes, cut into chunks at every possible boundary.
import { INFLATE_BUDGET, readImplicitLabels, XMP_LIMIT } from '../../src/inspection/metadata-reader.js';
import { METADATA_LIMIT, UploadScan, type ScannedUpload } from '../../src/inspection/upload-scan.js';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { app1Xmp, iTXt, jpeg, png, pngChunk, sha256, tEXt, xmpPacket, zTXt } from '../support/files.js';

const label = JSON.stringify({
  Label: '1',
  ContentProducer: 'ACME-AI',
  ProduceID: 'gen-0001',
  ReservedCode1: '',
  ContentPropagator: '',
  PropagateID: '',
  ReservedCode2: '',
});

function scan(file: Buffer, chunkSize = file.length): ScannedUpload {
  const s = new UploadScan();
  for (let at = 0; at < file.length; at += chunkSize) s.update(file.subarray(at, at + chunkSize));
  return s.finish();
}

describe('upload scan', () => {
  const labelled = png({
    before: [tEXt('AIGC', label), iTXt('XML:com.adobe.xmp', xmpPacket({ aigc: label }))],
    after: [iTXt('AIGC', label, true)],
  });

  it('hashes every byte and keeps the PNG metadata chunks without the image data, whatever the chunk boundaries', () => {
    const whole = scan(labelled);
    expect(whole).toMatchObject({ sha256: sha256(labelled), size: labelled.length, format: 'png', metadataTruncated: false });
    expect(whole.segments).toEqual(['IHDR', 'tEXt', 'iTXt', 'IDAT', 'iTXt', 'IEND']);
    expect(whole.metadata.includes(Buffer.from('IDAT'))).toBe(false);
    for (const size of [1, 2, 3, 7, 8, 12, 13, 64]) {
      const s = scan(labelled, size);
      expect(s.sha256).toBe(whole.sha256);
      expect(s.metadata.equals(whole.metadata)).toBe(true);
    }
  });

  it('reads tEXt, compressed iTXt and XMP labels out of a PNG', async () => {
    const r = await readImplicitLabels(scan(labelled, 5));
    expect(r.values).toEqual([
      { location: 'png:tEXt:AIGC', value: label },
      { location: 'png:iTXt:AIGC', value: label },
      { location: 'xmp:TC260:AIGC', value: label },
    ]);
    expect(r.traces).toEqual([]);
  });

  it('reads zTXt labels and an XMP packet in a zTXt chunk, as libvips (sharp) writes it', async () => {
    const compressed = png({ before: [zTXt('AIGC', label), zTXt('XML:com.adobe.xmp', xmpPacket({ aigc: label }))] });
    expect((await readImplicitLabels(scan(compressed, 7))).values).toEqual([
      { location: 'png:zTXt:AIGC', value: label },
      { location: 'xmp:TC260:AIGC', value: label },
    ]);
    const bySharp = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
      .withXmp(xmpPacket({ aigc: label }))
      .png()
      .toBuffer();
    expect(scan(bySharp).segments).toContain('zTXt');
    const read = await readImplicitLabels(scan(bySharp));
    expect(read.values).toEqual([{ location: 'xmp:TC260:AIGC', value: label }]);
    expect(read.unread).toEqual([]);
  });

  it('reads the label under the key AIGC only: another key naming AIGC is not a label, and is named as unread', async () => {
    const other = JSON.stringify({ Version: '1.0' });
    const file = png({
      before: [
        tEXt('AIGCVersion', '1.0'),
        iTXt('AIGC_Info', other),
        zTXt('MyAIGC', other),
        tEXt('aigc', label), // the key's case matters: not the label either, and named
        iTXt('XML:com.adobe.xmp', xmpPacket({ tc260: { AIGCVersion: '1.0', AIGCSource: 'gen' } })),
      ],
    });
    const r = await readImplicitLabels(scan(file, 9));
    expect(r.values).toEqual([]);
    expect(r.traces).toEqual([]);
    expect(r.unread).toEqual([
      "a tEXt chunk keyed AIGCVersion, not the label's key (AIGC)",
      "a tEXt chunk keyed aigc, not the label's key (AIGC)",
      "an iTXt chunk keyed AIGC_Info, not the label's key (AIGC)",
      "a zTXt chunk keyed MyAIGC, not the label's key (AIGC)",
      "the XMP property TC260:AIGCVersion, not the label's key (AIGC)",
      "the XMP property TC260:AIGCSource, not the label's key (AIGC)",
    ]);
    // Beside the label, as sharp (libvips) writes the XMP: the label alone is read.
    const bySharp = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
      .withXmp(xmpPacket({ aigc: label, tc260: { AIGCVersion: '1.0' } }))
      .png()
      .toBuffer();
    const read = await readImplicitLabels(scan(bySharp));
    expect(read.values).toEqual([{ location: 'xmp:TC260:AIGC', value: label }]);
    expect(read.unread).toEqual(["the XMP property TC260:AIGCVersion, not the label's key (AIGC)"]);
  });

  it('says what it could not inflate: a zTXt bomb or broken deflate data is named, never read', async () => {
    const bomb = pngChunk(
      'zTXt',
      Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0', 'latin1'), deflateSync(Buffer.alloc(XMP_LIMIT + 1, 0x20))]),
    );
    const broken = pngChunk('zTXt', Buffer.from('AIGC\0\0not deflate data', 'latin1'));
    const r = await readImplicitLabels(scan(png({ before: [bomb, broken] })));
    expect(r.values).toEqual([]);
    expect(r.unread).toEqual([
      expect.stringMatching(/^a compressed XMP packet \(zTXt\) inflating to over 13\d{4} bytes$/),
      'a zTXt chunk keyed AIGC that does not inflate',
    ]);
  });

  it('inflates at most INFLATE_BUDGET bytes of one file, whatever its chunks, and says so once', async () => {
    // Each chunk is a few hundred bytes that inflate past a value's 64 KiB: without a budget, thousands of them would.
    const xmp = zTXt('XML:com.adobe.xmp', ' '.repeat(120 * 1024)); // read: 120 KiB of the budget
    const bombs = Array.from({ length: 400 }, () => zTXt('AIGC', 'x'.repeat(100 * 1024))); // 64 KiB each, then refused
    const r = await readImplicitLabels(scan(png({ before: [xmp, ...bombs] })));
    expect(r.values).toEqual([]);
    const refused = Math.floor((INFLATE_BUDGET - 120 * 1024) / (64 * 1024));
    expect(refused).toBe(14);
    expect(r.unread).toEqual([
      ...Array<string>(refused).fill('a zTXt chunk keyed AIGC inflating to over 65536 bytes'),
      `compressed text chunks past what one file may inflate (64 chunks, ${INFLATE_BUDGET} bytes)`,
    ]);
  });

  it('names at most 16 things left unread, the rest summed up', async () => {
    const r = await readImplicitLabels(scan(png({ before: Array.from({ length: 40 }, () => zTXt('XML:com.adobe.xmp', 'x')) })));
    expect(r.unread).toEqual([...Array<string>(15).fill('a second XMP packet'), '24 more things left unread']);
  });

  it('tries at most 64 compressed chunks of one file, so thousands of broken ones cost little', async () => {
    const broken = Array.from({ length: 5000 }, () => pngChunk('zTXt', Buffer.from('AIGC\0\0not deflate', 'latin1')));
    const r = await readImplicitLabels(scan(png({ before: broken })));
    expect(r.values).toEqual([]);
    expect(r.unread).toHaveLength(16);
    expect(r.unread[0]).toBe('a zTXt chunk keyed AIGC that does not inflate');
    expect(r.unread[15]).toBe('50 more things left unread'); // 64 tries, the note that the rest was not tried, 15 listed
  });

  it('keeps JPEG APPn segments up to the scan, across fill bytes, and reads the XMP label in element form', async () => {
    const file = jpeg({
      segments: [
        app1Xmp(
          xmpPacket({
            aigc: label,
            element: true,
            digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
          }),
        ),
      ],
      fillBytes: true,
    });
    const whole = scan(file);
    expect(whole).toMatchObject({ sha256: sha256(file), format: 'jpeg' });
    expect(whole.segments).toEqual(['FFE0', 'FFE1', 'FFFE', 'FFDB', 'FFC0', 'FFC4', 'FFC4', 'FFDA']);
    for (const size of [1, 2, 3, 5]) expect(scan(file, size).metadata.equals(whole.metadata)).toBe(true);
    const r = await readImplicitLabels(scan(file, 3));
    expect(r.values).toEqual([{ location: 'xmp:TC260:AIGC', value: label }]);
    expect(r.traces).toEqual([
      'IPTC digital source type http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia in XMP (Iptc4xmpExt:DigitalSourceType)',
    ]);
  });

  it('finds nothing in unlabelled files, and reads no metadata from other formats', async () => {
    expect((await readImplicitLabels(scan(png()))).values).toEqual([]);
    expect((await readImplicitLabels(scan(jpeg()))).values).toEqual([]);
    const text = Buffer.from('AIGC {"Label":"1"} is only text here');
    expect(await readImplicitLabels(scan(text, 4))).toEqual({
      sha256: sha256(text),
      size: text.length,
      format: 'other',
      values: [],
      traces: [],
      unread: [],
    });
    expect(scan(Buffer.alloc(0))).toMatchObject({ format: 'other', size: 0, sha256: sha256(Buffer.alloc(0)) });
  });

  it('notes a C2PA manifest chunk as a trace', async () => {
    expect((await readImplicitLabels(scan(png({ before: [pngChunk('caBX', Buffer.from('jumb c2pa'))] })))).traces).toEqual([
      'C2PA manifest store',
    ]);
  });

  it('holds at most METADATA_LIMIT bytes of metadata, and says what it left unread', async () => {
    const big = png({ before: [tEXt('Comment', 'x'.repeat(METADATA_LIMIT)), tEXt('AIGC', label)] });
    const s = scan(big, 65536);
    expect(s.metadataTruncated).toBe(true);
    expect(s.metadata.length).toBeLessThan(1024);
    expect(s.sha256).toBe(sha256(big));
    const r = await readImplicitLabels(s);
    expect(r.values).toEqual([{ location: 'png:tEXt:AIGC', value: label }]);
    expect(r.unread).toEqual([`metadata chunks over the ${METADATA_LIMIT}-byte limit`]);
  });

  it('hands exifr one XMP packet of at most XMP_LIMIT bytes (its regex parser is quadratic on hostile XMP)', async () => {
    // exifr's regex parser is quadratic on such a packet: the reader leaves it out and says so in `unread`.
    const hostile = '<rdf:Description>' + '<rdf:li>'.repeat(XMP_LIMIT / 4);
    const r = await readImplicitLabels(
      scan(png({ before: [iTXt('XML:com.adobe.xmp', hostile), iTXt('XML:com.adobe.xmp', xmpPacket({ aigc: label }))] })),
    );
    expect(r.values).toEqual([]);
    expect(r.unread).toEqual([`an XMP packet of ${hostile.length + 22} bytes (over ${XMP_LIMIT})`, 'a second XMP packet']);
  });
});
