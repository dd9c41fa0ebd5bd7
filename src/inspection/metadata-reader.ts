// Reads implicit labels out of a scanned upload's metadata. exifr parses PNG tEXt and the XMP of PNG and JPEG;
// it skips iTXt chunks other than XMP and every zTXt chunk, so iTXt and zTXt keyed `AIGC` are read here, and an XMP
// packet in a zTXt chunk (as libvips, and so sharp, writes one) is handed to exifr inflated, as an iTXt chunk; as is
// the C2PA chunk / segment check.
import { crc32, inflateSync } from 'node:zlib';
import exifr from 'exifr';
import { METADATA_LIMIT, PNG_SIGNATURE, type ContainerFormat, type ScannedUpload } from './upload-scan.js';

/** Generative-AI IPTC digital source types, by their code in the IPTC vocabulary. */
export const AI_SOURCE_TYPES = ['trainedAlgorithmicMedia', 'compositeWithTrainedAlgorithmicMedia'];
/** Whether an IPTC digital source type URI names generative AI (the code after the vocabulary's path). */
export const isGenerativeAiSourceType = (uri: string) => AI_SOURCE_TYPES.some((t) => uri.endsWith(`/${t}`));

/** What the upload yielded: the hash of every byte and the raw values under keys containing `AIGC`. */
export type FileReading = {
  sha256: string;
  size: number;
  format: ContainerFormat;
  values: Array<{ location: string; value: string }>;
  traces: string[];
  unread: string[];
};

/** The label reading, and the provenance the metadata declares besides: every IPTC digital source type, a C2PA manifest store. */
export type MetadataReading = {
  reading: FileReading;
  digitalSourceTypes: Array<{ location: string; value: string }>;
  c2paManifestStore: boolean;
};
const MAX_LOCATIONS = 16;
const MAX_VALUE = 64 * 1024;
/** exifr's regex XMP parser is quadratic on hostile input: one packet, at most this big (a JPEG APP1 holds at most 64 KiB). */
export const XMP_LIMIT = 128 * 1024;
const XMP_KEYWORD = 'XML:com.adobe.xmp';
const XMP_APP1 = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
/** Namespaces exifr fills from the file structure rather than from XMP properties. */
const NOT_XMP = new Set(['ihdr', 'ifd0', 'ifd1', 'exif', 'gps', 'interop', 'iptc', 'icc', 'jfif', 'makerNote', 'userComment', 'errors']);

const XML_ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };
/** exifr returns XMP values as written: decode the XML character and entity references. */
const decodeXml = (s: string) =>
  s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|quot|amp|lt|gt|apos);/g, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : XML_ENTITIES[e],
  );

const isLabelKey = (key: string) => key.includes('AIGC');

interface Segment {
  type: string;
  data: Buffer;
  raw: Buffer;
}

function pngChunks(png: Buffer): Segment[] {
  const chunks: Segment[] = [];
  for (let at = PNG_SIGNATURE.length; at + 12 <= png.length;) {
    const length = png.readUInt32BE(at);
    if (at + 12 + length > png.length) break;
    chunks.push({
      type: png.subarray(at + 4, at + 8).toString('latin1'),
      data: png.subarray(at + 8, at + 8 + length),
      raw: png.subarray(at, at + 12 + length),
    });
    at += 12 + length;
  }
  return chunks;
}

/** The segments between SOI and EOI of the metadata-only JPEG the scan kept. */
function jpegSegments(jpeg: Buffer): Segment[] {
  const segments: Segment[] = [];
  for (let at = 2; at + 4 <= jpeg.length && jpeg[at] === 0xff && jpeg[at + 1] !== 0xd9;) {
    const length = jpeg.readUInt16BE(at + 2);
    if (at + 2 + length > jpeg.length) break;
    segments.push({
      type: `FF${jpeg[at + 1].toString(16).toUpperCase()}`,
      data: jpeg.subarray(at + 4, at + 2 + length),
      raw: jpeg.subarray(at, at + 2 + length),
    });
    at += 2 + length;
  }
  return segments;
}

/** A zTXt chunk: keyword NUL, compression method (0: deflate), deflated Latin-1 text; null when it is not one. */
function zTxtParts(data: Buffer): { keyword: string; deflated: Buffer } | null {
  const k = data.indexOf(0);
  if (k < 1 || k + 2 > data.length || data[k + 1] !== 0) return null;
  return { keyword: data.subarray(0, k).toString('latin1'), deflated: data.subarray(k + 2) };
}

/** Inflated, at most `limit` bytes; null (and why, in `unread`) when it is larger or is not deflate data. */
function inflated(deflated: Buffer, limit: number, what: string, unread: string[]): Buffer | null {
  try {
    return inflateSync(deflated, { maxOutputLength: limit });
  } catch (err) {
    const tooLarge = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    unread.push(tooLarge ? `${what} inflating to over ${limit} bytes` : `${what} that does not inflate`);
    return null;
  }
}

/** An uncompressed iTXt chunk holding `text` under `keyword`, as a PNG writes it (length, type, data, CRC). */
function iTxtChunk(keyword: string, text: Buffer): Segment {
  const data = Buffer.concat([Buffer.from(`${keyword}\0\0\0\0\0`, 'latin1'), text]);
  const typed = Buffer.concat([Buffer.from('iTXt', 'latin1'), data]);
  const raw = Buffer.alloc(12 + data.length);
  raw.writeUInt32BE(data.length, 0);
  typed.copy(raw, 4);
  raw.writeUInt32BE(crc32(typed), 8 + data.length);
  return { type: 'iTXt', data, raw: raw };
}

/** The PNG's chunks, a zTXt XMP packet as the iTXt chunk it would be uncompressed (exifr reads only that form). */
function pngChunksForExifr(png: Buffer, unread: string[]): Segment[] {
  return pngChunks(png).flatMap((c) => {
    const z = c.type === 'zTXt' ? zTxtParts(c.data) : null;
    if (z?.keyword !== XMP_KEYWORD) return [c];
    const text = inflated(z.deflated, XMP_LIMIT, 'a compressed XMP packet (zTXt)', unread);
    return text ? [iTxtChunk(XMP_KEYWORD, text)] : [];
  });
}

/** What exifr gets: the kept metadata with only the first XMP packet, and none over XMP_LIMIT; `unread` says what was left out. */
function exifrInput(scan: ScannedUpload, unread: string[]): Buffer {
  const isXmp =
    scan.format === 'png'
      ? (c: Segment) => c.type === 'iTXt' && c.data.subarray(0, XMP_KEYWORD.length + 1).equals(Buffer.from(`${XMP_KEYWORD}\0`, 'latin1'))
      : (c: Segment) => c.type === 'FFE1' && c.data.subarray(0, XMP_APP1.length).equals(XMP_APP1);
  const segments = scan.format === 'png' ? pngChunksForExifr(scan.metadata, unread) : jpegSegments(scan.metadata);
  let xmpSeen = false;
  const kept = segments.filter((c) => {
    if (!isXmp(c)) return true;
    if (xmpSeen) {
      unread.push('a second XMP packet');
      return false;
    }
    xmpSeen = true;
    if (c.data.length > XMP_LIMIT) {
      unread.push(`an XMP packet of ${c.data.length} bytes (over ${XMP_LIMIT})`);
      return false;
    }
    return true;
  });
  const head = scan.format === 'png' ? PNG_SIGNATURE : Buffer.from([0xff, 0xd8]);
  return Buffer.concat([head, ...kept.map((c) => c.raw), ...(scan.format === 'jpeg' ? [Buffer.from([0xff, 0xd9])] : [])]);
}

/** An iTXt chunk: keyword NUL, compression flag, method, language NUL, translated keyword NUL, UTF-8 text (maybe deflated). */
function readITxt(data: Buffer): { keyword: string; text: string } | null {
  const k = data.indexOf(0);
  if (k < 1 || k + 3 > data.length) return null;
  const compressed = data[k + 1] === 1;
  const lang = data.indexOf(0, k + 3);
  const translated = lang < 0 ? -1 : data.indexOf(0, lang + 1);
  if (translated < 0) return null;
  let body = data.subarray(translated + 1);
  if (compressed) {
    try {
      body = inflateSync(body, { maxOutputLength: MAX_VALUE });
    } catch {
      return null;
    }
  }
  return { keyword: data.subarray(0, k).toString('latin1'), text: body.toString('utf8') };
}

async function exifrMetadata(scan: ScannedUpload, unread: string[]): Promise<Record<string, Record<string, unknown>>> {
  try {
    const out = await exifr.parse(exifrInput(scan, unread), {
      ihdr: scan.format === 'png',
      xmp: true,
      tiff: false,
      icc: false,
      iptc: false,
      jfif: false,
      mergeOutput: false,
    });
    return (out ?? {}) as Record<string, Record<string, unknown>>;
  } catch {
    return {};
  }
}

/** The values under keys containing `AIGC` (PNG tEXt / iTXt / zTXt, XMP in PNG and JPEG) and other traces of AI generation. */
export async function readImplicitLabels(scan: ScannedUpload): Promise<FileReading> {
  return (await readMetadata(scan)).reading;
}

export async function readMetadata(scan: ScannedUpload): Promise<MetadataReading> {
  const values: FileReading['values'] = [];
  const traces: string[] = [];
  const digitalSourceTypes: MetadataReading['digitalSourceTypes'] = [];
  let c2paManifestStore = false;
  const unread: string[] = scan.metadataTruncated ? [`metadata chunks over the ${METADATA_LIMIT}-byte limit`] : [];
  let overflow = 0;
  const add = (location: string, value: unknown) => {
    if (values.length === MAX_LOCATIONS) overflow += 1;
    else values.push({ location, value: typeof value === 'string' ? value.slice(0, MAX_VALUE) : (JSON.stringify(value) ?? String(value)) });
  };
  if (scan.format !== 'other') {
    const meta = await exifrMetadata(scan, unread);
    for (const [key, value] of Object.entries(meta.ihdr ?? {})) if (isLabelKey(key)) add(`png:tEXt:${key}`, value);
    if (scan.format === 'png') {
      for (const chunk of pngChunks(scan.metadata)) {
        if (chunk.type === 'iTXt') {
          const t = readITxt(chunk.data);
          if (t && t.keyword !== XMP_KEYWORD && isLabelKey(t.keyword)) add(`png:iTXt:${t.keyword}`, t.text);
        } else if (chunk.type === 'zTXt') {
          const z = zTxtParts(chunk.data);
          if (!z || !isLabelKey(z.keyword)) continue;
          const text = inflated(z.deflated, MAX_VALUE, `a zTXt chunk keyed ${z.keyword}`, unread);
          if (text) add(`png:zTXt:${z.keyword}`, text.toString('latin1'));
        }
      }
    }
    for (const [ns, props] of Object.entries(meta)) {
      if (NOT_XMP.has(ns) || typeof props !== 'object' || props === null) continue;
      for (const [key, value] of Object.entries(props)) {
        if (isLabelKey(key)) add(`xmp:${ns}:${key}`, typeof value === 'string' ? decodeXml(value) : value);
        if (key !== 'DigitalSourceType' || typeof value !== 'string') continue;
        if (digitalSourceTypes.length < MAX_LOCATIONS)
          digitalSourceTypes.push({ location: `xmp:${ns}:${key}`, value: value.slice(0, 512) });
        if (isGenerativeAiSourceType(value)) traces.push(`IPTC digital source type ${value} in XMP (${ns}:${key})`);
      }
    }
    // C2PA manifest stores: a caBX chunk in PNG, JUMBF in APP11 segments in JPEG.
    c2paManifestStore =
      scan.segments.includes('caBX') || (scan.format === 'jpeg' && scan.segments.includes('FFEB') && scan.metadata.includes('c2pa'));
    if (c2paManifestStore) traces.push('C2PA manifest store');
  }
  if (overflow) unread.push(`${overflow} more keys containing AIGC (over ${MAX_LOCATIONS})`);
  return {
    reading: { sha256: scan.sha256, size: scan.size, format: scan.format, values, traces, unread },
    digitalSourceTypes,
    c2paManifestStore,
  };
}
