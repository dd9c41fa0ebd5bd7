// Decodes an image with sharp (libvips, shipped in its npm packages) just far enough for its perceptual hash: a 32×32
// greyscale thumbnail, upright, transparency flattened onto white. A file sharp cannot decode, or whose dimensions
// exceed the pixel limit, is refused before its pixels are expanded.
import sharp from 'sharp';
import { unprocessable } from '../common/domain-error.js';
import { PHASH_SIZE, phash64 } from './phash.js';

// The operation cache would keep decoded images of past uploads in memory for nothing: each file is decoded once.
sharp.cache(false);

export interface ImageHash {
  width: number;
  height: number;
  perceptualHash: { scheme: 'phash64'; value: string };
}

const unreadable = (detail: string) =>
  unprocessable('image-unreadable', `the image cannot be decoded: ${detail}`, {
    errors: [{ field: 'file', message: `the image cannot be decoded: ${detail}` }],
  });

/**
 * The image's size and phash64; a truncated or corrupt image (422 image-unreadable) or one over `pixelLimit` (422
 * image-too-large) is refused.
 */
export async function imageHash(bytes: Buffer, pixelLimit: number): Promise<ImageHash> {
  const options = { limitInputPixels: pixelLimit, sequentialRead: true, failOn: 'warning' as const };
  let width: number;
  let height: number;
  try {
    // The header alone: the pixel limit is checked here, with the dimensions in the answer.
    const meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
    width = meta.width;
    height = meta.height;
  } catch (err) {
    throw unreadable(errorText(err));
  }
  if (!(width > 0 && height > 0)) throw unreadable('it has no dimensions');
  if (width * height > pixelLimit) {
    const message = `the image is ${width}×${height} pixels, over the limit of ${pixelLimit} pixels`;
    throw unprocessable('image-too-large', message, { width, height, pixelLimit, errors: [{ field: 'file', message }] });
  }
  try {
    const { data, info } = await sharp(bytes, options)
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .greyscale()
      .resize(PHASH_SIZE, PHASH_SIZE, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const grey = info.channels === 1 ? data : Uint8Array.from({ length: PHASH_SIZE * PHASH_SIZE }, (_, i) => data[i * info.channels]);
    return { width, height, perceptualHash: { scheme: 'phash64', value: phash64(grey) } };
  } catch (err) {
    throw unreadable(errorText(err));
  }
}

/** sharp's line for a decoder warning refused (failOn), which names no reason: libvips' lines after it do. */
const FAIL_ON = /^Warning treated as error due to failOn setting/;
/** libvips' lines that say where decoding stopped, not why. */
const WHERE = /^error in tile \d+ x \d+$/;

/**
 * libvips' reason, without the operations that led to it: its first line, or, for a warning sharp refused, the lines
 * that name what is damaged (`IHDR: CRC error`).
 */
export function errorText(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((line) => line.trim());
  if (!FAIL_ON.test(lines[0])) return lines[0].slice(0, 200);
  const reasons = [...new Set(lines.slice(1).filter((line) => line !== '' && !WHERE.test(line)))];
  return `the file is damaged${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`.slice(0, 200);
}
