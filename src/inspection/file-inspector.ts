// Inspects an uploaded file in one pass as it arrives: SHA-256 of every byte, its real type from its signature, the
// metadata the label check reads; images are held whole (up to the upload limit) for their perceptual hash and their
// C2PA manifest, anything else only hashed. At most `inspectionConcurrency` files are inspected at a time: the others
// wait, unread, so the memory images take is bounded whatever the number of uploads.
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, tooLarge } from '../common/domain-error.js';
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

/**
 * The bytes of an image being inspected. Given the size to expect (the body's length, when the file is its only
 * part), they are copied into one buffer as they arrive, so the file is held once; otherwise the chunks are kept and
 * joined at the end.
 */
export class HeldBytes {
  private buffer: Buffer | null;
  private used = 0;
  private chunks: Buffer[] = [];

  constructor(expected: number | null) {
    // allocUnsafe: pages the file never reaches are never touched, so a size claimed but not sent costs nothing.
    this.buffer = expected !== null && expected > 0 ? Buffer.allocUnsafe(expected) : null;
  }

  push(chunk: Buffer): void {
    if (this.buffer && this.used + chunk.length <= this.buffer.length) {
      chunk.copy(this.buffer, this.used);
      this.used += chunk.length;
      return;
    }
    if (this.buffer) {
      this.chunks = [this.buffer.subarray(0, this.used)];
      this.buffer = null;
    }
    this.chunks.push(chunk);
  }

  bytes(): Buffer {
    return this.buffer ? this.buffer.subarray(0, this.used) : Buffer.concat(this.chunks);
  }
}

/**
 * The chunks of an upload, refused with 408 request-timeout when none arrives for `idleMs`: a place among those inspected
 * is held while a file's bytes arrive, so an upload whose client stopped sending would keep everyone else's waiting.
 */
async function* arrivingWithin(chunks: AsyncIterable<Buffer>, idleMs: number): AsyncGenerator<Buffer> {
  const source = chunks[Symbol.asyncIterator]();
  let ended = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new DomainError('timeout', 'request-timeout', `no bytes of the file arrived for ${idleMs} ms`)),
          idleMs,
        );
      });
      let next: IteratorResult<Buffer>;
      try {
        next = await Promise.race([source.next(), stalled]);
      } finally {
        clearTimeout(timer);
      }
      if (next.done) {
        ended = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Stopped early (refused, or stalled): the upload's stream is let go, not awaited (a stalled one may never settle).
    if (!ended) void Promise.resolve(source.return?.()).catch(() => undefined);
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

  /**
   * Inspects the bytes `chunks` yields; refuses a file over the upload limit (413), an undecodable or oversized image
   * (422). `expectedSize`: at most how many bytes will come, when known (the body's length for a lone file part).
   */
  inspect(chunks: AsyncIterable<Buffer>, expectedSize: number | null = null): Promise<FileInspection> {
    return this.slots.run(() => this.read(arrivingWithin(chunks, this.config.uploadIdleMs), expectedSize));
  }

  private async read(chunks: AsyncIterable<Buffer>, expectedSize: number | null): Promise<FileInspection> {
    const scan = new UploadScan();
    const limit = this.config.uploadLimit;
    let head = Buffer.alloc(0);
    let sniffed: string | null | undefined;
    let held: HeldBytes | null = null;
    let size = 0;
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > limit) throw tooLarge('file-too-large', `the file is larger than the upload limit of ${limit} bytes`);
      scan.update(chunk);
      if (sniffed === undefined) {
        head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        if (head.length < SNIFF_BYTES) continue;
        sniffed = sniffType(head);
        // Only images the ledger decodes are held; anything else is only hashed as it passes.
        if (sniffed && DECODED_IMAGE_TYPES.has(sniffed)) {
          held = new HeldBytes(expectedSize === null ? null : Math.min(expectedSize, limit));
          held.push(head.length === size ? head : Buffer.concat([head, chunk.subarray(SNIFF_BYTES - (size - chunk.length))]));
          continue;
        }
      }
      held?.push(chunk);
    }
    if (sniffed === undefined) {
      // The whole file was shorter than a signature needs: it is all in `head`.
      sniffed = sniffType(head);
      if (sniffed && DECODED_IMAGE_TYPES.has(sniffed)) (held = new HeldBytes(null)).push(head);
    }
    const metadata = await readMetadata(scan.finish());
    const bytes = held?.bytes() ?? null;
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
