// Small real PNG and JPEG files, written byte by byte, with or without an AIGC implicit label.
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// node:zlib.crc32 is Node 22+: CRC-32 (ISO-HDLC, as PNG uses it) by table.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
export function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};

export function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32(data.length), body, u32(crc32(body))]);
}

export const tEXt = (keyword: string, text: string) => pngChunk('tEXt', Buffer.from(`${keyword}\0${text}`, 'latin1'));
/** A zTXt chunk: keyword, NUL, method 0, the Latin-1 text deflated. */
export const zTXt = (keyword: string, text: string) =>
  pngChunk('zTXt', Buffer.concat([Buffer.from(`${keyword}\0\0`, 'latin1'), deflateSync(Buffer.from(text, 'latin1'))]));
export const iTXt = (keyword: string, text: string, compressed = false) =>
  pngChunk(
    'iTXt',
    Buffer.concat([
      Buffer.from(`${keyword}\0${compressed ? '\x01' : '\0'}\0\0\0`, 'latin1'),
      compressed ? deflateSync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8'),
    ]),
  );

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * An XMP packet with `TC260:AIGC` (attribute form) and, optionally, the IPTC digital source type and other `TC260`
 * properties (`tc260`: name → value, e.g. `AIGCVersion`), as attributes.
 */
export function xmpPacket(o: { aigc?: string; digitalSourceType?: string; element?: boolean; tc260?: Record<string, string> }): string {
  const attrs = [
    o.digitalSourceType ? ` Iptc4xmpExt:DigitalSourceType="${escapeXml(o.digitalSourceType)}"` : '',
    o.aigc !== undefined && !o.element ? ` TC260:AIGC="${escapeXml(o.aigc)}"` : '',
    ...Object.entries(o.tc260 ?? {}).map(([name, value]) => ` TC260:${name}="${escapeXml(value)}"`),
  ].join('');
  const inner = o.aigc !== undefined && o.element ? `<TC260:AIGC>${escapeXml(o.aigc)}</TC260:AIGC>` : '';
  return (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"' +
    `${attrs}${inner ? `>${inner}</rdf:Description>` : '/>'}` +
    '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
  );
}

let seed = 0;
/**
 * A real w×h RGB PNG (signature, IHDR, metadata chunks, IDAT via zlib, IEND, correct CRCs).
 * Every call paints different pixels, so every file has its own SHA-256.
 */
export function png(o: { before?: Buffer[]; after?: Buffer[]; width?: number; height?: number } = {}): Buffer {
  const width = o.width ?? 4;
  const height = o.height ?? 4;
  seed += 1;
  const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([8, 2, 0, 0, 0])]);
  const rows = Array.from({ length: height }, (_, y) =>
    Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width * 3 }, (_, x) => (x * 31 + y * 17 + seed * 7) & 0xff))]),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...(o.before ?? []),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    ...(o.after ?? []),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const segment = (marker: number, payload: Buffer) => Buffer.concat([Buffer.from([0xff, marker]), u16(payload.length + 2), payload]);
export const app1Xmp = (xmp: string) =>
  segment(0xe1, Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(xmp, 'utf8')]));

/**
 * A real baseline JPEG of one 8×8 grey block: SOI, APP0 (JFIF), the given APPn segments, DQT, SOF0, two one-code Huffman tables,
 * SOS and a scan whose only bits are "DC difference 0" and "end of block", EOI; a numbered COM segment gives each file its own hash.
 */
export function jpeg(o: { segments?: Buffer[]; fillBytes?: boolean } = {}): Buffer {
  seed += 1;
  const dht = (tableClass: number) =>
    segment(0xc4, Buffer.concat([Buffer.from([tableClass << 4]), Buffer.from([1, ...new Array(15).fill(0)]), Buffer.from([0])]));
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])),
    ...(o.segments ?? []),
    ...(o.fillBytes ? [Buffer.from([0xff, 0xff])] : []),
    segment(0xfe, Buffer.from(`test file ${seed}`, 'latin1')),
    segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)])),
    segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0])),
    dht(0),
    dht(1),
    segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])),
    Buffer.from([0x3f]),
    Buffer.from([0xff, 0xd9]),
  ]);
}
