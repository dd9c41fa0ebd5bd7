// POST /v1/filings/:id/labels/verify: refuse early, stream the one file part through the scan, never store it, then record the check.
import { HttpException, Inject, Injectable, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { invalid } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { filingStream } from '../filing/filing.events.js';
import { loadAggregate } from '../ledger/write/aggregate-stream.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { readImplicitLabels } from '../inspection/metadata-reader.js';
import { UploadScan } from '../inspection/upload-scan.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { CheckLabelFile, type CheckedLabelFile } from './labeling.commands.js';
import { assertLabelable, labelingDecider } from './labeling.decider.js';

/** The multipart parser reports a body it cannot read (no boundary, cut short) as a plain Error: the client's mistake, not ours. */
function rethrowMalformed(err: unknown): never {
  if (err instanceof Error && !(err instanceof HttpException) && typeof (err as { statusCode?: unknown }).statusCode !== 'number') {
    throw invalid('malformed-multipart', `the multipart body cannot be read: ${err.message}`);
  }
  throw err;
}

/** The file's bytes; only the parser's own failures are mapped, not those of whoever consumes the chunks. */
async function* readingOf(file: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of file) yield chunk;
  } catch (err) {
    rethrowMalformed(err);
  }
}

@Injectable()
export class LabelUploadService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly commands: CommandBus,
  ) {}

  async verify(filingId: string, request: FastifyRequest, actor: string): Promise<CheckedLabelFile> {
    // Unknown, someone else's or withdrawn: refused before a byte of the upload is read. The decider checks again when recording.
    assertLabelable((await loadAggregate(this.store, filingStream(filingId), labelingDecider)).state, filingId, actor);
    if (!request.isMultipart()) throw new UnsupportedMediaTypeException('send the file as multipart/form-data');
    const limit = this.config.uploadLimit;
    const part = await request.file({ limits: { fileSize: limit, files: 1, fields: 10, fieldSize: 1024 } }).catch(rethrowMalformed);
    if (!part) throw invalid('file-required', 'the multipart body has no file part', { errors: [{ field: 'file', message: 'a file part is required' }] });
    const scan = new UploadScan();
    for await (const chunk of readingOf(part.file)) {
      if (part.file.truncated) break;
      scan.update(chunk as Buffer);
    }
    if (part.file.truncated) throw new PayloadTooLargeException(`the file is larger than the upload limit of ${limit} bytes`);
    const reading = await readImplicitLabels(scan.finish());
    return this.commands.execute(new CheckLabelFile(filingId, reading, actor));
  }
}
