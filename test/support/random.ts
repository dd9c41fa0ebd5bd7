// Seeded randomness for tests whose random cases must reproduce when they fail.

/** Deterministic xorshift32: numbers in [0, 1) from `seed` (0 is taken as 1, which xorshift cannot leave). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}
