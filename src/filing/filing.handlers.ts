import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { conflict } from '../common/domain-error.js';
import { ConcurrencyError, type EventStore } from '../ledger/event-store/event-store.port.js';
import type { Decider, DomainEvent } from '../ledger/decider.js';
import { LedgerWriter } from '../ledger/write/ledger-writer.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from './filing-safeguards.js';
import { FileWork, WithdrawFiling, type FiledWork } from './filing.commands.js';
import { filingDecider, type FilingCommand, type FilingState } from './filing.decider.js';
import { contentStream, filingStream, type FilingDetails, type FilingEvent } from './filing.events.js';

/** The filing decider, with `following` events (near-duplicate candidates) appended after WorkFiled in the same commit. */
const filingStreamDecider = (following: DomainEvent[] = []): Decider<FilingCommand, FilingEvent, FilingState> => ({
  ...filingDecider,
  decide: (command, state) => [...filingDecider.decide(command, state), ...(command.type === 'FileWork' ? following as FilingEvent[] : [])],
});

@CommandHandler(FileWork)
export class FileWorkHandler implements ICommandHandler<FileWork> {
  constructor(
    private readonly writer: LedgerWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
  ) {}

  async execute({ input, actor }: FileWork): Promise<FiledWork> {
    const filingId = uuidv7();
    const g = input.generation;
    const filing: FilingDetails = {
      filingId, creator: actor, contentHash: input.contentHash, contentType: input.contentType, title: input.title,
      generation: {
        digitalSourceType: g.digitalSourceType,
        tool: { name: g.tool.name, version: g.tool.version ?? null, provider: g.tool.provider ?? null },
        promptHash: g.promptHash, negativePromptHash: g.negativePromptHash ?? null, parametersHash: g.parametersHash ?? null,
        parameters: g.parameters ?? null, seed: g.seed === undefined ? null : String(g.seed), iterations: g.iterations ?? null,
        humanContribution: g.humanContribution,
      },
      processEvidence: (input.processEvidence ?? []).map((p) => ({ sha256: p.sha256, kind: p.kind, description: p.description ?? null, createdAt: p.createdAt ?? null })),
      perceptualHash: input.perceptualHash ? { scheme: input.perceptualHash.scheme, value: input.perceptualHash.value } : null,
    };
    const meta = { actor };
    const reservation = contentStream(input.contentHash);
    const now = new Date();
    // Near-duplicates of earlier filings by others are recorded in the same commit as WorkFiled (SPEC 1.4).
    const screening = await this.safeguards.screen(filing, now);
    try {
      const result = await this.writer.execute(filingStream(filingId), filingStreamDecider(screening.events), { type: 'FileWork', filing, now }, meta, {
        extra: () => [{ stream: reservation, expectedRevision: 'no-stream', events: [{ type: 'ContentReserved', data: { contentHash: input.contentHash, filingId, creator: actor }, meta }] }],
      });
      const filed = result.decided.find((e) => e.type === 'WorkFiled')!;
      return {
        filingId, leafIndex: filed.leafIndex, eventHash: filed.hash, recordedAt: filed.recordedAt,
        right: await this.safeguards.afterFiled(filing, filed, screening),
        receiptUrl: `/v1/filings/${filingId}/receipt`,
      };
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || err.stream !== reservation) throw err;
      const [prior] = await this.store.readStream(reservation);
      throw conflict('duplicate-content', `this content was filed first as ${prior.data.filingId} at ${prior.recordedAt}`,
        { priorFilingId: prior.data.filingId, priorFiledAt: prior.recordedAt, priorLeafIndex: prior.leafIndex });
    }
  }
}

@CommandHandler(WithdrawFiling)
export class WithdrawFilingHandler implements ICommandHandler<WithdrawFiling> {
  constructor(private readonly writer: LedgerWriter) {}

  async execute(c: WithdrawFiling) {
    const result = await this.writer.execute(filingStream(c.filingId), filingStreamDecider(),
      { type: 'WithdrawFiling', filingId: c.filingId, actor: c.actor, reason: c.reason, now: new Date() }, { actor: c.actor });
    const [e] = result.events;
    return { filingId: c.filingId, status: 'withdrawn' as const, withdrawnAt: e.data.withdrawnAt as string, leafIndex: e.leafIndex, eventHash: e.hash };
  }
}

export const FILING_HANDLERS = [FileWorkHandler, WithdrawFilingHandler];
