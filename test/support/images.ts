// Real pictures for the inspection tests, made with sharp from generated pixels: a smooth scene per seed (a gradient
// and soft coloured discs, a little noise), so that a resized or re-encoded copy still looks like its original and two
// seeds look nothing alike. Labels go in as real PNG chunks or JPEG segments.
import sharp from 'sharp';
import { pngChunk } from './files.js';

/** `width`×`height` RGB pixels, row by row, the same for the same seed. */
export function scene(seed: number, width: number, height: number): Buffer {
  let s = (seed * 9301 + 49297) & 0x7fffffff;
  const random = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const discs = Array.from({ length: 6 }, () => ({
    x: random() * width,
    y: random() * height,
    r: (0.1 + random() * 0.3) * Math.min(width, height),
    rgb: [random() * 255, random() * 255, random() * 255],
  }));
  const gradient = [random(), random(), random()];
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let rgb = [(gradient[0] * 255 * x) / width, (gradient[1] * 255 * y) / height, gradient[2] * 128];
      for (const d of discs) {
        const distance = Math.hypot(x - d.x, y - d.y);
        if (distance < d.r) {
          const a = 1 - distance / d.r;
          rgb = rgb.map((v, i) => v * (1 - a) + d.rgb[i] * a);
        }
      }
      for (let c = 0; c < 3; c++) pixels[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c] + (random() - 0.5) * 16)));
    }
  }
  return pixels;
}

const raw = (seed: number, width: number, height: number) => sharp(scene(seed, width, height), { raw: { width, height, channels: 3 } });

export const scenePng = (seed: number, width = 256, height = 256) => raw(seed, width, height).png().toBuffer();
export const sceneJpeg = (seed: number, width = 256, height = 256, quality = 85) => raw(seed, width, height).jpeg({ quality }).toBuffer();

/** The picture resized (aspect ratio not kept) and re-encoded as JPEG: a copy that looks the same and shares no byte. */
export const resizedJpeg = (image: Buffer, width: number, height: number, quality = 70) =>
  sharp(image).resize(width, height, { fit: 'fill' }).jpeg({ quality }).toBuffer();

/** The PNG with `chunks` inserted right after IHDR (metadata chunks, e.g. a tEXt or iTXt label): the pixels stay the same. */
export function withPngChunks(png: Buffer, chunks: Buffer[]): Buffer {
  const afterIhdr = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, afterIhdr), ...chunks, png.subarray(afterIhdr)]);
}

/** The JPEG with `segments` (e.g. an APP1 XMP segment) inserted right after SOI. */
export const withJpegSegments = (jpeg: Buffer, segments: Buffer[]) => Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);

/**
 * A PNG that claims `width`×`height` pixels but holds one compressed row: a decompression bomb's header. The ledger
 * must refuse it from its dimensions, before expanding anything.
 */
export function claimedSizePng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
