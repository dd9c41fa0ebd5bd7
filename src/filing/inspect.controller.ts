// POST /v1/inspect: a reviewer or a creator has a file inspected and learns what the ledger knows of it; nothing is
// recorded. The file is streamed through the inspection and never kept.
import { Controller, HttpCode, Inject, Injectable, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import { InspectionDto } from './filing-responses.dto.js';
import { Accepts, MULTIPART } from '../common/request-body.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { In, type DataSource } from 'typeorm';
import { Roles } from '../common/access.js';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { inspectionRecord, provenanceSignals, type AiSignal, type FileInspection } from '../inspection/file-inspection.js';
import { FileInspector } from '../inspection/file-inspector.js';
import { UploadForm } from '../inspection/multipart.js';
import { PERCEPTUAL_INDEX, type PerceptualIndex } from '../inspection/perceptual-index.js';
import { CopyView } from './copy-view.entity.js';
import { FilingView } from './filing-view.entity.js';
import { fileRequired } from './filing-upload.service.js';
import { AI_DIGITAL_SOURCE_TYPES } from '../domain-rules/digital-source-types.js';

/** Perceptual matches listed at most. */
const NEAREST = 20;

const digitalSourceTypeOf = (f: FilingView) => (f.generation as { digitalSourceType?: string }).digitalSourceType ?? null;

@Injectable()
export class FileInspectionQueries {
  constructor(
    private readonly inspector: FileInspector,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(PERCEPTUAL_INDEX) private readonly perceptual: PerceptualIndex,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async inspect(request: FastifyRequest) {
    const form = UploadForm.open(request, { fileSize: this.config.uploadLimit, files: 1, fields: 0, fieldSize: 1024 });
    const part = await form.next();
    if (!part || part.fieldname !== 'file') throw fileRequired();
    const inspection = await this.inspector.inspect(form.chunks(part), form.bodyLength);
    await form.end();
    return this.describe(inspection);
  }

  /** The inspection, with the filings of the same bytes, the copies of the same bytes, and the filings that look alike. */
  private async describe(inspection: FileInspection) {
    const now = new Date();
    const filings = this.db.getRepository(FilingView);
    const [content, copies, near] = await Promise.all([
      filings.find({ where: { contentHash: inspection.sha256 }, order: { leafIndex: 'ASC' } }),
      this.db.getRepository(CopyView).find({ where: { sha256: inspection.sha256 }, order: { leafIndex: 'ASC' } }),
      inspection.perceptualHash ? this.perceptual.nearest(inspection.perceptualHash, now, NEAREST) : Promise.resolve(null),
    ]);
    const nearRows = near?.matches.length ? await filings.findBy({ filingId: In(near.matches.map((m) => m.filingId)) }) : [];
    const byId = new Map(nearRows.map((f) => [f.filingId, f]));
    const perceptual = (near?.matches ?? []).map((m) => ({
      ...m,
      title: byId.get(m.filingId)?.title ?? null,
      digitalSourceType: byId.get(m.filingId) ? digitalSourceTypeOf(byId.get(m.filingId)!) : null,
    }));
    const aiSignals: AiSignal[] = [
      ...provenanceSignals(inspection.provenance),
      ...perceptual
        .filter((m) => m.digitalSourceType !== null && AI_DIGITAL_SOURCE_TYPES.has(m.digitalSourceType))
        .map((m) => ({
          signal: 'near-duplicate-of-ai-filing' as const,
          filingId: m.filingId,
          distance: m.distance,
          threshold: near!.threshold,
        })),
    ];
    return {
      ...inspectionRecord(inspection),
      aiSignals,
      matches: {
        content: content.map((f) => ({ filingId: f.filingId, status: f.status, filedAt: f.filedAt, leafIndex: f.leafIndex })),
        copies: copies.map((c) => ({ filingId: c.filingId, registeredAt: c.registeredAt, leafIndex: c.leafIndex })),
        perceptual: near ? { threshold: near.threshold, policyVersion: near.policyVersion, filings: perceptual } : null,
      },
      recorded: false,
    };
  }
}

@ApiTags('inspection')
@ApiBearerAuth()
@Controller('v1/inspect')
export class InspectController {
  constructor(private readonly queries: FileInspectionQueries) {}

  /**
   * Inspects a file (multipart, one part `file`, streamed, never stored) and records nothing: its SHA-256, type, perceptual
   * hash, AIGC labels, C2PA manifest and IPTC source types, the AI signals they give, and the filings it matches exactly,
   * as a registered copy, or perceptually (within the policy's similarity threshold).
   */
  @ApiRoute({
    summary: 'Inspect a file (nothing recorded)',
    answer: InspectionDto,
    problems: [
      'file-required',
      'unexpected-part',
      'malformed-multipart',
      'file-too-large',
      'request-timeout',
      'too-many-files',
      'too-many-parts',
      'image-too-large',
      'image-unreadable',
      'ruleset-unknown',
    ],
  })
  @Post()
  @HttpCode(200)
  @Roles('creator', 'reviewer')
  @Accepts({ [MULTIPART]: 'one part `file` with the file' })
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  inspect(@Req() request: FastifyRequest) {
    return this.queries.inspect(request);
  }
}
