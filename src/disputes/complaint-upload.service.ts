// POST /v1/disputes as multipart/form-data: the `metadata` field (the complaint's JSON) first, validated before any file
// is read, then up to LEDGER_EVIDENCE_FILE_LIMIT parts `evidence`, each streamed through the inspection in turn; the
// files themselves are never kept.
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import { DomainError, invalid } from '../common/domain-error.js';
import { validBody } from '../common/request-body.js';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { FileInspector } from '../inspection/file-inspector.js';
import { UploadForm } from '../inspection/multipart.js';
import { typeMismatch } from '../inspection/sniff.js';
import { FileComplaint, type DisputeWritten } from './dispute.commands.js';
import { FileComplaintDto } from './dispute.dto.js';
import { namedFiles, undescribedFile, type UploadedEvidence } from './evidence-files.js';
import { uploadRead } from '../ledger/write/idempotency.js';
import { requestWrites } from '../ledger/write/request-writes.js';

/** Part types that declare nothing about the bytes: a client that does not know the type sends these. */
const UNDECLARED = new Set(['application/octet-stream', 'binary/octet-stream', '']);

@Injectable()
export class ComplaintUploadService {
  constructor(
    private readonly inspector: FileInspector,
    private readonly commands: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async file(request: FastifyRequest, actor: string): Promise<DisputeWritten> {
    const files = this.config.evidenceFileLimit;
    const form = UploadForm.open(
      request,
      { fileSize: this.config.uploadLimit, files, fields: 1, fieldSize: this.config.bodyLimit },
      'metadata',
    );
    const input = await validBody(FileComplaintDto, await form.jsonField('metadata'));
    const named = namedFiles(input.evidence ?? []);
    const uploads: UploadedEvidence[] = [];
    for (let part = await form.next(); part; part = await form.next()) {
      if (part.fieldname !== 'evidence') {
        part.file.resume();
        throw invalid('unexpected-part', `the upload has a part "${part.fieldname}": evidence files go in parts named "evidence"`);
      }
      const filename = part.filename;
      if (!filename)
        throw invalid('evidence-filename-required', 'each evidence part needs a filename, which an evidence item names (file)');
      // Before the file is read: its type or contents are beside the point when the metadata does not describe it.
      if (!named.includes(filename)) {
        part.file.resume();
        throw undescribedFile(filename, named);
      }
      const inspection = await this.inspector.inspect(form.chunks(part));
      const declared = part.mimetype.toLowerCase();
      const mismatch = UNDECLARED.has(declared) ? null : typeMismatch(declared, inspection.sniffedType);
      if (mismatch) {
        const message = `the evidence file "${filename}" is not ${declared}: ${mismatch}`;
        throw new DomainError('unprocessable', 'evidence-type-mismatch', message, { errors: [{ field: 'evidence', message }] });
      }
      form.fileRead(part, inspection);
      uploads.push({ filename, inspection });
    }
    await uploadRead(request, form.contents());
    return this.commands.execute(new FileComplaint(input, actor, uploads).forRequest(requestWrites(request)));
  }
}
