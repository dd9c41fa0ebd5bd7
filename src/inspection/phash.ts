// The 64-bit DCT perceptual hash (`phash64`), pure: a 32×32 greyscale picture in, 16 hex characters out. Two pictures
// that look alike (resized, re-encoded, lightly edited) differ in a few bits; unrelated pictures in about half of them.
//
// The picture's 2-D DCT-II is taken and the 8×8 lowest frequencies after the DC row and column (u, v = 1..8) are kept:
// the DC term says only how bright the picture is, and its row and column only how brightness drifts across it. Each
// of the 64 coefficients gives one bit: 1 when it is above their median. Bits run from the lowest frequencies, row
// by row (v, then u), most significant bit first.

export const PHASH_SIZE = 32;
const FIRST = 1;
const LAST = 8;
const KEPT = LAST - FIRST + 1;

/** cos(π (2x + 1) u / 2N) for u = 0..LAST, x = 0..N-1, row by row. */
const COSINES = (() => {
  const table = new Float64Array((LAST + 1) * PHASH_SIZE);
  for (let u = 0; u <= LAST; u++) {
    for (let x = 0; x < PHASH_SIZE; x++) table[u * PHASH_SIZE + x] = Math.cos((Math.PI * (2 * x + 1) * u) / (2 * PHASH_SIZE));
  }
  return table;
})();

/** The DCT-II coefficients (u, v) for u, v in FIRST..LAST of a 32×32 picture given row by row; unnormalised (one scale for all). */
export function lowFrequencies(grey: ArrayLike<number>): Float64Array {
  if (grey.length !== PHASH_SIZE * PHASH_SIZE) throw new Error(`expected ${PHASH_SIZE}×${PHASH_SIZE} samples, got ${grey.length}`);
  // Rows first: for every row y, the coefficients u of that row; then down the columns for every v.
  const rows = new Float64Array(PHASH_SIZE * KEPT);
  for (let y = 0; y < PHASH_SIZE; y++) {
    for (let u = FIRST; u <= LAST; u++) {
      let sum = 0;
      for (let x = 0; x < PHASH_SIZE; x++) sum += grey[y * PHASH_SIZE + x] * COSINES[u * PHASH_SIZE + x];
      rows[y * KEPT + (u - FIRST)] = sum;
    }
  }
  const out = new Float64Array(KEPT * KEPT);
  for (let v = FIRST; v <= LAST; v++) {
    for (let u = 0; u < KEPT; u++) {
      let sum = 0;
      for (let y = 0; y < PHASH_SIZE; y++) sum += rows[y * KEPT + u] * COSINES[v * PHASH_SIZE + y];
      out[(v - FIRST) * KEPT + u] = sum;
    }
  }
  return out;
}

/** The 64-bit hash of a 32×32 greyscale picture (row by row, any numeric range), as 16 lowercase hex characters. */
export function phash64(grey: ArrayLike<number>): string {
  const coefficients = lowFrequencies(grey);
  const sorted = Float64Array.from(coefficients).sort();
  const median = (sorted[31] + sorted[32]) / 2;
  let hex = '';
  for (let nibble = 0; nibble < 16; nibble++) {
    let n = 0;
    for (let b = 0; b < 4; b++) n = (n << 1) | (coefficients[nibble * 4 + b] > median ? 1 : 0);
    hex += n.toString(16);
  }
  return hex;
}

const NIBBLE_BITS = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** Bits in which two hashes of the same length (lowercase hex) differ. */
export function hammingDistanceHex(a: string, b: string): number {
  if (a.length !== b.length || !/^[0-9a-f]*$/.test(a) || !/^[0-9a-f]*$/.test(b))
    throw new Error('expected two hex hashes of the same length');
  let d = 0;
  for (let i = 0; i < a.length; i++) d += NIBBLE_BITS[parseInt(a[i], 16) ^ parseInt(b[i], 16)];
  return d;
}
