import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { uuidv7 } from '../common/ids.js';
import { conflict } from '../common/domain-error.js';
import { fold, type Decider, type DomainEvent } from '../ledger/decider.js';
import { ConcurrencyError, type EventStore, type StreamAppend } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { LedgerWriter, type RecordedEvent, type Written } from '../ledger/write/ledger-writer.js';
import { PolicyService } from '../policy/policy.service.js';
import { readContentRecord, type ContentRecord, type LiveFiling } from './content-record.js';
import { checkFiledFile } from './filed-file.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from './filing-safeguards.js';
import { AmendFiling, FileWork, WithdrawFiling, type FiledWork } from './filing.commands.js';
import { filingDecider, type FilingCommand, type FilingState } from './filing.decider.js';
import {
  contentStream,
  filingStream,
  type FilingAmended,
  type FilingDetails,
  type FilingEvent,
  type FilingWithdrawn,
  type ProcessEvidenceItem,
  type WorkFiled,
  type WorkFiledData,
} from './filing.events.js';
import { ledgerNow } from '../ledger/ledger-clock.js';
import type { ProcessEvidenceDto } from './filing.dto.js';

/** Process evidence as recorded: what was left out as null, its time in UTC as toISOString writes it. */
const evidenceItems = (items: ProcessEvidenceDto[] = []): ProcessEvidenceItem[] =>
  items.map((p) => ({
    sha256: p.sha256,
    kind: p.kind,
    description: p.description ?? null,
    createdAt: p.createdAt ? new Date(p.createdAt).toISOString() : null,
  }));

/** The filing decider, with `following` events (near-duplicate candidates) appended after WorkFiled in the same commit. */
const filingStreamDecider = (following: DomainEvent[] = []): Decider<FilingCommand, FilingEvent, FilingState> => ({
  ...filingDecider,
  decide: (command, state) => [
    ...filingDecider.decide(command, state),
    ...(command.type === 'FileWork' ? (following as FilingEvent[]) : []),
  ],
});

@CommandHandler(FileWork)
export class FileWorkHandler implements ICommandHandler<FileWork> {
  constructor(
    private readonly writer: LedgerWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
    private readonly policies: PolicyService,
  ) {}

  async execute({ input, actor, file, writes }: FileWork): Promise<FiledWork> {
    const filingId = uuidv7();
    const now = ledgerNow();
    const g = input.generation;
    const declaredHash = input.perceptualHash ? { scheme: input.perceptualHash.scheme, value: input.perceptualHash.value } : null;
    // A file uploaded with the filing decides its content hash and, for an image, its perceptual hash (by the policy's
    // threshold, read first).
    const early = file ? await this.policies.withEvents(now) : null;
    const checked = file
      ? checkFiledFile(
          { contentHash: input.contentHash ?? null, contentType: input.contentType, perceptualHash: declaredHash },
          file,
          early!.inForce.similarity.phash64,
        )
      : null;
    const contentHash = checked?.contentHash ?? input.contentHash!;
    const filing: FilingDetails = {
      filingId,
      creator: actor,
      contentHash,
      contentType: input.contentType,
      title: input.title,
      generation: {
        digitalSourceType: g.digitalSourceType,
        tool: { name: g.tool.name, version: g.tool.version ?? null, provider: g.tool.provider ?? null },
        promptHash: g.promptHash,
        negativePromptHash: g.negativePromptHash ?? null,
        parametersHash: g.parametersHash ?? null,
        parameters: g.parameters ?? null,
        seed: g.seed === undefined || g.seed === null ? null : String(g.seed),
        iterations: g.iterations ?? null,
        humanContribution: g.humanContribution,
      },
      processEvidence: evidenceItems(input.processEvidence),
      perceptualHash: checked ? checked.perceptualHash : declaredHash && { ...declaredHash, source: 'declared' },
      ...(checked ? { file: checked.file } : {}),
    };
    const meta = { actor };
    const reservation = contentStream(contentHash);
    const policy = early ?? (await this.policies.withEvents(now));
    // Near-duplicates of earlier filings by others are recorded in the same commit as WorkFiled.
    const screening = await this.safeguards.screen(filing, now, policy);
    // Most content is filed for the first time: the filing is written at once, expecting no reservation stream, so a
    // first filing reads nothing of the content. Where one exists the commit fails on it and writes nothing; the record
    // is read then, and the filing decided with it: refused (or answered to the right's holder), or filed again after the
    // earlier filings were withdrawn. Content filed before thus costs a screening and a refused commit before its answer.
    let content: ContentRecord | null = null; // null: assumed never filed
    let result: Written<FilingEvent>;
    for (;;) {
      try {
        const command = { type: 'FileWork' as const, filing, priorFilings: content?.prior ?? [], now };
        result = await this.writer.execute(filingStream(filingId), filingStreamDecider(screening.events), command, meta, {
          newStream: true, // a fresh UUIDv7
          writes,
          extra: () => [
            {
              stream: reservation,
              expectedRevision: content?.expected ?? 'no-stream',
              events: [{ type: 'ContentReserved', data: { contentHash, filingId, creator: actor }, meta }],
            },
          ],
        });
        break;
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || err.stream !== reservation) throw err;
        const read = await readContentRecord(this.store, contentHash);
        if (read.copyOf !== null) throw copyNotFiled(read.copyOf);
        if (read.live) return this.alreadyFiled(read.live, actor, now);
        if (content !== null) throw err; // lost a second race, to a filing since withdrawn
        content = read;
      }
    }
    const filed = result.decided.find((e) => e.type === 'WorkFiled')! as RecordedEvent<WorkFiled>;
    return {
      filingId,
      filedAt: filed.data.filedAt,
      leafIndex: filed.leafIndex,
      eventHash: filed.hash,
      recordedAt: filed.recordedAt,
      priorFilings: content?.prior ?? [],
      right: await this.safeguards.afterFiled(
        filing,
        filed,
        screening,
        result.decided.filter((e) => e !== filed),
        writes,
      ),
      receiptUrl: `/v1/filings/${filingId}/receipt`,
      ...(checked ? { contentHash, perceptualHash: filing.perceptualHash, file: checked.file } : {}),
    };
  }

  /**
   * Content under a live filing: its holder (a complainant a final `transfer` gave it to) is answered with that filing;
   * anyone else is refused, with the filing's own time and position (those of its WorkFiled event).
   */
  private async alreadyFiled(live: LiveFiling, actor: string, now: Date): Promise<FiledWork> {
    const filed = live.filed as RecordedEvent<WorkFiled>;
    const right = await this.safeguards.rightAt(live.filingId, now);
    if (right && right.holder === actor && actor !== live.creator) {
      return {
        filingId: live.filingId,
        filedAt: filed.data.filedAt,
        leafIndex: filed.leafIndex,
        eventHash: filed.hash,
        recordedAt: filed.recordedAt,
        priorFilings: filed.data.priorFilings ?? [],
        alreadyHeld: true,
        right,
        receiptUrl: `/v1/filings/${live.filingId}/receipt`,
      };
    }
    throw conflict('duplicate-content', `this content was filed first as ${live.filingId} at ${filed.data.filedAt}`, {
      priorFilingId: live.filingId,
      priorFiledAt: filed.data.filedAt,
      priorLeafIndex: filed.leafIndex,
    });
  }
}

/** Bytes registered as a filing's distribution copy: they carry its label, and the lookup answers with that filing. */
const copyNotFiled = (filingId: string) =>
  conflict(
    'content-is-registered-copy',
    `this content is a registered distribution copy of filing ${filingId}: it carries that filing's label and is not filed as a work of its own`,
    { copyOf: filingId },
  );

@CommandHandler(WithdrawFiling)
export class WithdrawFilingHandler implements ICommandHandler<WithdrawFiling> {
  constructor(
    private readonly writer: LedgerWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
  ) {}

  /**
   * Facts first (the complaints against the filing and which are closed, who holds the right), then the time: a complaint
   * closed while the facts were read is closed before the withdrawal too. The append at the stream's revision catches any
   * complaint filed since (its mark changes the revision).
   */
  async execute(c: WithdrawFiling) {
    const state = fold(filingDecider, (await this.store.readStream(filingStream(c.filingId))) as unknown as FilingEvent[]);
    // Complaints filed before they marked their filing are found through the disputes read model.
    const disputes = [...new Set([...state.disputes, ...(await this.safeguards.disputesAgainst(c.filingId))])];
    const closed = await this.safeguards.closedDisputes(disputes);
    const now = ledgerNow();
    const right = await this.safeguards.rightAt(c.filingId, now);
    const command = {
      type: 'WithdrawFiling' as const,
      filingId: c.filingId,
      actor: c.actor,
      reason: c.reason,
      disputes,
      closedDisputes: closed,
      holder: right?.holder ?? null,
      rightStatus: right?.status ?? null,
      now,
    };
    // The release follows the withdrawal: where a store commits stream by stream, a refused withdrawal releases nothing.
    const result = await this.writer.execute(
      filingStream(c.filingId),
      filingStreamDecider(),
      command,
      { actor: c.actor },
      {
        writes: c.writes,
        then: (events) =>
          events.length > 0 && state.contentHash
            ? this.release(state.contentHash, c.filingId, events[0] as FilingWithdrawn)
            : Promise.resolve([]),
      },
    );
    const [e] = result.decided as RecordedEvent<FilingWithdrawn>[];
    return {
      filingId: c.filingId,
      status: 'withdrawn' as const,
      withdrawnAt: e.data.withdrawnAt,
      leafIndex: e.leafIndex,
      eventHash: e.hash,
    };
  }

  /** ContentReleased on the reservation stream, in the withdrawal's commit, when this filing holds the content. */
  private async release(contentHash: string, filingId: string, withdrawn: FilingWithdrawn): Promise<StreamAppend[]> {
    const content = await readContentRecord(this.store, contentHash);
    if (content.live?.filingId !== filingId) return [];
    const data = {
      contentHash,
      filingId,
      filedAt: (content.live.filed.data as WorkFiledData).filedAt,
      withdrawnAt: withdrawn.data.withdrawnAt,
    };
    return [
      {
        stream: contentStream(contentHash),
        expectedRevision: content.expected,
        events: [{ type: 'ContentReleased', data, meta: { actor: content.live.creator } }],
      },
    ];
  }
}

@CommandHandler(AmendFiling)
export class AmendFilingHandler implements ICommandHandler<AmendFiling> {
  constructor(
    private readonly writer: LedgerWriter,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
  ) {}

  async execute({ filingId, input, actor, writes }: AmendFiling) {
    const amendment = {
      title: input.title ?? null,
      addedProcessEvidence: evidenceItems(input.processEvidence),
      humanContributionNote: input.humanContributionNote ?? null,
    };
    const now = ledgerNow();
    const holder = (await this.safeguards.rightAt(filingId, now))?.holder ?? null;
    const result = await this.writer.execute(
      filingStream(filingId),
      filingStreamDecider(),
      { type: 'AmendFiling', filingId, actor, amendment, holder, now },
      { actor },
      { writes },
    );
    const [e] = result.decided as RecordedEvent<FilingAmended>[];
    return { filingId, amendedAt: e.data.amendedAt, leafIndex: e.leafIndex, eventHash: e.hash };
  }
}

export const FILING_HANDLERS = [FileWorkHandler, WithdrawFilingHandler, AmendFilingHandler];
