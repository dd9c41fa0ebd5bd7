// A damaged image is refused with libvips' reason, not sharp's line about its own setting.
import sharp from 'sharp';
import { DomainError } from '../common/domain-error.js';
import { errorText, imageHash } from './image-hash.js';

const LIMIT = 50_000_000;

async function png(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
}

/** The PNG with one byte of a chunk's CRC changed. */
function badCrc(file: Buffer, chunk: string): Buffer {
  const at = file.indexOf(chunk) - 4;
  const copy = Buffer.from(file);
  copy[at + 8 + copy.readUInt32BE(at)] ^= 0xff;
  return copy;
}

it('hashes a sound image', async () => {
  await expect(imageHash(await png(), LIMIT)).resolves.toMatchObject({ width: 64, height: 48, perceptualHash: { scheme: 'phash64' } });
});

it('names what is damaged in a PNG whose header chunk fails its CRC (image-unreadable)', async () => {
  const refused = await imageHash(badCrc(await png(), 'IHDR'), LIMIT).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(DomainError);
  expect(refused).toMatchObject({
    code: 'image-unreadable',
    message: 'the image cannot be decoded: the file is damaged (IHDR: CRC error)',
  });
});

it("keeps libvips' first line otherwise, and a refused warning without a reason says the file is damaged", () => {
  expect(errorText(new Error('vipspng: libpng read error\nsomething after'))).toBe('vipspng: libpng read error');
  expect(errorText(new Error('Warning treated as error due to failOn setting\nerror in tile 0 x 0'))).toBe('the file is damaged');
  expect(errorText(new Error('Warning treated as error due to failOn setting\nA\nerror in tile 0 x 8\nA\nB'))).toBe(
    'the file is damaged (A; B)',
  );
});
