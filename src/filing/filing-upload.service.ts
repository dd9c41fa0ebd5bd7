// POST /v1/filings as multipart/form-data: the `metadata` field (the filing's JSON) first, validated before a byte of
// the file is read, then the `file` part, streamed through the inspection; the file itself is never kept.
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import { invalid } from '../common/domain-error.js';
import { validBody } from '../common/request-body.js';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { FileInspector } from '../inspection/file-inspector.js';
import { UploadForm } from '../inspection/multipart.js';
import { FileWork, type FiledWork } from './filing.commands.js';
import { FileWorkUploadDto } from './filing.dto.js';
import { uploadRead } from '../ledger/write/idempotency.js';
import { requestWrites } from '../ledger/write/request-writes.js';

export const fileRequired = () =>
  invalid('file-required', 'the multipart body has no file part "file"', {
    errors: [{ field: 'file', message: 'a file part "file" is required' }],
  });

@Injectable()
export class FilingUploadService {
  constructor(
    private readonly inspector: FileInspector,
    private readonly commands: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async file(request: FastifyRequest, actor: string): Promise<FiledWork> {
    const form = UploadForm.open(
      request,
      { fileSize: this.config.uploadLimit, files: 1, fields: 1, fieldSize: this.config.bodyLimit },
      'metadata',
    );
    const input = await validBody(FileWorkUploadDto, await form.jsonField('metadata'));
    const part = await form.next();
    if (!part || part.fieldname !== 'file') throw fileRequired();
    const inspection = await this.inspector.inspect(form.chunks(part), form.bodyLength);
    form.fileRead(part, inspection);
    await form.end();
    await uploadRead(request, form.contents());
    return this.commands.execute(new FileWork(input, actor, inspection).forRequest(requestWrites(request)));
  }
}
