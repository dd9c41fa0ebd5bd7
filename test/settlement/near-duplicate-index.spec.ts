// The multi-index near-duplicate search finds exactly what a linear scan finds, while examining a small fraction of the entries.
import {
  CHUNKS,
  hammingDistance,
  hexToWords,
  masksWithin,
  MultiIndexHash,
  NearDuplicateIndex,
} from '../../src/settlement/near-duplicate.index.js';
import { seededRandom } from '../support/random.js';

const randomHex = (bits: number, rand: () => number) =>
  Array.from({ length: bits / 4 }, () => Math.floor(rand() * 16).toString(16)).join('');

function flipBits(hex: string, bits: number, flips: number, rand: () => number): string {
  const chars = hex.split('').map((c) => parseInt(c, 16));
  const done = new Set<number>();
  while (done.size < flips) {
    const bit = Math.floor(rand() * bits);
    if (done.has(bit)) continue;
    done.add(bit);
    chars[bit >> 2] ^= 8 >> (bit & 3);
  }
  return chars.map((c) => c.toString(16)).join('');
}

/** Clusters of near-duplicates (0..2r bit flips from a base) among uniformly random hashes. */
function corpus(bits: number, r: number, n: number, seed: number) {
  const rand = seededRandom(seed);
  const hashes: string[] = [];
  const bases = Array.from({ length: Math.ceil(n / 20) }, () => randomHex(bits, rand));
  while (hashes.length < n) {
    if (rand() < 0.5) hashes.push(randomHex(bits, rand));
    else hashes.push(flipBits(bases[Math.floor(rand() * bases.length)], bits, Math.floor(rand() * (2 * r + 1)), rand));
  }
  const queries = Array.from({ length: 400 }, (_, i) =>
    i % 4 === 0 ? randomHex(bits, rand) : flipBits(bases[Math.floor(rand() * bases.length)], bits, Math.floor(rand() * (2 * r + 1)), rand),
  );
  return { hashes, queries, rand };
}

describe('MultiIndexHash', () => {
  it.each([
    ['phash64', 64, 8, 6000],
    ['pdq256', 256, 31, 4000],
    ['simhash64', 64, 3, 6000],
  ] as const)('%s (r = %p) on %p hashes: the same matches as a linear scan, examining a fraction', (scheme, bits, r, n) => {
    const { hashes, queries, rand } = corpus(bits, r, n, 0x5eed + bits + r);
    const index = new MultiIndexHash(bits, CHUNKS[scheme]);
    hashes.forEach((hex, i) => index.add(hex, { filingId: `f${i}`, creator: `c${Math.floor(rand() * 50)}`, leafIndex: i }));

    let examined = 0;
    let found = 0;
    for (const [i, q] of queries.entries()) {
      const accept = (e: { creator: string }) => e.creator !== `c${i % 50}`;
      const { matches, stats } = index.search(q, r, accept);
      expect(matches).toEqual(index.linearScan(q, r, accept));
      // Distances from the hashes as added (the index keeps them in one array it grows as entries come).
      for (const m of matches)
        expect(m.distance).toBe(hammingDistance(hexToWords(q, bits), hexToWords(hashes[Number(m.entry.filingId.slice(1))], bits)));
      examined += stats.examined;
      found += matches.length;
    }
    const perQuery = examined / queries.length;
    // Not a linear scan: a query compares only the entries sharing a near chunk with it.
    expect(perQuery).toBeLessThan(n / 10);
    expect(found).toBeGreaterThan(queries.length / 2);
  });

  it('finds the same when its tables turn from Maps into arrays indexed by key, as they fill', () => {
    // Chunks of 16 bits: a table turns into an array past 8,192 keys (one in eight of 65,536), about 9,000 random hashes.
    const { hashes, queries, rand } = corpus(64, 8, 20_000, 0xd15e);
    const index = new MultiIndexHash(64, 4);
    const entry = (i: number) => ({ filingId: `f${i}`, creator: `c${Math.floor(rand() * 50)}`, leafIndex: i });
    const searchAll = () => queries.map((q) => index.search(q, 8).matches);
    hashes.slice(0, 5000).forEach((hex, i) => index.add(hex, entry(i)));
    expect(index.denseTables).toBe(0);
    const before = searchAll();
    expect(before).toEqual(queries.map((q) => index.linearScan(q, 8, () => true)));
    hashes.slice(5000).forEach((hex, i) => index.add(hex, entry(5000 + i)));
    expect(index.denseTables).toBe(4);
    const after = searchAll();
    expect(after).toEqual(queries.map((q) => index.linearScan(q, 8, () => true)));
    // Every match among the first 5,000 is still found, with the later ones added.
    before.forEach((matches, i) => expect(after[i]).toEqual(expect.arrayContaining(matches)));
    expect(after.flat().length).toBeGreaterThan(before.flat().length);
  });

  it.each([
    [64, 3, 8],
    [64, 3, 9],
    [256, 16, 31],
    [64, 4, 3],
    [64, 3, 0],
    [256, 9, 27], // chunks of 28 and 29 bits: wider than the presence bitmaps go, looked up in the tables alone
  ])('%p bits in %p chunks, r = %p: probes every key within ⌊r/m⌋ bits of each chunk once', (bits, chunks, r) => {
    const binomial = (n: number, k: number): number => (k === 0 ? 1 : (binomial(n, k - 1) * (n - k + 1)) / k);
    const within = (len: number, radius: number) =>
      Array.from({ length: radius + 1 }, (_, k) => binomial(len, k)).reduce((a, b) => a + b, 0);
    const lengths = Array.from({ length: chunks }, (_, j) => Math.floor(bits / chunks) + (j < bits % chunks ? 1 : 0));
    const index = new MultiIndexHash(bits, chunks);
    // Entries at distance 0..perChunk+1, the bits all in chunk 0: each within r is found, whichever chunk leads to it.
    const perChunk = Math.floor(r / chunks);
    const base = '0'.repeat(bits / 4);
    const withLeadingOnes = (d: number) => (BigInt(2 ** d - 1) << BigInt(bits - d)).toString(16).padStart(bits / 4, '0');
    for (let d = 0; d <= perChunk + 1; d++)
      index.add(d === 0 ? base : withLeadingOnes(d), { filingId: `d${d}`, creator: 'x', leafIndex: d });
    const { matches, stats } = index.search(base, r);
    expect(stats.probes).toBe(lengths.reduce((sum, len) => sum + within(len, Math.min(perChunk, len)), 0));
    expect(matches.map((m) => m.entry.filingId)).toEqual(
      Array.from({ length: Math.min(perChunk + 2, r + 1) }, (_, d) => `d${d}`).filter((_, d) => d <= r),
    );
  });

  it('finds matches at exactly the threshold and not one bit beyond', () => {
    const rand = seededRandom(7);
    const index = new MultiIndexHash(64, CHUNKS.phash64);
    const base = randomHex(64, rand);
    for (let d = 0; d <= 12; d++) index.add(flipBits(base, 64, d, rand), { filingId: `d${d}`, creator: 'x', leafIndex: d });
    const { matches } = index.search(base, 8);
    expect(matches.map((m) => m.distance)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(matches.every((m) => m.entry.filingId === `d${m.distance}`)).toBe(true);
  });

  it.each([
    [22, 2, 1 + 22 + 231],
    [16, 1, 17],
    [29, 3, 1 + 29 + 406 + 3654],
    [8, 8, 256],
  ])('masks within %p bits and radius %p: each of the %p keys within the radius once', (len, radius, count) => {
    const masks = masksWithin(len, radius)!;
    expect(masks).toHaveLength(count);
    expect(new Set(masks).size).toBe(count);
    const weight = (m: number) => m.toString(2).replace(/0/g, '').length;
    expect(masks.every((m) => m >= 0 && m < 2 ** len && weight(m) <= radius)).toBe(true);
  });

  it('a radius with more than a million keys near a chunk is searched by comparing every entry, with the same answer', () => {
    expect(masksWithin(22, 21)).toBeNull();
    const rand = seededRandom(11);
    const index = new MultiIndexHash(64, CHUNKS.phash64);
    for (let i = 0; i < 300; i++) index.add(randomHex(64, rand), { filingId: `f${i}`, creator: 'x', leafIndex: i });
    const query = randomHex(64, rand);
    const { matches, stats } = index.search(query, 30);
    expect(stats).toEqual({ probes: 0, examined: 300 });
    expect(matches.length).toBeGreaterThan(0);
    expect(matches).toEqual(index.linearScan(query, 30));
  });

  it('measures distance on words, most significant bit first', () => {
    expect(hammingDistance(hexToWords('ffffffff00000000', 64), hexToWords('7fffffff00000001', 64))).toBe(2);
    expect(() => hexToWords('abc', 64)).toThrow();
  });
});

describe('NearDuplicateIndex', () => {
  it('leaves out the same creator, withdrawn filings and filings outside the leaf range', () => {
    const index = new NearDuplicateIndex();
    const h = '0123456789abcdef';
    index.add('phash64', h, { filingId: 'mine', creator: 'alice', leafIndex: 1 });
    index.add('phash64', h, { filingId: 'gone', creator: 'bob', leafIndex: 2 });
    index.add('phash64', '0123456789abcdee', { filingId: 'late', creator: 'carol', leafIndex: 9 });
    index.add('phash64', '0123456789abcdec', { filingId: 'near', creator: 'dave', leafIndex: 3 });
    index.add('simhash64', h, { filingId: 'other-scheme', creator: 'erin', leafIndex: 4 });
    index.withdraw('gone');
    expect(index.find('phash64', h, 8, 'alice', { before: 9 }).matches.map((m) => [m.entry.filingId, m.distance])).toEqual([['near', 2]]);
    expect(index.find('phash64', h, 8, 'alice', { from: 4 }).matches.map((m) => m.entry.filingId)).toEqual(['late']);
  });

  it('gives back the ids, creators and leaves it was given, a UUID or not, and takes each filing (leaf) once', () => {
    const index = new NearDuplicateIndex();
    const h = 'fedcba9876543210';
    const given = [
      { filingId: '0193c8a0-1b2c-7d3e-8f40-5a6b7c8d9e0f', creator: 'alice', leafIndex: 0 },
      { filingId: '0193C8A0-1B2C-7D3E-8F40-5A6B7C8D9E0F', creator: 'bob', leafIndex: 7 }, // upper case: kept as text
      { filingId: 'not-a-uuid', creator: 'alice', leafIndex: 2 ** 40 }, // a leaf beyond 32 bits
      { filingId: '00000000-0000-0000-0000-000000000000', creator: 'carol', leafIndex: 1 },
    ];
    for (const entry of given) index.add('phash64', h, entry);
    // The same leaves again, under other ids: the first add of each filing stands.
    index.add('phash64', h, { filingId: '0193c8a0-1b2c-7d3e-8f40-000000000000', creator: 'dave', leafIndex: 7 });
    index.add('phash64', h, { filingId: 'again', creator: 'dave', leafIndex: 2 ** 40 });
    expect(index.size).toBe(4);
    const { matches } = index.find('phash64', h, 0, 'nobody');
    expect(matches.map((m) => m.entry)).toEqual([given[0], given[3], given[1], given[2]]);
    expect(matches.every((m) => m.distance === 0)).toBe(true);
  });
});
