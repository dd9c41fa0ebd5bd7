import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { readContentRecord, type ContentRecord } from '../filing/content-record.js';
import { contentStream, filingStream } from '../filing/filing.events.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from '../filing/filing-safeguards.js';
import { fold } from '../ledger/decider.js';
import { ConcurrencyError } from '../ledger/event-store/event-store.port.js';
import { LedgerWriter } from '../ledger/write/ledger-writer.js';
import { PolicyService } from '../policy/policy.service.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import {
  CheckLabelFile,
  DeclareLabels,
  RegisterCopy,
  type CheckedLabelFile,
  type DeclaredLabels,
  type RegisteredCopy,
} from './labeling.commands.js';
import { labelingDecider, labelStatus, type FilingStreamEvent } from './labeling.decider.js';
import type { CopyRegisteredData, LabelFileCheckedData, LabelsDeclaredData } from './labeling.events.js';
import { aigcJson } from './labeling.rules.js';
import { ledgerNow } from '../ledger/ledger-clock.js';

/** Label state and tier as of the event just appended (later appends by concurrent requests are left out). */
async function statusAfter(writer: LedgerWriter, appended: EventEnvelope) {
  const events = (await writer.store.readStream(appended.stream)).filter((e) => e.revision <= appended.revision);
  return labelStatus(fold(labelingDecider, events as unknown as FilingStreamEvent[]));
}

const recorded = (e: EventEnvelope) => ({ leafIndex: e.leafIndex, eventHash: e.hash, recordedAt: e.recordedAt });

/** Who holds the filing's right at `now` (the labels are theirs): its creator, or the complainant a final `transfer` gave it to. */
export async function holderAt(safeguards: FilingSafeguards, filingId: string, now: Date): Promise<string | null> {
  return (await safeguards.rightAt(filingId, now))?.holder ?? null;
}

@CommandHandler(DeclareLabels)
export class DeclareLabelsHandler implements ICommandHandler<DeclareLabels> {
  constructor(
    private readonly writer: LedgerWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
  ) {}

  async execute({ filingId, input, actor, writes }: DeclareLabels): Promise<DeclaredLabels> {
    const e = input.explicit;
    const labels = {
      modality: input.modality ?? null,
      explicit: {
        text: e.text ?? null,
        placement: e.placement,
        displaySeconds: e.displaySeconds ?? null,
        textHeightRatio: e.textHeightRatio ?? null,
        audioCue: e.audioCue ?? null,
        rhythm: e.rhythm ?? null,
      },
      aigc: { ...input.implicit.AIGC },
      digitalSourceType: input.digitalSourceType ?? null,
      c2paManifestHash: input.c2paManifestHash ?? null,
    };
    const now = ledgerNow();
    const holder = await holderAt(this.safeguards, filingId, now);
    const result = await this.writer.execute(
      filingStream(filingId),
      labelingDecider,
      { type: 'DeclareLabels', filingId, actor, holder, labels, platformCode: this.config.platformCode, now },
      { actor },
      { writes },
    );
    const [event] = result.events;
    const d = event.data as LabelsDeclaredData;
    return {
      filingId,
      ...recorded(event),
      version: d.version,
      modality: d.modality,
      implicit: d.implicit,
      aigcJson: aigcJson(d.implicit.AIGC),
      labels: await statusAfter(this.writer, event),
    };
  }
}

@CommandHandler(CheckLabelFile)
export class CheckLabelFileHandler implements ICommandHandler<CheckLabelFile> {
  constructor(
    private readonly writer: LedgerWriter,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
  ) {}

  async execute({ filingId, file, actor, reviewer, writes }: CheckLabelFile): Promise<CheckedLabelFile> {
    const now = ledgerNow();
    const holder = await holderAt(this.safeguards, filingId, now);
    const command = { type: 'CheckLabelFile' as const, filingId, actor, holder, reviewer, file, now };
    const result = await this.writer.execute(filingStream(filingId), labelingDecider, command, { actor }, { writes });
    const [event] = result.events;
    const d = event.data as LabelFileCheckedData;
    return {
      filingId,
      ...recorded(event),
      file: d.file,
      outcome: d.outcome,
      found: d.labels,
      differences: d.differences,
      traces: d.traces,
      unread: d.unread,
      declarationVersion: d.declarationVersion,
      tier: d.tier,
      labels: await statusAfter(this.writer, event),
    };
  }
}

@CommandHandler(RegisterCopy)
export class RegisterCopyHandler implements ICommandHandler<RegisterCopy> {
  constructor(
    private readonly writer: LedgerWriter,
    private readonly policies: PolicyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
  ) {}

  async execute({ filingId, copy, actor, writes }: RegisterCopy): Promise<RegisteredCopy> {
    const now = ledgerNow();
    const policy = await this.policies.inForceAt(now);
    const holder = await holderAt(this.safeguards, filingId, now);
    // The copy's bytes are reserved in the commit of its registration, at their reservation stream's revision: filed
    // content is no copy, and the bytes of a registered copy are never filed (FileWork reads the reservation).
    const reservation = contentStream(copy.sha256);
    const register = (record: ContentRecord) => {
      const command = {
        type: 'RegisterCopy' as const,
        filingId,
        actor,
        holder,
        platformCode: this.config.platformCode,
        threshold: policy.similarity.phash64,
        policyVersion: policy.version,
        now,
        copy: {
          sha256: copy.sha256,
          size: copy.size,
          sniffedType: copy.sniffedType,
          perceptualHash: copy.perceptualHash,
          values: copy.reading.values,
          // Filed as a work, even one withdrawn since: the public lookup answers for such bytes with that filing.
          filedAs: record.live?.filingId ?? record.prior.at(-1)?.filingId ?? null,
          copyOf: record.copyOf,
        },
      };
      return this.writer.execute(
        filingStream(filingId),
        labelingDecider,
        command,
        { actor },
        {
          writes,
          extra: () => [
            {
              stream: reservation,
              expectedRevision: record.expected,
              events: [{ type: 'CopyReserved', data: { contentHash: copy.sha256, filingId }, meta: { actor } }],
            },
          ],
        },
      );
    };
    let result;
    try {
      result = await register(await readContentRecord(this.writer.store, copy.sha256));
    } catch (err) {
      // The bytes were filed or registered meanwhile: decided again with what the stream holds now.
      if (!(err instanceof ConcurrencyError) || err.stream !== reservation) throw err;
      result = await register(await readContentRecord(this.writer.store, copy.sha256));
    }
    const [event] = result.decided;
    const d = event.data as CopyRegisteredData;
    return {
      filingId,
      ...recorded(event),
      copy: d.copy,
      label: d.label,
      location: d.location,
      distance: d.distance,
      threshold: d.threshold,
    };
  }
}

export const LABELING_HANDLERS = [DeclareLabelsHandler, CheckLabelFileHandler, RegisterCopyHandler];
