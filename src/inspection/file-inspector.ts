// Inspects an uploaded file in one pass as it arrives: SHA-256 of every byte, its real type from its signature, the
// metadata the label check reads; images are held whole (up to the upload limit) for their perceptual hash and their
// C2PA manifest, anything else only hashed. At most `inspectionConcurrency` files are inspected at a time: the others
// wait, unread, so the memory images take is bounded whatever the number of uploads.
import { Inject, Injectable } from '@nestjs/common';
import { tooLarge } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { readC2pa } from './c2pa.js';
import { foundAigcValue, type FileInspection, type Provenance } from './file-inspection.js';
import { imageHash } from './image-hash.js';
import { readMetadata } from './metadata-reader.js';
import { DECODED_IMAGE_TYPES, SNIFF_BYTES, sniffType } from './sniff.js';
import { UploadScan } from './upload-scan.js';

/** A counting semaphore: `run` waits for a free slot. */
export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

/** Formats whose manifest store the scan cannot see (it reads only PNG and JPEG metadata): the SDK is asked directly. */
const C2PA_UNSEEN = new Set(['image/webp', 'image/tiff', 'image/avif', 'image/heic', 'image/gif']);

@Injectable()
export class FileInspector {
  private readonly slots: Slots;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.slots = new Slots(config.inspectionConcurrency);
  }

  /** Inspects the bytes `chunks` yields; refuses a file over the upload limit (413), an undecodable or oversized image (422). */
  inspect(chunks: AsyncIterable<Buffer>): Promise<FileInspection> {
    return this.slots.run(() => this.read(chunks));
  }

  private async read(chunks: AsyncIterable<Buffer>): Promise<FileInspection> {
    const scan = new UploadScan();
    const limit = this.config.uploadLimit;
    let head = Buffer.alloc(0);
    let sniffed: string | null | undefined;
    let held: Buffer[] | null = [];
    let size = 0;
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > limit) throw tooLarge('file-too-large', `the file is larger than the upload limit of ${limit} bytes`);
      scan.update(chunk);
      if (sniffed === undefined) {
        head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        if (head.length >= SNIFF_BYTES) sniffed = sniffType(head);
      }
      if (held) held.push(chunk);
      // Only images the ledger decodes are held: anything else is let go as soon as its type is known.
      if (sniffed !== undefined && held && !(sniffed && DECODED_IMAGE_TYPES.has(sniffed))) held = null;
    }
    if (sniffed === undefined) sniffed = sniffType(head);
    const metadata = await readMetadata(scan.finish());
    const bytes = held && sniffed && DECODED_IMAGE_TYPES.has(sniffed) ? Buffer.concat(held) : null;
    // The chunks are copied into one buffer: let them go rather than hold the image twice while it is decoded.
    if (held) held.length = 0;
    const image = bytes ? await imageHash(bytes, this.config.imagePixelLimit) : null;
    let c2pa: Provenance['c2pa'] = null;
    if (bytes && sniffed && (metadata.c2paManifestStore || C2PA_UNSEEN.has(sniffed))) {
      const reading = await readC2pa(bytes, sniffed);
      c2pa = !reading.found ? null : 'summary' in reading ? reading.summary : { unreadable: reading.unreadable };
    }
    const { reading } = metadata;
    return {
      sha256: reading.sha256,
      size: reading.size,
      sniffedType: sniffed,
      image: image ? { width: image.width, height: image.height } : null,
      perceptualHash: image?.perceptualHash ?? null,
      provenance: {
        labels: reading.values.map((v) => foundAigcValue(v.location, v.value)),
        c2pa,
        digitalSourceTypes: metadata.digitalSourceTypes,
        unread: reading.unread,
      },
      reading,
    };
  }
}
