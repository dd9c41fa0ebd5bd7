// One pass over an uploaded file: SHA-256 of every byte, and a bounded copy of its metadata (PNG chunks other than image data; JPEG APPn/COM segments before the scan).
import { createHash, type Hash } from 'node:crypto';

/** The containers whose metadata the scan reads; anything else is only hashed. */
export type ContainerFormat = 'png' | 'jpeg' | 'other';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Metadata kept per upload at most; the image data itself is only hashed, never held. */
export const METADATA_LIMIT = 4 * 1024 * 1024;
const PNG_IMAGE_DATA = new Set(['IDAT', 'fdAT']);

export interface ScannedUpload {
  sha256: string;
  size: number;
  format: ContainerFormat;
  /** A metadata-only rendition of the file (PNG: signature and metadata chunks; JPEG: SOI, APPn/COM segments, EOI). */
  metadata: Buffer;
  /** PNG chunk types / JPEG markers seen, in order (including skipped ones). */
  segments: string[];
  /** Some metadata was over METADATA_LIMIT and was not kept. */
  metadataTruncated: boolean;
}

type Phase = 'signature' | 'header' | 'keep' | 'skip' | 'done';

/** Feed it the upload chunk by chunk, as they arrive; chunk boundaries may fall anywhere. */
export class UploadScan {
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  private format: ContainerFormat | null = null;
  private phase: Phase = 'signature';
  private pending = Buffer.alloc(0);
  private remaining = 0;
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private truncated = false;
  private afterSegment: Phase = 'header';
  private readonly segments: string[] = [];

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    let offset = 0;
    while (offset < chunk.length && this.phase !== 'done') {
      if (this.phase === 'keep' || this.phase === 'skip') {
        const n = Math.min(this.remaining, chunk.length - offset);
        if (this.phase === 'keep') this.keep(chunk.subarray(offset, offset + n));
        offset += n;
        this.remaining -= n;
        if (this.remaining === 0) this.phase = this.afterSegment;
        continue;
      }
      // Header phases need a few bytes that may straddle chunks.
      const need = this.headerLength();
      const take = Math.min(need - this.pending.length, chunk.length - offset);
      this.pending = Buffer.concat([this.pending, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.pending.length === need) this.onHeader();
    }
  }

  finish(): ScannedUpload {
    if (this.format === null) this.format = 'other';
    if (this.format === 'jpeg' && this.kept.length) this.keep(Buffer.from([0xff, 0xd9]));
    return {
      sha256: this.hash.digest('hex'),
      size: this.size,
      format: this.format,
      metadata: this.format === 'other' ? Buffer.alloc(0) : Buffer.concat(this.kept),
      segments: this.segments,
      metadataTruncated: this.truncated,
    };
  }

  private headerLength(): number {
    if (this.phase === 'signature')
      return this.pending.length > 0 && this.pending[0] === 0xff ? 2 : this.pending.length > 0 && this.pending[0] === 0x89 ? 8 : 1;
    if (this.format === 'png') return 8;
    // JPEG: a marker (0xFF xx), then for segments with a payload a 2-byte length.
    return this.pending.length >= 2 && hasLength(this.pending[1]) ? 4 : 2;
  }

  private onHeader(): void {
    const h = this.pending;
    if (this.phase === 'signature') {
      if (h.length === 8 && h.equals(PNG_SIGNATURE)) return this.start('png', h);
      if (h.length === 2 && h[0] === 0xff && h[1] === 0xd8) return this.start('jpeg', h);
      if (h.length === 1 && (h[0] === 0x89 || h[0] === 0xff)) return; // wait for the rest of the signature
      this.format = 'other';
      this.phase = 'done';
      return;
    }
    if (this.format === 'png') {
      this.pending = Buffer.alloc(0);
      return this.onPngChunk(h);
    }
    return this.onJpegMarker(h);
  }

  private start(format: ContainerFormat, signature: Buffer): void {
    this.format = format;
    this.keep(signature);
    this.pending = Buffer.alloc(0);
    this.phase = 'header';
  }

  private onPngChunk(h: Buffer): void {
    const length = h.readUInt32BE(0);
    const type = h.subarray(4, 8).toString('latin1');
    this.segments.push(type);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) {
      this.phase = 'done';
      return;
    } // not a PNG chunk: stop reading metadata
    this.afterSegment = type === 'IEND' ? 'done' : 'header';
    this.segment(h, length + 4, !PNG_IMAGE_DATA.has(type));
  }

  private onJpegMarker(h: Buffer): void {
    if (h[0] !== 0xff) {
      this.phase = 'done';
      return;
    } // not a marker: stop reading metadata
    const marker = h[1];
    if (h.length === 2) {
      if (marker === 0xff) {
        this.pending = Buffer.from([0xff]);
        return;
      } // a fill byte before the marker
      this.segments.push(`FF${marker.toString(16).toUpperCase().padStart(2, '0')}`);
      // Start of scan or end of image: every metadata segment is behind us.
      if (marker === 0xda || marker === 0xd9) {
        this.phase = 'done';
        return;
      }
      if (hasLength(marker)) return; // wait for the 2-byte length
      this.pending = Buffer.alloc(0);
      return;
    }
    this.pending = Buffer.alloc(0);
    const length = h.readUInt16BE(2);
    if (length < 2) {
      this.phase = 'done';
      return;
    }
    this.afterSegment = 'header';
    this.segment(h, length - 2, (marker >= 0xe0 && marker <= 0xef) || marker === 0xfe);
  }

  /** Keeps or skips one segment whose header `h` has been read and whose `rest` bytes follow. */
  private segment(h: Buffer, rest: number, metadata: boolean): void {
    const fits = this.keptBytes + h.length + rest <= METADATA_LIMIT;
    if (metadata && !fits) this.truncated = true;
    const keeping = metadata && fits;
    if (keeping) this.keep(h);
    this.remaining = rest;
    this.phase = rest === 0 ? this.afterSegment : keeping ? 'keep' : 'skip';
  }

  private keep(bytes: Buffer): void {
    this.kept.push(Buffer.from(bytes));
    this.keptBytes += bytes.length;
  }
}

/** JPEG markers without a length: TEM, RST0–7, SOI, EOI (and 0xFF, a fill byte). */
const hasLength = (marker: number) => !(marker === 0x01 || marker === 0xff || (marker >= 0xd0 && marker <= 0xd9));
