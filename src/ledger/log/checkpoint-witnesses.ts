// The log's side of C2SP tlog-witness, off the write path: each new checkpoint goes to every witness, in order, with a
// consistency proof from the size that witness last cosigned; verified cosignatures are stored beside the checkpoint. A
// witness that fails or times out is logged, counted and tried again later from the oldest checkpoint it has not cosigned.
// What a witness answers is not taken on its word: witness URLs may be plain HTTP, and a witness may be wrong.
import { Logger } from '@nestjs/common';
import { attestationDelay, witnessRequests } from '../../common/metrics.js';
import { cosignerLabel, type CosignerKey, misnamedCosigners, parseCosignerVkey, verifyCosignatures } from '../../verifier/cosignature.js';
import type { ConsistencyProof } from './merkle-log.js';
import type { MerkleTreeStore, StoredCheckpoint } from './merkle-tree.store.js';

export interface WitnessOptions {
  witnesses: Array<{ vkey: string; url: string }>;
  timeoutMs: number;
  /** First delay before a failed submission is retried; it doubles up to 5 s. */
  retryMs?: number;
  now?: () => number;
}

type ProveConsistency = (from: number, to: number) => Promise<ConsistencyProof>;

/** A witness that is down is asked again at least this often: a submission costs it little, and the quorum waits on it. */
const MAX_RETRY_MS = 5000;
/**
 * Checkpoints kept for a witness that has not cosigned them yet (slower for a moment than the log signs them): past this
 * many the oldest are dropped and stay without its cosignature, since a witness only moves forward. Few, so that after
 * an outage the newest checkpoint, which readers wait for, is a few round trips away rather than behind the whole outage.
 */
const MAX_QUEUED = 8;
/**
 * How far (seconds) a witness's clock may be from the log's: a witness dates its cosignature when it makes it, so one is
 * stored only if dated within this of the log's now when it arrives (not of the checkpoint's `time`, which may run ahead
 * of the clock: it never goes back). One dated outside (a witness with a broken or wrong clock) is refused, as a
 * cosignature that does not verify is: it would be served with the checkpoint, in receipts and evidence bundles.
 */
export const COSIGNATURE_CLOCK_SKEW_S = 300;

/** The body of POST <prefix>/add-checkpoint: `old <size>`, the proof lines (base64), a blank line, the signed checkpoint. */
export function addCheckpointBody(oldSize: number, proof: readonly string[], note: string): string {
  return `old ${oldSize}\n${proof.map((h) => Buffer.from(h, 'hex').toString('base64') + '\n').join('')}\n${note}`;
}

class WitnessRefusal extends Error {}
/**
 * The witness says it holds a checkpoint of this log larger than any the log signed. That cannot be (or the log lost
 * checkpoints it signed), and a single 409 changed in transit says it: the size is not kept, and the witness is asked
 * again, from what it says then, after the back-off.
 */
class WitnessAhead extends Error {}

class WitnessChannel {
  readonly label: string;
  private readonly key: CosignerKey;
  /**
   * The checkpoints offered and not yet cosigned, oldest first. Each goes to the witness in turn: sending only the latest
   * left a checkpoint signed while a submission was under way without cosignatures, and a history holding one failed
   * `verify --witness-quorum`.
   */
  private readonly queue: StoredCheckpoint[] = [];
  /** The size the witness holds for this log, as far as we know (null: unknown, ask with old 0). */
  private size: number | null = null;
  private cosignedSize = -1;
  private nextAt = 0;
  private backoffMs: number;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly initial: Promise<void>;

  constructor(
    vkey: string,
    private readonly url: string,
    private readonly opts: Required<WitnessOptions>,
    private readonly tree: MerkleTreeStore,
    private readonly prove: ProveConsistency,
    private readonly signedAt: Map<number, number>,
    private readonly logger: Logger,
    private readonly stored: () => void,
  ) {
    this.key = parseCosignerVkey(vkey);
    this.label = cosignerLabel(this.key);
    this.backoffMs = opts.retryMs;
    this.initial = tree.latestAttestation('cosignature', this.label).then(
      (last) => {
        if (last) {
          this.size = last.treeSize;
          this.cosignedSize = last.treeSize;
        }
      },
      () => undefined,
    );
  }

  offer(c: StoredCheckpoint): void {
    if (c.treeSize <= Math.max(this.cosignedSize, this.queue.at(-1)?.treeSize ?? -1)) return;
    this.queue.push(c);
    if (this.queue.length > MAX_QUEUED) this.queue.shift();
    this.kick();
  }

  private kick(): void {
    if (this.stopped || this.running) return;
    while (this.queue.length > 0 && this.queue[0].treeSize <= this.cosignedSize) this.queue.shift();
    if (this.queue.length === 0) return;
    const wait = this.nextAt - this.opts.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.kick();
      }, wait);
      this.timer.unref();
      return;
    }
    this.running = true;
    void this.submit(this.queue[0]).finally(() => {
      this.running = false;
      this.kick();
    });
  }

  private async submit(c: StoredCheckpoint): Promise<void> {
    await this.initial;
    try {
      for (let attempt = 0; ; attempt++) {
        const old = this.size ?? 0;
        if (old > c.treeSize) {
          // It cannot cosign a checkpoint smaller than the one it holds: those queued are dropped.
          while (this.queue.length > 0 && this.queue[0].treeSize < old) this.queue.shift();
          if (this.queue.length === 0)
            this.logger.warn(`witness ${this.label} holds a checkpoint of ${old} leaves, more than the log's ${c.treeSize}`);
          return;
        }
        const proof = old === 0 || old === c.treeSize ? [] : (await this.prove(old, c.treeSize)).hashes;
        const res = await fetch(`${this.url}/add-checkpoint`, {
          method: 'POST',
          body: addCheckpointBody(old, proof, c.note),
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        const text = await res.text();
        if (res.status === 409 && /^text\/x\.tlog\.size\b/.test(res.headers.get('content-type') ?? '') && /^(0|[1-9]\d*)\n$/.test(text)) {
          const held = Number(text.trim());
          // Larger than this checkpoint, it may still be one the log signed since (cosigned through another of its instances).
          const signed = held > c.treeSize ? ((await this.tree.latestCheckpoint())?.treeSize ?? 0) : c.treeSize;
          if (held > signed) {
            witnessRequests.inc({ witness: this.label, outcome: 'ahead' });
            throw new WitnessAhead(`the witness says it holds a checkpoint of ${held} leaves, more than the ${signed} the log signed`);
          }
          witnessRequests.inc({ witness: this.label, outcome: 'conflict' });
          if (attempt >= 2 || held === old)
            throw new WitnessRefusal(
              `the witness holds size ${held} and refuses ${c.treeSize} from ${old} (a different checkpoint of that size?)`,
            );
          this.size = held;
          continue;
        }
        if (res.status !== 200) throw new WitnessRefusal(`HTTP ${res.status}: ${text.slice(0, 200).trim()}`);
        const line = text
          .split('\n')
          .map((l) => l + '\n')
          .find((l) => verifyCosignatures(c.note + l, [this.key]).valid.length === 1);
        if (!line) {
          const [misnamed] = misnamedCosigners(c.note + text.replace(/\n?$/, '\n'), [this.key]);
          throw new WitnessRefusal(
            misnamed
              ? `the witness signs as ${JSON.stringify(misnamed.signedAs)}, and LEDGER_WITNESSES names its key ${JSON.stringify(this.key.name)}: give its vkey made with the name it signs with`
              : 'the response holds no valid cosignature by this witness',
          );
        }
        const { timestamp } = verifyCosignatures(c.note + line, [this.key]).valid[0];
        const now = Math.floor(this.opts.now() / 1000);
        if (Math.abs(timestamp - now) > COSIGNATURE_CLOCK_SKEW_S) {
          this.size = c.treeSize; // it took the checkpoint: asked again, it cosigns it anew
          throw new WitnessRefusal(
            `the cosignature is dated ${timestamp}, more than ${COSIGNATURE_CLOCK_SKEW_S} s from the log's now ${now}`,
          );
        }
        await this.tree.saveAttestation({ treeSize: c.treeSize, kind: 'cosignature', source: this.label, body: line, time: timestamp });
        this.stored();
        witnessRequests.inc({ witness: this.label, outcome: 'ok' });
        const signed = this.signedAt.get(c.treeSize);
        if (signed !== undefined) attestationDelay.observe({ kind: 'witness' }, (this.opts.now() - signed) / 1000);
        this.size = c.treeSize;
        this.cosignedSize = c.treeSize;
        this.backoffMs = this.opts.retryMs;
        return;
      }
    } catch (err) {
      if (!(err instanceof WitnessAhead))
        witnessRequests.inc({ witness: this.label, outcome: err instanceof WitnessRefusal ? 'invalid' : 'failed' });
      // A checkpoint the witness refused is not offered again while newer ones wait: they are tried next.
      if (err instanceof WitnessRefusal && this.queue[0] === c && this.queue.length > 1) this.queue.shift();
      this.logger.warn(
        `witness ${this.label} did not cosign checkpoint ${c.treeSize}, retrying in ${this.backoffMs} ms: ${(err as Error).message}`,
      );
      if (!(err instanceof WitnessRefusal)) this.size = null; // unreachable, or not believed: ask again what it holds
      this.nextAt = this.opts.now() + this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_RETRY_MS);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Every configured witness, fed each checkpoint the log signs. */
export class CheckpointWitnesses {
  private readonly logger = new Logger('witnesses');
  private readonly channels: WitnessChannel[];

  constructor(
    tree: MerkleTreeStore,
    prove: ProveConsistency,
    opts: WitnessOptions,
    signedAt: Map<number, number>,
    stored: () => void = () => undefined,
  ) {
    const full: Required<WitnessOptions> = { retryMs: 500, now: Date.now, ...opts };
    this.channels = opts.witnesses.map((w) => new WitnessChannel(w.vkey, w.url, full, tree, prove, signedAt, this.logger, stored));
  }

  /** `<name>+<hex key ID>` of every witness, in configuration order. */
  get cosigners(): string[] {
    return this.channels.map((c) => c.label);
  }

  offer(c: StoredCheckpoint): void {
    for (const channel of this.channels) channel.offer(c);
  }

  stop(): void {
    for (const channel of this.channels) channel.stop();
  }
}
