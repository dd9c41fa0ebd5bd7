// RFC 3161 time-stamps on checkpoints, off the write path: each TSA is asked for a token over the latest checkpoint at
// most once per interval; a token is verified before it is stored; a failure is logged, counted and retried later.
import { Logger } from '@nestjs/common';
import type { Certificate } from 'pkijs';
import { attestationDelay, tsaRequests } from '../../common/metrics.js';
import { fetchTimestamp, newNonce, sha256 } from '../../timestamp/rfc3161.js';
import { checkpointMessage, TimestampError, verifyTimestampToken } from '../../verifier/timestamp-token.js';
import type { MerkleTreeStore, StoredCheckpoint } from './merkle-tree.store.js';

export interface TimestampOptions {
  urls: string[];
  trustedCas: Certificate[];
  intervalS: number;
  timeoutMs: number;
  /** First delay before a failed request is retried; it doubles up to the interval. */
  retryMs?: number;
  now?: () => number;
}

/** One TSA: the latest checkpoint waiting for a token, when the next request may go, and whether one is in flight. */
class TsaChannel {
  private latest: StoredCheckpoint | null = null;
  private stampedSize = -1;
  private nextAt = 0;
  private backoffMs: number;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private initial: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly opts: Required<TimestampOptions>,
    private readonly tree: MerkleTreeStore,
    private readonly signedAt: Map<number, number>,
    private readonly logger: Logger,
  ) {
    this.backoffMs = opts.retryMs;
    // After a restart the interval still holds: it counts from the last token stored.
    this.initial = tree.latestAttestation('timestamp', url).then(
      (last) => {
        if (last) {
          this.stampedSize = last.treeSize;
          this.nextAt = last.time * 1000 + opts.intervalS * 1000;
        }
      },
      () => undefined,
    );
  }

  offer(c: StoredCheckpoint): void {
    if (!this.latest || c.treeSize > this.latest.treeSize) this.latest = c;
    this.kick();
  }

  private kick(): void {
    if (this.stopped || this.running || !this.latest || this.latest.treeSize <= this.stampedSize) return;
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
    void this.stamp(this.latest).finally(() => {
      this.running = false;
      this.kick();
    });
  }

  private async stamp(c: StoredCheckpoint): Promise<void> {
    await this.initial;
    if (c.treeSize <= this.stampedSize) return;
    const message = checkpointMessage(c.note);
    const nonce = newNonce();
    let fetched = false;
    try {
      const token = await fetchTimestamp(this.url, sha256(message), nonce, this.opts.timeoutMs);
      fetched = true;
      const verified = await verifyTimestampToken(token, message, this.opts.trustedCas, nonce);
      if (verified.time < c.time) throw new TimestampError(`the token's time ${verified.time} is before the checkpoint's ${c.time}`);
      await this.tree.saveAttestation({
        treeSize: c.treeSize,
        kind: 'timestamp',
        source: this.url,
        body: Buffer.from(token).toString('base64'),
        time: verified.time,
      });
      tsaRequests.inc({ tsa: this.url, outcome: 'ok' });
      const signed = this.signedAt.get(c.treeSize);
      if (signed !== undefined) attestationDelay.observe({ kind: 'timestamp' }, (this.opts.now() - signed) / 1000);
      this.stampedSize = c.treeSize;
      this.nextAt = this.opts.now() + this.opts.intervalS * 1000;
      this.backoffMs = this.opts.retryMs;
    } catch (err) {
      // Unreachable, slow or refusing: failed; answered with a token that does not verify: invalid.
      tsaRequests.inc({ tsa: this.url, outcome: fetched && err instanceof TimestampError ? 'invalid' : 'failed' });
      this.logger.warn(
        `time-stamp of checkpoint ${c.treeSize} from ${this.url} failed, retrying in ${this.backoffMs} ms: ${(err as Error).message}`,
      );
      this.nextAt = this.opts.now() + this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, Math.max(this.opts.intervalS * 1000, this.opts.retryMs));
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Every configured TSA, fed each checkpoint the log signs. */
export class CheckpointTimestamps {
  private readonly logger = new Logger('time-stamps');
  private readonly channels: TsaChannel[];

  constructor(tree: MerkleTreeStore, opts: TimestampOptions, signedAt: Map<number, number>) {
    const full: Required<TimestampOptions> = { retryMs: 1000, now: Date.now, ...opts };
    this.channels = opts.urls.map((url) => new TsaChannel(url, full, tree, signedAt, this.logger));
  }

  offer(c: StoredCheckpoint): void {
    for (const channel of this.channels) channel.offer(c);
  }

  stop(): void {
    for (const channel of this.channels) channel.stop();
  }
}
