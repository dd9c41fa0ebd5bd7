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

/** What the upload yielded: the hash of every byte and the raw values under the label's key `AIGC`. */
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

/**
 * The key the implicit label is stored under (GB 45438-2025): a PNG text chunk's keyword, an XMP property's name
 * (`TC260:AIGC`). Case matters.
 */
export const LABEL_KEY = 'AIGC';
const isLabelKey = (key: string) => key === LABEL_KEY;
/** Another key naming AIGC in any case (`AIGCVersion`, `aigc`, …) is not the label: it is not read, and `unread` names it. */
const namesAigc = (key: string) => key !== LABEL_KEY && key.toUpperCase().includes(LABEL_KEY);
const notTheLabel = (what: string) => `${what}, not the label's key (${LABEL_KEY})`;

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

/** PNG keywords are 1 to 79 Latin-1 bytes (PNG 11.3.4): a chunk with a longer one is not read. */
const MAX_KEYWORD = 79;
/**
 * What one file's compressed text chunks may inflate to, together, and how many may be tried: a chunk of a few hundred
 * bytes can inflate to its own limit, and the kept metadata (METADATA_LIMIT) holds thousands of them.
 */
export const INFLATE_BUDGET = 1024 * 1024;
const MAX_INFLATES = 64;
/** The most entries of `unread`: a file of many bad chunks is summed up, not listed. */
const MAX_UNREAD = 16;

/** What a reading left unread, as it goes: the first MAX_UNREAD things kept, the rest only counted (a file of tiny chunks is not listed in memory). */
class Unread {
  private readonly kept: string[] = [];
  private more = 0;

  push(what: string): void {
    if (this.kept.length < MAX_UNREAD) this.kept.push(what);
    else this.more++;
  }

  /** At most MAX_UNREAD entries: past that, the last says how many more there were. */
  list(): string[] {
    if (this.more === 0) return this.kept;
    return [...this.kept.slice(0, MAX_UNREAD - 1), `${this.more + 1} more things left unread`];
  }
}

/** The keyword a text chunk (tEXt, zTXt, iTXt) begins with; null when it has none of 1 to 79 bytes. */
function textKeyword(data: Buffer): string | null {
  const k = data.indexOf(0);
  return k < 1 || k > MAX_KEYWORD ? null : data.subarray(0, k).toString('latin1');
}

/** A zTXt chunk: keyword NUL, compression method (0: deflate), deflated Latin-1 text; null when it is not one. */
function zTxtParts(data: Buffer): { keyword: string; deflated: Buffer } | null {
  const k = data.indexOf(0);
  if (k < 1 || k > MAX_KEYWORD || k + 2 > data.length || data[k + 1] !== 0) return null;
  return { keyword: data.subarray(0, k).toString('latin1'), deflated: data.subarray(k + 2) };
}

/** The inflating of one file's compressed chunks, within INFLATE_BUDGET bytes and MAX_INFLATES tries; what it left is in `unread`. */
class Inflation {
  private left = INFLATE_BUDGET;
  private tries = 0;
  private spent = false;

  constructor(private readonly unread: Unread) {}

  /** `deflated` inflated, at most `limit` bytes; null (and why, in `unread`) when it is larger, is not deflate data, or the budget is spent. */
  run(deflated: Buffer, limit: number, what: string): Buffer | null {
    if (this.left === 0 || this.tries === MAX_INFLATES) {
      if (!this.spent)
        this.unread.push(`compressed text chunks past what one file may inflate (${MAX_INFLATES} chunks, ${INFLATE_BUDGET} bytes)`);
      this.spent = true;
      return null;
    }
    this.tries += 1;
    const cap = Math.min(limit, this.left);
    try {
      const out = inflateSync(deflated, { maxOutputLength: cap });
      this.left -= out.length;
      return out;
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') {
        this.unread.push(`${what} that does not inflate`);
        return null;
      }
      this.left -= cap;
      if (cap === limit) this.unread.push(`${what} inflating to over ${limit} bytes`);
      else return this.run(deflated, limit, what); // the budget ran out inside it: say so once
      return null;
    }
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

/** The header iTxtChunk writes before the text: the keyword and five bytes (NUL, flag, method, two empty strings). */
const XMP_ITXT_HEADER = XMP_KEYWORD.length + 5;

/**
 * The PNG's chunks, the first zTXt XMP packet as the iTXt chunk it would be uncompressed (exifr reads only that form),
 * and any later one as it is (a second packet, which exifrInput leaves out).
 */
function pngChunksForExifr(png: Buffer, unread: Unread, inflation: Inflation): Segment[] {
  let first = true;
  return pngChunks(png).flatMap((c) => {
    const z = c.type === 'zTXt' ? zTxtParts(c.data) : null;
    if (z?.keyword !== XMP_KEYWORD) return [c];
    if (!first) {
      unread.push('a second XMP packet');
      return [];
    }
    first = false;
    const text = inflation.run(z.deflated, XMP_LIMIT - XMP_ITXT_HEADER, 'a compressed XMP packet (zTXt)');
    return text ? [iTxtChunk(XMP_KEYWORD, text)] : [];
  });
}

/** What exifr gets: the kept metadata with only the first XMP packet, and none over XMP_LIMIT; `unread` says what was left out. */
function exifrInput(scan: ScannedUpload, unread: Unread, inflation: Inflation): Buffer {
  const isXmp =
    scan.format === 'png'
      ? (c: Segment) => c.type === 'iTXt' && c.data.subarray(0, XMP_KEYWORD.length + 1).equals(Buffer.from(`${XMP_KEYWORD}\0`, 'latin1'))
      : (c: Segment) => c.type === 'FFE1' && c.data.subarray(0, XMP_APP1.length).equals(XMP_APP1);
  const segments = scan.format === 'png' ? pngChunksForExifr(scan.metadata, unread, inflation) : jpegSegments(scan.metadata);
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
/** Its text when its keyword is `wanted` (inflated within the file's budget when compressed); null otherwise. */
function readITxt(data: Buffer, wanted: (keyword: string) => boolean, inflation: Inflation): { keyword: string; text: string } | null {
  const k = data.indexOf(0);
  if (k < 1 || k > MAX_KEYWORD || k + 3 > data.length) return null;
  const keyword = data.subarray(0, k).toString('latin1');
  if (!wanted(keyword)) return null;
  const compressed = data[k + 1] === 1;
  const lang = data.indexOf(0, k + 3);
  const translated = lang < 0 ? -1 : data.indexOf(0, lang + 1);
  if (translated < 0) return null;
  const body = data.subarray(translated + 1);
  const text = compressed ? inflation.run(body, MAX_VALUE, `a compressed iTXt chunk keyed ${keyword}`) : body;
  return text ? { keyword, text: text.toString('utf8') } : null;
}

async function exifrMetadata(scan: ScannedUpload, unread: Unread, inflation: Inflation): Promise<Record<string, Record<string, unknown>>> {
  try {
    const out = await exifr.parse(exifrInput(scan, unread, inflation), {
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

/** The values under the label's key `AIGC` (PNG tEXt / iTXt / zTXt, XMP in PNG and JPEG) and other traces of AI generation. */
export async function readImplicitLabels(scan: ScannedUpload): Promise<FileReading> {
  return (await readMetadata(scan)).reading;
}

export async function readMetadata(scan: ScannedUpload): Promise<MetadataReading> {
  const values: FileReading['values'] = [];
  const traces: string[] = [];
  const digitalSourceTypes: MetadataReading['digitalSourceTypes'] = [];
  let c2paManifestStore = false;
  const unread = new Unread();
  if (scan.metadataTruncated) unread.push(`metadata chunks over the ${METADATA_LIMIT}-byte limit`);
  let overflow = 0;
  const add = (location: string, value: unknown) => {
    if (values.length === MAX_LOCATIONS) overflow += 1;
    else values.push({ location, value: typeof value === 'string' ? value.slice(0, MAX_VALUE) : (JSON.stringify(value) ?? String(value)) });
  };
  const inflation = new Inflation(unread);
  if (scan.format !== 'other') {
    const meta = await exifrMetadata(scan, unread, inflation);
    for (const [key, value] of Object.entries(meta.ihdr ?? {})) {
      if (isLabelKey(key)) add(`png:tEXt:${key}`, value);
      else if (namesAigc(key)) unread.push(notTheLabel(`a tEXt chunk keyed ${key}`));
    }
    if (scan.format === 'png') {
      for (const chunk of pngChunks(scan.metadata)) {
        const wanted = (keyword: string) => keyword !== XMP_KEYWORD && isLabelKey(keyword);
        if (chunk.type === 'iTXt' || chunk.type === 'zTXt') {
          const keyword = textKeyword(chunk.data);
          if (keyword !== null && namesAigc(keyword))
            unread.push(notTheLabel(`${chunk.type === 'iTXt' ? 'an' : 'a'} ${chunk.type} chunk keyed ${keyword}`));
        }
        // Past MAX_LOCATIONS a label is only counted: nothing more is inflated.
        if (values.length === MAX_LOCATIONS) {
          const keyword = chunk.type === 'iTXt' || chunk.type === 'zTXt' ? textKeyword(chunk.data) : null;
          if (keyword !== null && wanted(keyword)) overflow += 1;
        } else if (chunk.type === 'iTXt') {
          const t = readITxt(chunk.data, wanted, inflation);
          if (t) add(`png:iTXt:${t.keyword}`, t.text);
        } else if (chunk.type === 'zTXt') {
          const z = zTxtParts(chunk.data);
          if (!z || !wanted(z.keyword)) continue;
          const text = inflation.run(z.deflated, MAX_VALUE, `a zTXt chunk keyed ${z.keyword}`);
          if (text) add(`png:zTXt:${z.keyword}`, text.toString('latin1'));
        }
      }
    }
    for (const [ns, props] of Object.entries(meta)) {
      if (NOT_XMP.has(ns) || typeof props !== 'object' || props === null) continue;
      for (const [key, value] of Object.entries(props)) {
        if (isLabelKey(key)) add(`xmp:${ns}:${key}`, typeof value === 'string' ? decodeXml(value) : value);
        else if (namesAigc(key)) unread.push(notTheLabel(`the XMP property ${ns}:${key}`));
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
  if (overflow) unread.push(`${overflow} more values under the key ${LABEL_KEY} (over ${MAX_LOCATIONS})`);
  return {
    reading: { sha256: scan.sha256, size: scan.size, format: scan.format, values, traces, unread: unread.list() },
    digitalSourceTypes,
    c2paManifestStore,
  };
}
