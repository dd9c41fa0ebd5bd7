// Near-duplicate search by multi-index hashing (Norouzi, Punjani, Fleet, "Fast Search in Hamming Space with
// Multi-Index Hashing", CVPR 2012). Pure and in memory: no I/O, so it is tested against a linear scan.
//
// A b-bit hash is split into m disjoint chunks, each the key of its own hash table. If two hashes differ in at most
// r bits, the r differences fall into m chunks, so some chunk differs in at most ⌊r/m⌋ bits (pigeonhole). A query
// probes, in every table, each key within ⌊r/m⌋ bits of its own chunk, and only the entries found there are compared
// in full. Chunks of about log2(n) bits keep each bucket near one entry, so a query examines a few candidates
// instead of n; with ⌊r/m⌋ = 0 (m > r) it is the exact-chunk variant.
import { PERCEPTUAL_SCHEME_BITS, type PerceptualScheme } from '../verifier/rights-events.js';

export interface HashEntry {
  filingId: string;
  creator: string;
  leafIndex: number;
}
export interface Match {
  entry: HashEntry;
  distance: number;
}
export interface SearchStats {
  probes: number;
  examined: number;
}

/** Chunks per scheme: phash64 in 3 chunks of ~21 bits (r = 8 → radius 2 per chunk), pdq256 in 16 of 16 bits (r = 31 → 1), simhash64 in 4 of 16 (r = 3 → exact). */
export const CHUNKS: Record<PerceptualScheme, number> = { phash64: 3, pdq256: 16, simhash64: 4 };

const popcount32 = (x: number): number => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

/** The widest chunk whose keys get a presence bitmap (2^24 bits, 2 MiB). */
const PRESENCE_BITS_MAX = 24;

/** The most keys one chunk's probes may take (4 MiB of masks); a wider radius is searched by comparing every entry. */
const MASKS_MAX = 1 << 20;
const maskCache = new Map<string, Int32Array | null>();

/**
 * Every mask of at most `radius` set bits among the low `len` bits (0 first): a chunk's key XOR each mask is each key
 * within `radius` bits of it. Built once per (len, radius); null when there would be more than MASKS_MAX.
 */
export function masksWithin(len: number, radius: number): Int32Array | null {
  const name = `${len}:${radius}`;
  if (maskCache.has(name)) return maskCache.get(name)!;
  const count = keysWithin(len, radius);
  let masks: Int32Array | null = null;
  if (count <= MASKS_MAX) {
    masks = new Int32Array(count);
    // Weight by weight: each mask of weight w - 1 gains one bit above its highest, so each set is made exactly once.
    let n = 1;
    for (let w = 1, from = 0; w <= radius; w++) {
      const to = n;
      for (let i = from; i < to; i++) {
        for (let bit = 32 - Math.clz32(masks[i]); bit < len; bit++) masks[n++] = masks[i] | (1 << bit);
      }
      from = to;
    }
    // Ordered by the bits above the low nine: keys that differ only there share one 64-byte line of a presence
    // bitmap, so a chunk's probes load each line once, one after the other.
    masks.sort((a, b) => (a >>> 9) - (b >>> 9) || a - b);
  }
  maskCache.set(name, masks);
  return masks;
}

/** How many keys of `len` bits lie within `radius` bits of one: the sum of C(len, k) for k up to radius. */
function keysWithin(len: number, radius: number): number {
  let count = 0;
  for (let k = 0, binomial = 1; k <= radius; binomial = (binomial * (len - k)) / (k + 1), k++) count += binomial;
  return count;
}

/** Hex (most significant bit first) to 32-bit words. */
export function hexToWords(hex: string, bits: number): Uint32Array {
  if (hex.length !== bits / 4 || !/^[0-9a-f]+$/.test(hex)) throw new Error(`expected ${bits / 4} lowercase hex characters`);
  const words = new Uint32Array(bits / 32);
  for (let i = 0; i < words.length; i++) words[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16) >>> 0;
  return words;
}

export function hammingDistance(a: Uint32Array, b: Uint32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += popcount32((a[i] ^ b[i]) >>> 0);
  return d;
}

/** A copy of `a` twice as long (or `atLeast` long, if that is more). */
function doubled<A extends Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(a: A, atLeast = 0): A {
  const grown = new (a.constructor as new (length: number) => A)(Math.max(a.length * 2, atLeast));
  grown.set(a);
  return grown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The entries of an index, by id (0, 1, …), without an object or a string per entry: the leaf in a Float64Array, the
 * creator as a number into one list of each creator's id, and a filing id in the form of a lowercase UUID (every id
 * the ledger makes) as its 16 bytes; other ids are kept as text. An entry is made an object again only when a search
 * finds it within the radius: 28 bytes an entry, where an object, its id string and a slot in an array took over 100.
 */
class Entries {
  private leaves = new Float64Array(1024);
  private creatorNumbers = new Uint32Array(1024);
  private ids = new Uint8Array(1024 * 16);
  private readonly textIds = new Map<number, string>();
  private readonly creators: string[] = [];
  private readonly creatorNumber = new Map<string, number>();
  length = 0;

  push(entry: HashEntry): number {
    const id = this.length++;
    if (id >= this.leaves.length) {
      this.leaves = doubled(this.leaves);
      this.creatorNumbers = doubled(this.creatorNumbers);
      this.ids = doubled(this.ids);
    }
    this.leaves[id] = entry.leafIndex;
    let creator = this.creatorNumber.get(entry.creator);
    if (creator === undefined) {
      creator = this.creators.push(entry.creator) - 1;
      this.creatorNumber.set(entry.creator, creator);
    }
    this.creatorNumbers[id] = creator;
    if (UUID.test(entry.filingId)) this.ids.set(Buffer.from(entry.filingId.replaceAll('-', ''), 'hex'), id * 16);
    else this.textIds.set(id, entry.filingId);
    return id;
  }

  get(id: number): HashEntry {
    let filingId = this.textIds.get(id);
    if (filingId === undefined) {
      const hex = Buffer.from(this.ids.buffer, this.ids.byteOffset + id * 16, 16).toString('hex');
      filingId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    return { filingId, creator: this.creators[this.creatorNumbers[id]], leafIndex: this.leaves[id] };
  }
}

/**
 * One table's latest entry with each key, plus one (0: none). A Map while the table holds few of the possible keys; an
 * array indexed by key (4 bytes a possible key) once it holds more than one in eight of them, when a Map (some 30 to 50
 * bytes a key) takes about as much memory and its lookups cost more. On a million phash64 filings (chunks of 22, 21 and
 * 21 bits): a median search of 0.068 ms instead of 0.150, 170 MiB instead of 220 for a process holding only the index.
 */
class Heads {
  private map: Map<number, number> | null = new Map();
  private dense: Uint32Array | null = null;

  constructor(private readonly bits: number) {}

  get(key: number): number {
    return this.dense !== null ? this.dense[key] : (this.map!.get(key) ?? 0);
  }

  set(key: number, value: number): void {
    if (this.dense !== null) {
      this.dense[key] = value;
      return;
    }
    const map = this.map!;
    map.set(key, value);
    if (this.bits <= PRESENCE_BITS_MAX && map.size > 2 ** this.bits / 8) {
      const dense = new Uint32Array(2 ** this.bits);
      for (const [k, v] of map) dense[k] = v;
      this.dense = dense;
      this.map = null;
    }
  }

  /** Whether the keys are held in an array (for tests). */
  get isDense(): boolean {
    return this.dense !== null;
  }
}

/** One scheme's multi-index: m tables keyed by a chunk of the hash. */
export class MultiIndexHash {
  private readonly words: number;
  private readonly chunkStart: number[] = [];
  private readonly chunkBits: number[] = [];
  /**
   * Per table, the latest entry with each key, plus one (0: none); `chains` links each entry to the one before it with
   * the same key in that table (at entry id × chunks + table, plus one). A bucket is a chain through one typed array
   * rather than an array per key: a key costs one entry of its table's `Heads` and an entry one word per table.
   */
  private readonly heads: Heads[];
  private chains: Uint32Array<ArrayBuffer>;
  /**
   * Per table, one bit per possible key (chunks of at most 24 bits: 2 MiB at most), set when the table has that key.
   * A query's probes are mostly keys no entry has; the bit answers those without a lookup in the table's `Heads`.
   */
  private readonly present: Array<Uint8Array | null>;
  private readonly probeMasks = new Map<number, Int32Array[] | null>();
  /**
   * Every entry's hash, `words` 32-bit words each, in one array (grown by doubling, as `stamps`): a probe's candidates
   * are compared reading only this array, and only those within the radius read their entry.
   */
  private hashes = new Uint32Array(1024);
  private readonly entries = new Entries();
  private stamps = new Uint32Array(1024);
  private query = 0;

  constructor(
    readonly bits: number,
    readonly chunks: number,
  ) {
    if (bits % 32 !== 0 || chunks < 1 || Math.ceil(bits / chunks) > 30)
      throw new Error(`cannot split ${bits} bits into ${chunks} chunks of at most 30 bits`);
    this.words = bits / 32;
    for (let j = 0, start = 0; j < chunks; j++) {
      const len = Math.floor(bits / chunks) + (j < bits % chunks ? 1 : 0);
      this.chunkStart.push(start);
      this.chunkBits.push(len);
      start += len;
    }
    this.heads = this.chunkBits.map((len) => new Heads(len));
    this.chains = new Uint32Array(1024 * chunks);
    this.present = this.chunkBits.map((len) => (len <= PRESENCE_BITS_MAX ? new Uint8Array(Math.ceil(2 ** len / 8)) : null));
  }

  get size(): number {
    return this.entries.length;
  }

  /** How many tables hold their keys in an array rather than a Map (`Heads`). */
  get denseTables(): number {
    return this.heads.filter((h) => h.isDense).length;
  }

  /** Bits [start, start + len) of the hash, the first bit the most significant (len ≤ 30: within two words). */
  private chunk(h: Uint32Array, j: number): number {
    const start = this.chunkStart[j];
    const len = this.chunkBits[j];
    const word = start >>> 5;
    const offset = start & 31; // bits of the word before the chunk's first
    if (offset + len <= 32) return (h[word] >>> (32 - offset - len)) & ((1 << len) - 1);
    const inFirst = 32 - offset; // at most 29: the chunk spans two words only when offset > 32 - len ≥ 2
    const inSecond = len - inFirst;
    return (h[word] & ((1 << inFirst) - 1)) * (1 << inSecond) + (h[word + 1] >>> (32 - inSecond));
  }

  add(hex: string, entry: HashEntry): void {
    const h = hexToWords(hex, this.bits);
    const id = this.entries.push(entry);
    if (id >= this.stamps.length) this.stamps = doubled(this.stamps);
    if ((id + 1) * this.words > this.hashes.length) this.hashes = doubled(this.hashes);
    if ((id + 1) * this.chunks > this.chains.length) this.chains = doubled(this.chains);
    this.hashes.set(h, id * this.words);
    for (let j = 0; j < this.chunks; j++) {
      const key = this.chunk(h, j);
      const present = this.present[j];
      if (present) present[key >>> 3] |= 1 << (key & 7);
      const heads = this.heads[j];
      this.chains[id * this.chunks + j] = heads.get(key);
      heads.set(key, id + 1);
    }
  }

  /**
   * Each chunk's masks for `perChunk` bits (⌊radius / chunks⌋), looked up once per value; null for a radius so wide
   * that a chunk has more than MASKS_MAX keys near it (no masks are built then): every entry is compared instead.
   */
  private masksFor(perChunk: number): Int32Array[] | null {
    if (!this.probeMasks.has(perChunk)) {
      const within = this.chunkBits.map((len) => Math.min(perChunk, len));
      const wide = this.chunkBits.some((len, j) => keysWithin(len, within[j]) > MASKS_MAX);
      this.probeMasks.set(perChunk, wide ? null : this.chunkBits.map((len, j) => masksWithin(len, within[j])!));
    }
    return this.probeMasks.get(perChunk)!;
  }

  /** The Hamming distance from `q` to entry `id`'s hash. */
  private distanceTo(q: Uint32Array, id: number): number {
    let d = 0;
    for (let i = 0, at = id * this.words; i < this.words; i++, at++) d += popcount32((q[i] ^ this.hashes[at]) >>> 0);
    return d;
  }

  /** Every entry within `radius` bits of `hex` that `accept` lets through, nearest first (then log order). */
  search(hex: string, radius: number, accept: (e: HashEntry) => boolean = () => true): { matches: Match[]; stats: SearchStats } {
    const masks = this.masksFor(Math.floor(radius / this.chunks));
    if (!masks) return { matches: this.linearScan(hex, radius, accept), stats: { probes: 0, examined: this.entries.length } };
    const q = hexToWords(hex, this.bits);
    const stamp = ++this.query;
    const matches: Match[] = [];
    let probes = 0;
    let examined = 0;
    for (let j = 0; j < this.chunks; j++) {
      const heads = this.heads[j];
      const present = this.present[j];
      const flips = masks[j];
      const key = this.chunk(q, j);
      probes += flips.length;
      for (let f = 0; f < flips.length; f++) {
        const probe = key ^ flips[f];
        if (present && (present[probe >>> 3] & (1 << (probe & 7))) === 0) continue;
        for (let link = heads.get(probe); link !== 0; link = this.chains[(link - 1) * this.chunks + j]) {
          const id = link - 1;
          if (this.stamps[id] === stamp) continue;
          this.stamps[id] = stamp;
          examined++;
          const distance = this.distanceTo(q, id);
          if (distance > radius) continue;
          const entry = this.entries.get(id);
          if (accept(entry)) matches.push({ entry, distance });
        }
      }
    }
    matches.sort((a, b) => a.distance - b.distance || a.entry.leafIndex - b.entry.leafIndex);
    return { matches, stats: { probes, examined } };
  }

  /** The same answer by comparing with every entry: the reference the index is tested against. */
  linearScan(hex: string, radius: number, accept: (e: HashEntry) => boolean = () => true): Match[] {
    const q = hexToWords(hex, this.bits);
    const matches: Match[] = [];
    for (let id = 0; id < this.entries.length; id++) {
      const distance = this.distanceTo(q, id);
      if (distance > radius) continue;
      const entry = this.entries.get(id);
      if (accept(entry)) matches.push({ entry, distance });
    }
    return matches.sort((a, b) => a.distance - b.distance || a.entry.leafIndex - b.entry.leafIndex);
  }
}

/** One multi-index per perceptual scheme, plus the filings withdrawn since (they claim nothing any more). */
export class NearDuplicateIndex {
  private readonly schemes = new Map<PerceptualScheme, MultiIndexHash>(
    (Object.keys(PERCEPTUAL_SCHEME_BITS) as PerceptualScheme[]).map((s) => [s, new MultiIndexHash(PERCEPTUAL_SCHEME_BITS[s], CHUNKS[s])]),
  );
  /**
   * The leaves of the filings added (each filing once, by the leaf of its WorkFiled): one bit per leaf below 2^32, a
   * set for any beyond, rather than a set of id strings.
   */
  private added = new Uint8Array(1024);
  private readonly addedBeyond = new Set<number>();
  private count = 0;
  private readonly withdrawn = new Set<string>();

  add(scheme: PerceptualScheme, hex: string, entry: HashEntry): void {
    const leaf = entry.leafIndex;
    const inBits = leaf < 2 ** 32;
    if (inBits ? (this.added[leaf >>> 3] ?? 0) & (1 << (leaf & 7)) : this.addedBeyond.has(leaf)) return;
    this.schemes.get(scheme)!.add(hex, entry);
    if (!inBits) this.addedBeyond.add(leaf);
    else {
      if (leaf >>> 3 >= this.added.length) this.added = doubled(this.added, (leaf >>> 3) + 1);
      this.added[leaf >>> 3] |= 1 << (leaf & 7);
    }
    this.count++;
  }

  withdraw(filingId: string): void {
    this.withdrawn.add(filingId);
  }

  get size(): number {
    return this.count;
  }

  /** Filings by other creators within `threshold` bits, filed before leaf `before` (and from leaf `from`), not withdrawn. */
  find(
    scheme: PerceptualScheme,
    hex: string,
    threshold: number,
    creator: string,
    range: { from?: number; before?: number } = {},
  ): { matches: Match[]; stats: SearchStats } {
    const from = range.from ?? 0;
    const before = range.before ?? Infinity;
    return this.schemes
      .get(scheme)!
      .search(
        hex,
        threshold,
        (e) => e.creator !== creator && e.leafIndex >= from && e.leafIndex < before && !this.withdrawn.has(e.filingId),
      );
  }
}
