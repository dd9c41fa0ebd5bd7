import { hammingDistanceHex, lowFrequencies, phash64, PHASH_SIZE } from './phash.js';

const N = PHASH_SIZE;
const picture = (f: (x: number, y: number) => number) => Array.from({ length: N * N }, (_, i) => f(i % N, Math.floor(i / N)));

/** The textbook DCT-II coefficient, summed directly, for comparison. */
function dct(grey: number[], u: number, v: number): number {
  let sum = 0;
  for (let y = 0; y < N; y++)
    for (let x = 0; x < N; x++)
      sum += grey[y * N + x] * Math.cos((Math.PI * (2 * x + 1) * u) / (2 * N)) * Math.cos((Math.PI * (2 * y + 1) * v) / (2 * N));
  return sum;
}

describe('phash64', () => {
  const waves = picture((x, y) => 128 + 50 * Math.sin((x * y) / 40) + 30 * Math.cos(Math.hypot(x - 16, y - 8) / 3));

  it('keeps the DCT-II coefficients u, v = 1..8 (separable sums equal the direct double sum)', () => {
    const kept = lowFrequencies(waves);
    expect(kept).toHaveLength(64);
    for (const [u, v] of [
      [1, 1],
      [3, 1],
      [8, 8],
      [2, 7],
    ])
      expect(kept[(v - 1) * 8 + (u - 1)]).toBeCloseTo(dct(waves, u, v), 6);
  });

  it('sets one bit per coefficient above the median: 16 hex characters, half of the bits set', () => {
    const hash = phash64(waves);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    const ones = [...hash].reduce((n, c) => n + hammingDistanceHex(c, '0'), 0);
    expect(ones).toBe(32);
  });

  it('ignores brightness and contrast: the DC term is left out and the threshold is relative', () => {
    expect(phash64(waves.map((v) => v * 0.5 + 40))).toBe(phash64(waves));
  });

  it('tells different pictures apart and is the same for the same picture', () => {
    const rings = picture((x, y) => 128 + 100 * Math.sin(Math.hypot(x - 10, y - 20) / 3));
    expect(phash64(rings)).toBe(phash64([...rings]));
    expect(hammingDistanceHex(phash64(rings), phash64(waves))).toBeGreaterThan(16);
  });

  it('refuses a picture of another size', () => {
    expect(() => phash64(new Array(31 * 31).fill(0))).toThrow('expected 32×32 samples');
  });
});

describe('hammingDistanceHex', () => {
  it('counts differing bits', () => {
    expect(hammingDistanceHex('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistanceHex('8000000000000001', '0000000000000000')).toBe(2);
    expect(hammingDistanceHex('abc', 'abc')).toBe(0);
  });

  it('refuses hashes of different lengths or not in hex', () => {
    expect(() => hammingDistanceHex('00', '000')).toThrow();
    expect(() => hammingDistanceHex('zz', '00')).toThrow();
  });
});
