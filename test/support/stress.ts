// How hard the reliability and security suites push: small counts in CI, large ones under `npm run test:stress` (STRESS=1).
// Every random choice comes from one seed, printed when a suite that uses it loads; SEED=<n> replays a run.

export const STRESS = /^(1|true|yes)$/i.test(process.env.STRESS ?? '');

/** `ci` in the ordinary suite, `stress` under STRESS=1. */
export const scaled = (ci: number, stress: number): number => (STRESS ? stress : ci);

export const SEED =
  process.env.SEED !== undefined && process.env.SEED !== '' ? Number(process.env.SEED) >>> 0 : (Date.now() ^ (process.pid << 8)) >>> 0;
// Printed when the suite loads, so that a run which fails before a suite's own summary still names the seed to replay.
console.log(`random choices from seed ${SEED}: SEED=${SEED} replays them`);

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: tiny, fast and good enough to choose test inputs reproducibly. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int, pick: (items) => items[int(0, items.length - 1)] };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
