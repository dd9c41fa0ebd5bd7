// The head (revision and hash) of every stream seen so far, for the per-stream prevHash chain check.
// O(streams) memory is inherent to that check; this keeps it small: a Map from stream name to a slot, and the heads'
// revisions and 32-byte hashes in flat typed arrays (no object and no 64-character hex string per stream).
// Framework-free: runs in Node and in a browser.

export class StreamHeads {
  private readonly slots = new Map<string, number>();
  private revisions = new Float64Array(1024);
  private hashes = new Uint8Array(1024 * 32);

  get size(): number {
    return this.slots.size;
  }

  /** The slot of `stream`, or -1 when the stream has no event yet. */
  slotOf(stream: string): number {
    return this.slots.get(stream) ?? -1;
  }

  revisionAt(slot: number): number {
    return this.revisions[slot];
  }

  /** True when the head hash in `slot` equals the 32 bytes of `hash` from `offset`. */
  hashEquals(slot: number, hash: Uint8Array, offset: number): boolean {
    const base = slot * 32;
    for (let i = 0; i < 32; i++) if (this.hashes[base + i] !== hash[offset + i]) return false;
    return true;
  }

  /** Moves the head of `stream` (in `slot`, or a new slot when -1) to `revision` and the 32 bytes of `hash` from `offset`. */
  advance(stream: string, slot: number, revision: number, hash: Uint8Array, offset: number): void {
    if (slot < 0) {
      slot = this.slots.size;
      if (slot === this.revisions.length) this.grow();
      this.slots.set(stream, slot);
    }
    this.revisions[slot] = revision;
    this.hashes.set(hash.subarray(offset, offset + 32), slot * 32);
  }

  private grow(): void {
    const revisions = new Float64Array(this.revisions.length * 2);
    revisions.set(this.revisions);
    const hashes = new Uint8Array(this.hashes.length * 2);
    hashes.set(this.hashes);
    this.revisions = revisions;
    this.hashes = hashes;
  }
}
