// Settlement runs: the rules applied to the whole register at an instant, recorded as RightsSettled on the
// `settlements` stream. Runs are serialised by the stream's expected revision, in this process and across processes.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { conflict, DomainError } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { LedgerWriter } from '../ledger/write/ledger-writer.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { RightsBook } from '../verifier/rights-book.js';
import { RIGHTS_EVENT_TYPES, type RightsSettledData, type SettlementTrigger } from '../verifier/rights-events.js';
import { SETTLEMENTS_STREAM } from './settlement.events.js';
import { knownRules } from '../policy/policy.decider.js';
import type { RequestWrites } from '../ledger/write/request-writes.js';
import { ledgerNow } from '../ledger/ledger-clock.js';

const BATCH = 5000;
const ATTEMPTS = 5;

export interface SettleOptions {
  /** Default: now. Never in the future, never before the previous settlement's. */
  asOf?: Date;
  trigger: SettlementTrigger;
  actor: string;
  /** Record a run even when nothing changed (on demand: the run itself is the record). */
  recordEmpty: boolean;
  /** Wait until the read models show the settlement (off for the CLI, which runs no projection runner). */
  waitForReadModels?: boolean;
  /** The request the run is for (an admin's), which learns the log position it reached. */
  writes?: RequestWrites | null;
}

export type SettlementResult = RightsSettledData & {
  recorded: boolean;
  leafIndex: number | null;
  eventHash: string | null;
  recordedAt: string | null;
  revision: number | null;
};

export const settlementResource = (e: EventEnvelope) => ({
  revision: e.revision,
  leafIndex: e.leafIndex,
  eventHash: e.hash,
  recordedAt: e.recordedAt,
  actor: e.meta.actor ?? null,
  ...(e.data as RightsSettledData),
});

@Injectable()
export class SettlementService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('settlement');
  /** The rules' facts for every right, caught up from the store: O(filings + disputes) memory, built on the first run. */
  private book: RightsBook | null = null;
  private settlementsRevision = -1;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly writer: LedgerWriter,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.settlementIntervalMs;
    if (!interval) return;
    this.timer = setInterval(() => {
      this.settle({ trigger: 'schedule', actor: 'system:schedule', recordEmpty: false })
        .then((r) => {
          if (r.recorded) this.logger.log(`settled ${r.changes.length} right(s) as of ${r.asOf} at leaf ${r.leafIndex}`);
        })
        .catch((err: Error) => this.logger.error(`scheduled settlement failed: ${err.message}`));
    }, interval);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One run at a time in this process; concurrent runs elsewhere are caught by the expected revision. */
  settle(options: SettleOptions): Promise<SettlementResult> {
    const run = this.queue.then(() => this.run(options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async catchUp(): Promise<RightsBook> {
    const book = (this.book ??= new RightsBook());
    for (;;) {
      const batch = await this.store.readAll(book.position, { limit: BATCH });
      if (batch.length === 0) return book;
      for (const e of batch) {
        if (RIGHTS_EVENT_TYPES.has(e.type)) book.apply(e);
        else book.position = e.leafIndex + 1;
        if (e.stream === SETTLEMENTS_STREAM) this.settlementsRevision = e.revision;
      }
    }
  }

  /** Another run recorded meanwhile makes the append lose its race: the writer retries, and it becomes the previous settlement. */
  private run(o: SettleOptions): Promise<SettlementResult> {
    return this.writer.retrying(ATTEMPTS - 1, async () => {
      const book = await this.catchUp();
      knownRules({ versions: book.policyVersions() }); // a policy under rules newer than these is not settled by them
      const now = ledgerNow().getTime();
      const asOf = o.asOf?.getTime() ?? now;
      if (asOf > now) {
        throw new DomainError(
          'unprocessable',
          'as-of-in-future',
          `a settlement can only be as of now or earlier (now is ${new Date(now).toISOString()})`,
          { errors: [{ field: 'asOf', message: 'asOf must not be in the future' }] },
        );
      }
      const previous = book.lastSettlement;
      if (previous && asOf < previous.asOf) {
        throw conflict(
          'settlement-out-of-order',
          `the previous settlement is as of ${new Date(previous.asOf).toISOString()}; a new one cannot be earlier`,
        );
      }
      const logSize = book.position;
      const settled = book.settlementAt(asOf, logSize);
      const data: RightsSettledData = { asOf: new Date(asOf).toISOString(), logSize, ...settled, trigger: o.trigger };
      if (!o.recordEmpty && data.changes.length === 0)
        return { ...data, recorded: false, leafIndex: null, eventHash: null, recordedAt: null, revision: null };
      const expectedRevision = this.settlementsRevision < 0 ? 'no-stream' : this.settlementsRevision;
      const result = await this.writer.append(
        [{ stream: SETTLEMENTS_STREAM, expectedRevision, events: [{ type: 'RightsSettled', data, meta: { actor: o.actor } }] }],
        { waitForReadModels: o.waitForReadModels, writes: o.writes },
      );
      const [e] = result.events;
      return { ...data, recorded: true, leafIndex: e.leafIndex, eventHash: e.hash, recordedAt: e.recordedAt, revision: e.revision };
    });
  }

  /** Recorded settlements, oldest first, cursor = the stream revision. */
  async list(limit: number, cursor: number | null) {
    const events = await this.store.readStream(SETTLEMENTS_STREAM);
    const from = cursor === null ? 0 : cursor + 1;
    const page = events.slice(from, from + limit);
    return {
      items: page.map(settlementResource),
      nextCursor: from + limit < events.length ? String(page[page.length - 1].revision) : null,
    };
  }
}
