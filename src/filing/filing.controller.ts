import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { IdPipe } from '../common/validation.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import Negotiator from 'negotiator';
import { ApiRoute } from '../common/api-docs.js';
import {
  EvidenceBundleDto,
  FiledWorkDto,
  FilingAmendedDto,
  FilingHistoryDto,
  FilingPageDto,
  FilingReceiptDto,
  FilingViewDto,
  FilingWithdrawnDto,
} from './filing-responses.dto.js';
import { CurrentPrincipal, Roles, type Principal } from '../common/access.js';
import { Accepts, MULTIPART, validBody } from '../common/request-body.js';
import { LOG_KEYS, MERKLE_LOG } from '../ledger/ledger.tokens.js';
import { ReadsNoReadModels } from '../ledger/read-models/read-your-writes.js';
import type { LogKeys } from '../ledger/log/attestors.js';
import type { MerkleLog } from '../ledger/log/merkle-log.js';
import { receiptToTlogProof } from '../verifier/tlog-proof.js';
import { evidenceBundle } from './evidence.js';
import { AmendFiling, FileWork, WithdrawFiling } from './filing.commands.js';
import { AmendFilingDto, FileWorkDto, ListFilingsQuery, WithdrawFilingDto } from './filing.dto.js';
import type { WorkFiledData } from './filing.events.js';
import { FilingQueries } from './filing.queries.js';
import { FilingUploadService } from './filing-upload.service.js';
import { CurrentWrites, requestWrites, type RequestWrites } from '../ledger/write/request-writes.js';

/**
 * text/plain wins only when the client prefers it to JSON (RFC 9110 §12.5.1: by q-value, then the more specific range,
 * then the order it names them); JSON otherwise, including when it accepts neither. A range's parameters other than q
 * (`text/plain; charset=utf-8`) do not make it another type.
 */
const prefersText = (accept: string | undefined) => {
  const ranges = (accept ?? '*/*')
    .split(',')
    .map((range) =>
      range
        .split(';')
        .filter((part, i) => i === 0 || /^\s*q\s*=/i.test(part))
        .join(';'),
    )
    .join(',');
  return new Negotiator({ headers: { accept: ranges } }).mediaType(['application/json', 'text/plain']) === 'text/plain';
};

@ApiTags('filings')
@ApiBearerAuth()
@Controller('v1/filings')
export class FilingController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: FilingQueries,
    private readonly uploads: FilingUploadService,
    @Inject(MERKLE_LOG) private readonly log: MerkleLog,
    @Inject(LOG_KEYS) private readonly keys: LogKeys,
  ) {}

  /**
   * Files a work: the first accepted filing of a content hash holds priority; a later one gets 409, naming it. After a
   * withdrawal the content may be filed again. The holder of content transferred to them by a dispute gets 200 and
   * the filing they hold. Filed with its file (multipart), the work's perceptual hash is computed, not declared.
   */
  @ApiRoute({
    summary: 'File a work (JSON, or multipart with its file)',
    answer: FiledWorkDto,
    alsoStatus: 200,
    problems: [
      'duplicate-content',
      'content-is-registered-copy',
      'filing-exists',
      'metadata-required',
      'metadata-too-large',
      'file-required',
      'unexpected-part',
      'malformed-multipart',
      'file-too-large',
      'request-timeout',
      'too-many-files',
      'too-many-parts',
      'empty-content',
      'duplicate-evidence',
      'evidence-made-later',
      'content-hash-mismatch',
      'content-type-mismatch',
      'perceptual-hash-mismatch',
      'image-too-large',
      'image-unreadable',
      'ruleset-unknown',
    ],
  })
  @Post()
  @Roles('creator')
  @ReadsNoReadModels()
  @Accepts(
    {
      'application/json': 'the filing',
      [MULTIPART]: 'a field `metadata` with the filing as JSON (contentHash may be left out), then a part `file` with the work',
    },
    {
      type: 'object',
      required: ['metadata', 'file'],
      properties: {
        metadata: { type: 'string', description: 'The filing (FileWorkDto) as JSON text; contentHash may be left out' },
        file: { type: 'string', format: 'binary', description: 'The work' },
      },
    },
  )
  @ApiBody({
    type: FileWorkDto,
    description:
      'JSON: the filing. Multipart: a field `metadata` with the same JSON (contentHash may be left out), ' +
      'then a part `file` with the work; the ledger checks the hash and the type and computes the perceptual hash of an image.',
  })
  async file(@Req() request: FastifyRequest, @CurrentPrincipal() p: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const filed = request.isMultipart()
      ? await this.uploads.file(request, p.principalId)
      : await this.commands.execute(
          new FileWork(await validBody(FileWorkDto, request.body), p.principalId).forRequest(requestWrites(request)),
        );
    if (filed.alreadyHeld) void reply.code(200);
    return filed;
  }

  @ApiRoute({ summary: 'List filings', answer: FilingPageDto, problems: ['not-owner'] })
  @Get()
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  list(@Query() q: ListFilingsQuery, @CurrentPrincipal() p: Principal) {
    return this.queries.list(q, p);
  }

  @ApiRoute({ summary: 'Read a filing', answer: FilingViewDto, problems: ['filing-not-found', 'not-owner', 'ruleset-unknown'] })
  @Get(':id')
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  get(@Param('id', new IdPipe()) id: string, @CurrentPrincipal() p: Principal) {
    return this.queries.view(id, p);
  }

  /** The filing stream's envelopes, with hashes, revisions and leaf indexes. */
  @ApiRoute({ summary: "A filing's events", answer: FilingHistoryDto, problems: ['filing-not-found', 'not-owner', 'ruleset-unknown'] })
  @Get(':id/history')
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  history(@Param('id', new IdPipe()) id: string, @CurrentPrincipal() p: Principal) {
    return this.queries.history(id, p);
  }

  /**
   * Proof that the filing is in the log: the entry, its inclusion proof and a signed checkpoint (JSON, or tlog-proof text
   * with Accept: text/plain). The filing's creator or holder, auditors and admins; not reviewers.
   */
  @ApiRoute({
    summary: "A filing's receipt (JSON, or tlog-proof text)",
    answer: FilingReceiptDto,
    alternative: { mediaType: 'text/plain', schema: { type: 'string', description: 'A C2SP tlog-proof@v1 text' } },
    problems: ['filing-not-found', 'not-owner', 'unavailable', 'ruleset-unknown'],
  })
  @Get(':id/receipt')
  @Roles('creator', 'auditor', 'admin')
  async receipt(
    @Param('id', new IdPipe()) id: string,
    @CurrentPrincipal() p: Principal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const entry = await this.queries.filedEntry(id, p, 'receipt');
    const receipt = await this.log.receipt(entry);
    void reply.header('vary', 'accept'); // the form depends on Accept: a cache must not answer one with the other
    if (prefersText(accept)) {
      void reply.header('content-type', 'text/plain; charset=utf-8');
      return receiptToTlogProof(receipt);
    }
    // `filing` restates what the entry proves (id, time, leaf) and adds who holds the right now, which the proof does not cover.
    const filed = entry.data as WorkFiledData;
    return {
      ...receipt,
      filing: { filingId: id, filedAt: filed.filedAt, leafIndex: entry.leafIndex, holder: await this.queries.holderOf(id, filed.creator) },
    };
  }

  /**
   * Everything needed to check the filing offline with `sandbox-ledger verify-evidence`: its receipt, its stream's whole
   * history with inclusion proofs, the checkpoint with its cosignatures and time-stamps, and the keys and CA to check them.
   * The filing's creator or holder, auditors and admins; not reviewers.
   */
  @ApiRoute({
    summary: "A filing's evidence bundle for offline verification",
    answer: EvidenceBundleDto,
    problems: ['filing-not-found', 'not-owner', 'unavailable', 'ruleset-unknown'],
  })
  @Get(':id/evidence')
  @Roles('creator', 'auditor', 'admin')
  async evidence(@Param('id', new IdPipe()) id: string, @CurrentPrincipal() p: Principal) {
    await this.queries.filedEntry(id, p, 'evidence bundle'); // the creator or holder, an auditor or an admin
    return evidenceBundle(this.log, this.keys, id, async () => (await this.queries.history(id, p)).events);
  }

  /** Corrects the title, adds process evidence or a human contribution note; the content, the generation record's hashes, the filing time and the priority stay. */
  @ApiRoute({
    summary: 'Amend a filing',
    answer: FilingAmendedDto,
    problems: [
      'filing-not-found',
      'not-owner',
      'filing-withdrawn',
      'right-transferred',
      'empty-amendment',
      'duplicate-evidence',
      'evidence-made-later',
      'amendment-limit',
      'ruleset-unknown',
    ],
  })
  @Post(':id/amend')
  @HttpCode(200)
  @Roles('creator')
  amend(
    @Param('id', new IdPipe()) id: string,
    @Body() body: AmendFilingDto,
    @CurrentPrincipal() p: Principal,
    @CurrentWrites() writes: RequestWrites,
  ) {
    return this.commands.execute(new AmendFiling(id, body, p.principalId).forRequest(writes));
  }

  /** Withdraws a filing and releases its content; refused while a complaint against it is open, or once its right was transferred. */
  @ApiRoute({
    summary: 'Withdraw a filing',
    answer: FilingWithdrawnDto,
    problems: [
      'filing-not-found',
      'not-owner',
      'already-withdrawn',
      'dispute-open',
      'right-transferred',
      'right-revoked',
      'ruleset-unknown',
    ],
  })
  @Post(':id/withdraw')
  @HttpCode(200)
  @Roles('creator')
  withdraw(
    @Param('id', new IdPipe()) id: string,
    @Body() body: WithdrawFilingDto,
    @CurrentPrincipal() p: Principal,
    @CurrentWrites() writes: RequestWrites,
  ) {
    return this.commands.execute(new WithdrawFiling(id, body.reason ?? null, p.principalId).forRequest(writes));
  }
}
