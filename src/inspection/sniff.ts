// What a file really is, from its first bytes: the media types whose signatures leave no doubt. Pure.

/** Bytes of the head a sniff looks at: enough for every signature below. */
export const SNIFF_BYTES = 32;

const startsWith = (head: Buffer, at: number, bytes: number[] | string) =>
  (typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes)).equals(head.subarray(at, at + bytes.length));

/** ISO base media brands of still images (AVIF, HEIF/HEIC). */
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'mif1', 'msf1']);

/** The media type the signature at the start of `head` names, or null when none does. */
export function sniffType(head: Buffer): string | null {
  if (startsWith(head, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, 0, 'GIF87a') || startsWith(head, 0, 'GIF89a')) return 'image/gif';
  if (startsWith(head, 0, 'RIFF') && startsWith(head, 8, 'WEBP')) return 'image/webp';
  if (startsWith(head, 0, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, 0, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (startsWith(head, 4, 'ftyp')) {
    const brand = head.subarray(8, 12).toString('latin1');
    if (AVIF_BRANDS.has(brand)) return 'image/avif';
    if (HEIF_BRANDS.has(brand)) return 'image/heic';
  }
  if (startsWith(head, 0, '%PDF-')) return 'application/pdf';
  return null;
}

/** Types a sniff recognises: a file declared as one of them must carry its signature. */
export const SNIFFED_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/tiff',
  'image/avif',
  'image/heic',
  'application/pdf',
]);
/** Images whose pixels are decoded for a perceptual hash (HEIC is recognised but not decoded). */
export const DECODED_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/tiff',
  'image/avif',
]);

/** Other names clients give these types. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/heif': 'image/heic',
  'image/x-png': 'image/png',
};
const canonical = (type: string) => (Object.hasOwn(ALIASES, type) ? ALIASES[type] : type);

/**
 * Why bytes sniffed as `sniffed` are not of the `declared` type, or null when nothing contradicts it: a declared type the
 * sniff knows needs its signature, and a recognised signature needs its own type declared. Other types cannot be told
 * from their bytes here and pass.
 */
export function typeMismatch(declared: string, sniffed: string | null): string | null {
  const type = canonical(declared.toLowerCase().split(';')[0].trim());
  if (sniffed === type) return null;
  if (SNIFFED_TYPES.has(type))
    return sniffed ? `the bytes are ${sniffed}, not ${declared}` : `the bytes do not start with the ${declared} signature`;
  if (sniffed) return `the bytes are ${sniffed}, not ${declared}`;
  return null;
}
