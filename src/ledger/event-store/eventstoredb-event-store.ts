// EventStoreDB / KurrentDB event store (@eventstore/db-client, gRPC), for clustered deployments.
// Streams map one to one; the contiguous global order (leafIndex) is the ledger-sequence stream — see
// eventstoredb-mapping.ts for the layout, and docs/operations.md "Running several instances" for what it does and does not promise.
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  START,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
  type AllStreamSubscription,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { EventEnvelope } from '../../verifier/envelope.js';
import { ConcurrencyError } from './event-store.port.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  StreamAppend,
  Unsubscribe,
} from './event-store.port.js';
import {
  comparePositions,
  envelopeOf,
  exactExpectedRevision,
  fromEsdbRevision,
  fromSequenceEvent,
  GENESIS_TYPE,
  isReservedStream,
  isSystemEvent,
  onWrongExpectedVersion,
  planSequence,
  SEQUENCE_BATCH_EVENTS,
  StreamNames,
  toEsdbEvent,
  toEsdbExpectedRevision,
  toSequenceEvent,
  type Candidate,
  type SequencedLeaf,
} from './eventstoredb-mapping.js';
import { NO_HEAD, planAppend, validateAppends, type AdmitEvent, type PlannedRow, type StreamHead } from './append-planning.js';
import { validateReadAll } from './event-reads.js';
import { SizeListeners } from './size-listeners.js';

const ALL_PAGE = 1000;
const SCAN_PAGE = 64;
const MAX_APPEND_ATTEMPTS = 50;
const MAX_SEQUENCE_ROUNDS = 10_000;
const LEAF_CACHE_LIMIT = 100_000;

export interface EventStoreDbOptions {
  /** Prefix on every stream name (default none): several ledgers, or test runs, on one node. */
  prefix?: string;
  /** What may be appended (append-planning.ts): asked of each event before its commit; a refused event fails its command. */
  admit?: AdmitEvent;
}

/** One ESDB append: consecutive events of one stream, with the caller's expectation for the first. */
interface Run {
  stream: string;
  expected: ExpectedRevision;
  rows: PlannedRow[];
}

export class EventStoreDbEventStore implements EventStore {
  private readonly logger = new Logger('eventstoredb');
  private readonly listeners = new SizeListeners();
  private readonly leafIndexById = new Map<string, number>();
  private sequencing: Promise<void> = Promise.resolve();
  private appending: Promise<void> = Promise.resolve();
  private backgroundQueued = false;
  private countNotify: Promise<void> | null = null;
  private countAgain = false;
  private subscription: AllStreamSubscription | null = null;
  private resubscribe: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly names: StreamNames,
    /** Where sequencing scans $all from while ledger-sequence is still empty. */
    private readonly genesis: ReadPosition,
    private readonly admit?: AdmitEvent,
  ) {}

  static async open(connectionString: string, opts: EventStoreDbOptions = {}): Promise<EventStoreDbEventStore> {
    const client = EventStoreDBClient.connectionString(connectionString);
    const names = new StreamNames(opts.prefix ?? '');
    try {
      const store = new EventStoreDbEventStore(client, names, await genesisPosition(client, names), opts.admit);
      await store.sequence(); // events a crashed writer appended but did not sequence join the log now
      return store;
    } catch (err) {
      await client.dispose();
      throw err;
    }
  }

  async appendToStream(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.appendMulti([{ stream, events, expectedRevision }]);
  }

  /**
   * EventStoreDB has no multi-stream transaction. Every expectation is checked first (nothing is written when one
   * fails), then the streams are appended in the given order, each guarded by its exact revision. A conflict or a
   * crash after the first append leaves the earlier streams written: for a filing, its content reservation without
   * the filing. That window is documented, not hidden (docs/operations.md, "Running several instances").
   */
  async appendMulti(appends: StreamAppend[]): Promise<AppendResult> {
    // One append of this process at a time: the log's order is ESDB's commit order, decided after `recordedAt` is
    // hashed into the events, so two appends in flight could land in the reverse order of their times.
    const turn = this.appending.then(() => this.appendNow(appends));
    this.appending = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async appendNow(appends: StreamAppend[]): Promise<AppendResult> {
    validateAppends(appends);
    for (const a of appends)
      if (isReservedStream(a.stream)) throw new TypeError(`stream ${a.stream} is reserved for the ledger's global order`);
    for (let attempt = 1; ; attempt++) {
      // The sequence length now is a lower bound of every leafIndex this append will get: where lookups start.
      const seqHint = await this.count();
      const heads = new Map<string, StreamHead>();
      for (const stream of new Set(appends.map((a) => a.stream))) heads.set(stream, await this.head(stream));
      // Throws ConcurrencyError, or what `admit` throws, with nothing written.
      const { rows, result } = planAppend(appends, seqHint, heads, {}, this.admit);
      const runs = toRuns(appends, rows);
      let written = 0;
      let last: Position | undefined;
      try {
        for (const run of runs) {
          const res = await this.client.appendToStream(
            this.names.esdb(run.stream),
            run.rows.map((r) => toEsdbEvent(r.envelope, seqHint)),
            {
              expectedRevision: exactExpectedRevision(run.rows[0].envelope.revision - 1),
              requiresLeader: true,
            },
          );
          last = res.position ?? last;
          written += 1;
        }
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw err;
        const run = runs[written];
        const verdict = onWrongExpectedVersion(run.stream, run.expected, err.actualVersion);
        if (written === 0 && verdict === 'retry' && attempt < MAX_APPEND_ATTEMPTS) continue; // nothing written: re-plan on the new head
        if (written > 0)
          this.logger.warn(
            `appendMulti wrote ${runs
              .slice(0, written)
              .map((r) => r.stream)
              .join(', ')} but not ${run.stream}: EventStoreDB has no multi-stream transaction`,
          );
        throw verdict === 'retry' ? new ConcurrencyError(run.stream, run.expected, fromEsdbRevision(err.actualVersion)) : verdict;
      }
      const leafIndexes = await this.leafIndexesOf(
        rows.map((r) => r.envelope.id),
        seqHint,
        last,
      );
      for (const e of result.events) e.leafIndex = leafIndexes.get(e.id)!;
      result.lastPosition = Math.max(...result.events.map((e) => e.leafIndex));
      this.listeners.notify(result.lastPosition + 1);
      return result;
    }
  }

  /** The stream's last revision and hash (NO_HEAD when it does not exist), read from the leader. */
  private async head(stream: string): Promise<StreamHead> {
    const [last] = await this.readEsdbStream(this.names.esdb(stream), { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    if (!last?.event) return NO_HEAD;
    const env = envelopeOf(last.event, this.names);
    if (!env) throw new Error(`the last event of ${this.names.esdb(stream)} is not a ledger event`);
    return { revision: env.body.revision, hash: env.body.hash };
  }

  async readStream(stream: string): Promise<EventEnvelope[]> {
    const resolved = await this.readEsdbStream(this.names.esdb(stream), { direction: FORWARDS, fromRevision: START });
    const found = resolved.map((r) => {
      const env = r.event && envelopeOf(r.event, this.names);
      if (!env) throw new Error(`${this.names.esdb(stream)} holds an event that is not a ledger event`);
      return env;
    });
    // Events of one append share a hint: one short scan of ledger-sequence per append, not per event.
    const byHint = new Map<number, string[]>();
    for (const { body, seqHint } of found) byHint.set(seqHint, [...(byHint.get(seqHint) ?? []), body.id]);
    const leafIndexes = new Map<string, number>();
    for (const [hint, ids] of byHint) for (const [id, i] of await this.leafIndexesOf(ids, hint)) leafIndexes.set(id, i);
    return found.map(({ body }) => ({ ...body, leafIndex: leafIndexes.get(body.id)! }));
  }

  async readAll(fromPosition: number, options?: ReadAllOptions): Promise<EventEnvelope[]> {
    const limit = validateReadAll(fromPosition, options);
    const resolved = await this.readEsdbStream(this.names.sequence, {
      direction: FORWARDS,
      fromRevision: BigInt(fromPosition),
      maxCount: limit,
    });
    return resolved.map((r) => fromSequenceEvent(r.event!).envelope);
  }

  /** The sequence length: events appended but not yet sequenced are not in the log yet (their writer sequences them before it returns). */
  async count(): Promise<number> {
    const tail = await this.sequenceTail();
    return tail ? tail.envelope.leafIndex + 1 : 0;
  }

  /** In-process listeners, also told about other processes' commits through a filtered $all subscription. */
  subscribe(listener: (logSize: number) => void): Unsubscribe {
    if (!this.subscription && !this.closed) this.startSubscription();
    return this.listeners.subscribe(listener);
  }

  async ping(): Promise<void> {
    await this.readEsdbStream(this.names.genesis, { direction: FORWARDS, fromRevision: START, maxCount: 1 });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    if (this.resubscribe) clearTimeout(this.resubscribe);
    await this.subscription?.unsubscribe().catch(() => undefined);
    await Promise.allSettled([this.sequencing, this.countNotify]);
    await this.client.dispose();
  }

  // ---- The sequence. ----

  private async sequenceTail(): Promise<SequencedLeaf | null> {
    const [last] = await this.readEsdbStream(this.names.sequence, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    return last?.event ? fromSequenceEvent(last.event) : null;
  }

  /**
   * Sequences every ledger event in $all up to `target` (everything, when absent). Any process may run this;
   * ledger-sequence's expected revision makes the racers agree. Passes in this process run one after another,
   * and a pass whose target an earlier one reached ends after one read.
   */
  private sequence(target?: Position): Promise<void> {
    const pass = this.sequencing.catch(() => undefined).then(() => this.sequencePass(target));
    this.sequencing = pass;
    return pass;
  }

  /** A catch-up pass for events seen on the subscription; one queued at a time is enough. */
  private sequenceInBackground(): void {
    if (this.backgroundQueued || this.closed) return;
    this.backgroundQueued = true;
    const pass = this.sequencing
      .catch(() => undefined)
      .then(() => {
        this.backgroundQueued = false;
        return this.sequencePass();
      });
    this.sequencing = pass;
    pass.then(
      () => this.notifyCount(),
      (err: Error) => this.logger.warn(`background sequencing failed: ${err.message}`),
    );
  }

  private async sequencePass(target?: Position): Promise<void> {
    for (let round = 0; round < MAX_SEQUENCE_ROUNDS; round++) {
      const tail = await this.sequenceTail();
      if (target && tail && comparePositions(tail.position, target) >= 0) return;
      const candidates = await this.unsequenced(tail);
      const plan = planSequence(tail, candidates);
      if (plan.leaves.length === 0) return; // caught up
      try {
        await this.client.appendToStream(this.names.sequence, plan.leaves.map(toSequenceEvent), {
          expectedRevision: plan.expectedRevision,
          requiresLeader: true,
        });
        for (const leaf of plan.leaves) this.remember(leaf.envelope.id, leaf.envelope.leafIndex);
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw err;
        // Another process sequenced first: its tail is the new start, and our events are probably in it already.
      }
    }
    throw new Error('sequencing did not converge');
  }

  /** Ledger events in $all after the tail (after the genesis marker when there is none), oldest first, at most one batch. */
  private async unsequenced(tail: SequencedLeaf | null): Promise<Candidate[]> {
    const out: Candidate[] = [];
    let from: ReadPosition = tail?.position ?? this.genesis;
    let after: Position | null = tail?.position ?? null;
    while (out.length < SEQUENCE_BATCH_EVENTS) {
      let n = 0;
      for await (const r of this.client.readAll({
        fromPosition: from,
        maxCount: ALL_PAGE,
        direction: FORWARDS,
        resolveLinkTos: false,
        requiresLeader: true,
      })) {
        n += 1;
        const e = r.event;
        if (!e || (after && comparePositions(e.position, after) <= 0)) continue; // reading from a position includes it
        after = e.position;
        const env = envelopeOf(e, this.names);
        if (env) out.push({ body: env.body, position: e.position });
      }
      if (n < ALL_PAGE || !after) break;
      from = after;
    }
    return out;
  }

  /**
   * leafIndex of each id: sequences up to `target` first when given, then scans ledger-sequence from `hint` (a
   * lower bound); if some are still missing at its end, sequences everything and scans on.
   */
  private async leafIndexesOf(ids: string[], hint: number, target?: Position): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const id of ids) if (this.leafIndexById.has(id)) found.set(id, this.leafIndexById.get(id)!);
    if (found.size === ids.length) return found;
    if (target) await this.sequence(target);
    const wanted = new Set(ids.filter((id) => !found.has(id)));
    let from = hint;
    for (let caughtUp = false; ;) {
      const page = await this.readAll(from, { limit: SCAN_PAGE });
      for (const e of page) {
        this.remember(e.id, e.leafIndex);
        if (wanted.delete(e.id)) found.set(e.id, e.leafIndex);
      }
      if (wanted.size === 0) return found;
      from += page.length;
      if (page.length < SCAN_PAGE) {
        if (caughtUp) throw new Error(`events ${[...wanted].join(', ')} are in their streams but not in the log`);
        await this.sequence();
        caughtUp = true;
      }
    }
  }

  private remember(id: string, leafIndex: number): void {
    if (this.leafIndexById.size >= LEAF_CACHE_LIMIT) this.leafIndexById.clear();
    this.leafIndexById.set(id, leafIndex);
  }

  /** Cross-process notification: ledger-sequence growth is reported; other ledger events get sequenced. */
  private startSubscription(): void {
    const filter = this.names.prefix ? streamNameFilter({ prefixes: [this.names.prefix] }) : excludeSystemEvents();
    const sub = this.client.subscribeToAll({ fromPosition: END, filter, resolveLinkTos: false });
    this.subscription = sub;
    sub.on('data', (r) => {
      const e = r.event;
      if (!e || isSystemEvent(e) || this.closed) return;
      if (e.streamId === this.names.sequence) this.notifyCount();
      else if (this.names.ours(e.streamId) !== null && !this.leafIndexById.has(e.id)) this.sequenceInBackground();
    });
    sub.on('error', (err) => {
      if (this.closed) return;
      this.logger.warn(`$all subscription failed, resubscribing: ${err.message}`);
      this.subscription = null;
      this.resubscribe = setTimeout(() => {
        if (!this.closed) this.startSubscription();
      }, 1000);
      this.resubscribe.unref();
    });
  }

  /**
   * Tells listeners the sequence length as read after an event arrived: one append to ledger-sequence is atomic,
   * so listeners see whole commits (never leaf 1 of a two-leaf append), as with the SQL stores.
   */
  private notifyCount(): void {
    if (this.countNotify) {
      this.countAgain = true;
      return;
    }
    this.countNotify = (async () => {
      try {
        do {
          this.countAgain = false;
          this.listeners.notify(await this.count());
        } while (this.countAgain && !this.closed);
      } catch {
        /* advisory only: the next event or append notifies again */
      } finally {
        this.countNotify = null;
      }
    })();
  }

  /** A stream's events; empty when it does not exist. */
  private async readEsdbStream(
    stream: string,
    options: { direction: typeof FORWARDS | typeof BACKWARDS; fromRevision: typeof START | typeof END | bigint; maxCount?: number },
  ): Promise<ResolvedEvent[]> {
    const out: ResolvedEvent[] = [];
    try {
      for await (const r of this.client.readStream(stream, { ...options, resolveLinkTos: false, requiresLeader: true })) out.push(r);
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw err;
    }
    return out;
  }
}

/** Splits the planned rows into ESDB appends: each maximal run of consecutive events of one stream is one atomic append. */
function toRuns(appends: StreamAppend[], rows: PlannedRow[]): Run[] {
  const runs: Run[] = [];
  let i = 0;
  for (const a of appends) {
    const mine = rows.slice(i, i + a.events.length);
    i += a.events.length;
    const last = runs.at(-1);
    if (last && last.stream === a.stream) last.rows.push(...mine);
    else runs.push({ stream: a.stream, expected: a.expectedRevision, rows: mine });
  }
  return runs;
}

/**
 * The $all position of the genesis marker, written on the first open. Every ledger event is appended by a store
 * that opened after it, so sequencing a fresh ledger scans $all from here, not from the start of a shared node.
 */
async function genesisPosition(client: EventStoreDBClient, names: StreamNames): Promise<ReadPosition> {
  const read = async (): Promise<ReadPosition | null> => {
    try {
      for await (const r of client.readStream(names.genesis, {
        direction: FORWARDS,
        fromRevision: START,
        maxCount: 1,
        requiresLeader: true,
      })) {
        // Older servers leave positions off stream reads: then scan from the start (slower, still correct).
        return r.event?.position ?? START;
      }
    } catch (err) {
      if (!(err instanceof StreamNotFoundError)) throw err;
    }
    return null;
  };
  const existing = await read();
  if (existing) return existing;
  try {
    const res = await client.appendToStream(
      names.genesis,
      {
        id: randomUUID(),
        contentType: 'application/json',
        type: GENESIS_TYPE,
        data: { createdAt: new Date().toISOString() },
        metadata: undefined,
      },
      { expectedRevision: toEsdbExpectedRevision('no-stream'), requiresLeader: true },
    );
    return res.position ?? START;
  } catch (err) {
    if (!(err instanceof WrongExpectedVersionError)) throw err;
    return (await read()) ?? START; // another process wrote it first
  }
}
