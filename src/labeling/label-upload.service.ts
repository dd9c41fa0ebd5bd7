// Uploads about a filing's labels: POST /v1/filings/:id/labels/verify (the file checked, never stored) and
// POST /v1/filings/:id/copies (a labelled distribution copy registered). Both refuse early, before a byte of the upload
// is read, for an unknown, someone else's (or transferred) or withdrawn filing; the decider checks again when recording.
import { Inject, Injectable, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { invalid } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { filingStream } from '../filing/filing.events.js';
import { FileInspector } from '../inspection/file-inspector.js';
import { readImplicitLabels } from '../inspection/metadata-reader.js';
import { describeFile, readingOf, rethrowMalformed, UploadForm } from '../inspection/multipart.js';
import { uploadRead } from '../ledger/write/idempotency.js';
import { UploadScan } from '../inspection/upload-scan.js';
import { loadAggregate } from '../ledger/write/aggregate-stream.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { CheckLabelFile, RegisterCopy, type CheckedLabelFile, type RegisteredCopy } from './labeling.commands.js';
import { assertLabelable, labelingDecider } from './labeling.decider.js';
import { holderAt } from './labeling.handlers.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from '../filing/filing-safeguards.js';
import { requestWrites } from '../ledger/write/request-writes.js';

const fileRequired = () =>
  invalid('file-required', 'the multipart body has no file part', { errors: [{ field: 'file', message: 'a file part is required' }] });

@Injectable()
export class LabelUploadService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly commands: CommandBus,
    private readonly inspector: FileInspector,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
  ) {}

  private async assertLabelable(filingId: string, actor: string, reviewer = false): Promise<void> {
    const { state } = await loadAggregate(this.store, filingStream(filingId), labelingDecider);
    const holder = state.filing === 'none' ? null : await holderAt(this.safeguards, filingId, new Date());
    assertLabelable(state, { filingId, actor, holder, reviewer });
  }

  async verify(filingId: string, request: FastifyRequest, actor: string, reviewer: boolean): Promise<CheckedLabelFile> {
    await this.assertLabelable(filingId, actor, reviewer);
    if (!request.isMultipart()) throw new UnsupportedMediaTypeException('send the file as multipart/form-data');
    const limit = this.config.uploadLimit;
    const part = await request.file({ limits: { fileSize: limit, files: 1, fields: 10, fieldSize: 1024 } }).catch(rethrowMalformed);
    if (!part) throw fileRequired();
    const scan = new UploadScan();
    for await (const chunk of readingOf(part.file)) {
      if (part.file.truncated) break;
      scan.update(chunk as Buffer);
    }
    if (part.file.truncated) throw new PayloadTooLargeException(`the file is larger than the upload limit of ${limit} bytes`);
    const scanned = scan.finish();
    await uploadRead(request, [describeFile(part, scanned)]);
    const reading = await readImplicitLabels(scanned);
    return this.commands.execute(new CheckLabelFile(filingId, reading, actor, reviewer).forRequest(requestWrites(request)));
  }

  /** One part, `file`: the copy with the ledger's label embedded; inspected as it arrives, never stored. */
  async registerCopy(filingId: string, request: FastifyRequest, actor: string): Promise<RegisteredCopy> {
    await this.assertLabelable(filingId, actor);
    const form = UploadForm.open(request, { fileSize: this.config.uploadLimit, files: 1, fields: 0, fieldSize: 1024 });
    const part = await form.next();
    if (!part || part.fieldname !== 'file') throw fileRequired();
    const copy = await this.inspector.inspect(form.chunks(part), form.bodyLength);
    form.fileRead(part, copy);
    await form.end();
    await uploadRead(request, form.contents());
    return this.commands.execute(new RegisterCopy(filingId, copy, actor).forRequest(requestWrites(request)));
  }
}
