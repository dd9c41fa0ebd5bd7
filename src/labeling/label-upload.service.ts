// Uploads about a filing's labels: POST /v1/filings/:id/labels/verify (the file checked, never stored) and
// POST /v1/filings/:id/copies (a labelled distribution copy registered). Both refuse early, before a byte of the upload
// is read, for an unknown, someone else's (or transferred) or withdrawn filing, and a copy for a filing without declared
// labels or a computed perceptual hash; the decider checks again when recording.
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { filingStream } from '../filing/filing.events.js';
import { fileRequired } from '../filing/filing-upload.service.js';
import { FileInspector } from '../inspection/file-inspector.js';
import { readImplicitLabels } from '../inspection/metadata-reader.js';
import { UploadForm } from '../inspection/multipart.js';
import { uploadRead } from '../ledger/write/idempotency.js';
import { UploadScan } from '../inspection/upload-scan.js';
import { loadAggregate } from '../ledger/write/aggregate-stream.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { CheckLabelFile, RegisterCopy, type CheckedLabelFile, type RegisteredCopy } from './labeling.commands.js';
import { assertCopyable, assertLabelable, labelingDecider } from './labeling.decider.js';
import { holderAt } from './labeling.handlers.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from '../filing/filing-safeguards.js';
import { requestWrites } from '../ledger/write/request-writes.js';

@Injectable()
export class LabelUploadService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly commands: CommandBus,
    private readonly inspector: FileInspector,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
  ) {}

  /** Both routes take one part, `file`, and nothing else. */
  private form(request: FastifyRequest): UploadForm {
    return UploadForm.open(request, { fileSize: this.config.uploadLimit, files: 1, fields: 0, fieldSize: 1024 });
  }

  /** The decider's own precondition (`assertLabelable`, or `assertCopyable`), on the filing as it is now. */
  private async assertBeforeReading(filingId: string, actor: string, reviewer: boolean, check: typeof assertLabelable): Promise<void> {
    const { state } = await loadAggregate(this.store, filingStream(filingId), labelingDecider);
    const holder = state.filing === 'none' ? null : await holderAt(this.safeguards, filingId, new Date());
    check(state, { filingId, actor, holder, reviewer });
  }

  /** One part, `file`: the work (or a registered copy) whose labels are read; streamed once, never stored. */
  async verify(filingId: string, request: FastifyRequest, actor: string, reviewer: boolean): Promise<CheckedLabelFile> {
    await this.assertBeforeReading(filingId, actor, reviewer, assertLabelable);
    const form = this.form(request);
    const part = await form.next();
    if (!part || part.fieldname !== 'file') throw fileRequired();
    const scan = new UploadScan();
    for await (const chunk of form.chunks(part)) scan.update(chunk);
    const scanned = scan.finish();
    form.fileRead(part, scanned);
    await form.end();
    await uploadRead(request, form.contents());
    const reading = await readImplicitLabels(scanned);
    return this.commands.execute(new CheckLabelFile(filingId, reading, actor, reviewer).forRequest(requestWrites(request)));
  }

  /** One part, `file`: the copy with the ledger's label embedded; inspected as it arrives, never stored. */
  async registerCopy(filingId: string, request: FastifyRequest, actor: string): Promise<RegisteredCopy> {
    await this.assertBeforeReading(filingId, actor, false, assertCopyable);
    const form = this.form(request);
    const part = await form.next();
    if (!part || part.fieldname !== 'file') throw fileRequired();
    const copy = await this.inspector.inspect(form.chunks(part), form.bodyLength);
    form.fileRead(part, copy);
    await form.end();
    await uploadRead(request, form.contents());
    return this.commands.execute(new RegisterCopy(filingId, copy, actor).forRequest(requestWrites(request)));
  }
}
