import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { IdPipe } from '../common/validation.js';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import { DisputeDetailDto, DisputeHistoryDto, DisputePageDto, DisputeWrittenDto } from './dispute-responses.dto.js';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, hasRole, Roles, type Principal } from '../common/access.js';
import { Accepts, MULTIPART, validBody } from '../common/request-body.js';
import { ComplaintUploadService } from './complaint-upload.service.js';
import {
  AssignDispute,
  DecideAppeal,
  DecideDispute,
  FileAppeal,
  FileComplaint,
  SubmitResponse,
  WithdrawComplaint,
  type DisputeWritten,
} from './dispute.commands.js';
import {
  AssignDisputeDto,
  DecideAppealDto,
  DecideDisputeDto,
  FileAppealDto,
  FileComplaintDto,
  ListDisputesQuery,
  SubmitResponseDto,
  WithdrawComplaintDto,
} from './dispute.dto.js';
import { DisputeQueries } from './dispute.queries.js';
import { CurrentWrites, requestWrites, type RequestWrites } from '../ledger/write/request-writes.js';

const Id = () => Param('id', new IdPipe());

@ApiTags('disputes')
@ApiBearerAuth()
@Controller('v1/disputes')
export class DisputeController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: DisputeQueries,
    private readonly uploads: ComplaintUploadService,
  ) {}

  /** The dispute as it stands after a write, with the events the write appended. */
  private async after(write: Promise<DisputeWritten>) {
    const w = await write;
    return { ...(await this.queries.current(w.disputeId)), recorded: w.recorded };
  }

  /**
   * Files a complaint against a filing. Evidence that is AI-generated (declared, the content of a filed AI work, or an
   * uploaded file whose inspection finds an AIGC label, a C2PA or IPTC AI source type, or a near-duplicate of a filed AI
   * work) gets it returned at once: 201 with status `returned`, naming the signal. JSON, or multipart: a field `metadata`
   * with the same JSON, then the files as parts `evidence`, each named by an evidence item (`file`: its filename).
   */
  @ApiRoute({
    summary: 'File a complaint (JSON, or multipart with evidence files)',
    answer: DisputeWrittenDto,
    problems: [
      'right-transferred',
      'right-revoked',
      'right-expired',
      'own-filing',
      'basis-is-target',
      'claim-required',
      'duplicate-evidence',
      'duplicate-evidence-file',
      'evidence-filename-required',
      'evidence-file-missing',
      'evidence-file-undescribed',
      'metadata-required',
      'metadata-too-large',
      'file-required',
      'unexpected-part',
      'malformed-multipart',
      'file-too-large',
      'request-timeout',
      'too-many-files',
      'too-many-parts',
      'filing-not-found',
      'basis-filing-not-found',
      'basis-not-owned',
      'filing-withdrawn',
      'basis-filing-withdrawn',
      'dispute-exists',
      'evidence-hash-mismatch',
      'evidence-type-mismatch',
      'image-too-large',
      'image-unreadable',
      'ruleset-unknown',
    ],
  })
  @Post()
  @Roles('creator')
  @Accepts(
    {
      'application/json': 'the complaint',
      [MULTIPART]: 'a field `metadata` with the complaint as JSON, then the files as parts `evidence`, each named by an evidence item',
    },
    {
      type: 'object',
      required: ['metadata'],
      properties: {
        metadata: { type: 'string', description: 'The complaint (FileComplaintDto) as JSON text' },
        evidence: {
          type: 'array',
          items: { type: 'string', format: 'binary' },
          description: 'Evidence files, each with the filename an evidence item names (`file`)',
        },
      },
    },
  )
  @ApiBody({ type: FileComplaintDto })
  async file(@Req() request: FastifyRequest, @CurrentPrincipal() p: Principal) {
    return this.after(
      request.isMultipart()
        ? this.uploads.file(request, p.principalId)
        : this.commands.execute(
            new FileComplaint(await validBody(FileComplaintDto, request.body), p.principalId).forRequest(requestWrites(request)),
          ),
    );
  }

  /**
   * The reviewer queue: reviewers, auditors and admins see every dispute, a creator those they are a party to;
   * `respondent=me` lists the complaints against the caller's filings.
   */
  @ApiRoute({ summary: 'List disputes (the reviewer queue)', answer: DisputePageDto, problems: ['not-a-party'] })
  @Get()
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  list(@Query() q: ListDisputesQuery, @CurrentPrincipal() p: Principal) {
    return this.queries.list(q, p);
  }

  /** A dispute with its deadlines and its timeline (every event of its stream with hashes). */
  @ApiRoute({ summary: 'Read a dispute with its timeline', answer: DisputeDetailDto, problems: ['dispute-not-found', 'not-a-party'] })
  @Get(':id')
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  get(@Id() id: string, @CurrentPrincipal() p: Principal) {
    return this.queries.get(id, p);
  }

  /** The dispute stream's envelopes, with hashes, revisions and leaf indexes. */
  @ApiRoute({ summary: "A dispute's events", answer: DisputeHistoryDto, problems: ['dispute-not-found', 'not-a-party'] })
  @Get(':id/history')
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  history(@Id() id: string, @CurrentPrincipal() p: Principal) {
    return this.queries.history(id, p);
  }

  /** Assigns a reviewer: a reviewer may take a dispute for themself (with `{}`); an admin may assign (or reassign) any reviewer. */
  @ApiRoute({
    summary: 'Assign a reviewer',
    answer: DisputeWrittenDto,
    problems: [
      'dispute-not-found',
      'dispute-final',
      'dispute-returned',
      'dispute-withdrawn',
      'assign-self-only',
      'unknown-reviewer',
      'not-a-reviewer',
      'reviewer-is-party',
      'already-assigned',
      'already-decided',
    ],
  })
  @Post(':id/assign')
  @HttpCode(200)
  @Roles('reviewer', 'admin')
  assign(@Id() id: string, @Body() body: AssignDisputeDto, @CurrentPrincipal() p: Principal, @CurrentWrites() writes: RequestWrites) {
    return this.after(this.commands.execute(new AssignDispute(id, body, p.principalId, hasRole(p, 'admin')).forRequest(writes)));
  }

  /** The respondent's answer, within responseDays of the complaint. */
  @ApiRoute({
    summary: 'Answer a complaint (respondent)',
    answer: DisputeWrittenDto,
    problems: [
      'dispute-not-found',
      'dispute-final',
      'dispute-returned',
      'dispute-withdrawn',
      'not-respondent',
      'statement-required',
      'duplicate-evidence',
      'already-responded',
      'response-window-closed',
      'already-decided',
    ],
  })
  @Post(':id/response')
  @HttpCode(200)
  @Roles('creator')
  respond(@Id() id: string, @Body() body: SubmitResponseDto, @CurrentPrincipal() p: Principal, @CurrentWrites() writes: RequestWrites) {
    return this.after(this.commands.execute(new SubmitResponse(id, body, p.principalId).forRequest(writes)));
  }

  /** The assigned reviewer's decision: upheld with a remedy, or rejected; with reasoning. */
  @ApiRoute({
    summary: 'Decide a dispute (assigned reviewer)',
    answer: DisputeWrittenDto,
    problems: [
      'dispute-not-found',
      'dispute-final',
      'dispute-returned',
      'dispute-withdrawn',
      'not-assigned',
      'not-assigned-reviewer',
      'awaiting-response',
      'already-decided',
      'remedy-required',
      'remedy-not-allowed',
      'remedy-not-applicable',
      'reasoning-required',
    ],
  })
  @Post(':id/decision')
  @HttpCode(200)
  @Roles('reviewer')
  decide(@Id() id: string, @Body() body: DecideDisputeDto, @CurrentPrincipal() p: Principal, @CurrentWrites() writes: RequestWrites) {
    return this.after(this.commands.execute(new DecideDispute(id, body, p.principalId).forRequest(writes)));
  }

  /**
   * A party with a decision against it (`mayAppeal`: the respondent an upheld complaint, the complainant either outcome)
   * appeals once within appealDays of the decision, until the appeal is decided.
   */
  @ApiRoute({
    summary: 'Appeal a decision against you (a party, once)',
    answer: DisputeWrittenDto,
    problems: [
      'dispute-not-found',
      'dispute-final',
      'dispute-returned',
      'dispute-withdrawn',
      'not-a-party',
      'grounds-required',
      'not-decided',
      'already-appealed',
      'nothing-to-appeal',
      'appeal-window-closed',
      'appeal-already-decided',
    ],
  })
  @Post(':id/appeal')
  @HttpCode(200)
  @Roles('creator')
  appeal(@Id() id: string, @Body() body: FileAppealDto, @CurrentPrincipal() p: Principal, @CurrentWrites() writes: RequestWrites) {
    return this.after(this.commands.execute(new FileAppeal(id, body, p.principalId).forRequest(writes)));
  }

  /**
   * A reviewer other than the first decision's affirms it, reverses it or varies its remedy, answering every appeal;
   * the dispute is then final.
   */
  @ApiRoute({
    summary: 'Decide the appeal (another reviewer)',
    answer: DisputeWrittenDto,
    problems: [
      'dispute-not-found',
      'dispute-final',
      'dispute-returned',
      'dispute-withdrawn',
      'not-appealed',
      'appeal-already-decided',
      'same-reviewer',
      'reviewer-is-party',
      'remedy-required',
      'remedy-not-allowed',
      'remedy-not-applicable',
      'remedy-unchanged',
      'reasoning-required',
    ],
  })
  @Post(':id/appeal-decision')
  @HttpCode(200)
  @Roles('reviewer')
  decideAppeal(@Id() id: string, @Body() body: DecideAppealDto, @CurrentPrincipal() p: Principal, @CurrentWrites() writes: RequestWrites) {
    return this.after(this.commands.execute(new DecideAppeal(id, body, p.principalId).forRequest(writes)));
  }

  /** The complainant withdraws the complaint while it is not final. */
  @ApiRoute({
    summary: 'Withdraw a complaint (complainant)',
    answer: DisputeWrittenDto,
    problems: ['dispute-not-found', 'dispute-final', 'dispute-returned', 'dispute-withdrawn', 'not-complainant'],
  })
  @Post(':id/withdraw')
  @HttpCode(200)
  @Roles('creator')
  withdraw(@Id() id: string, @Body() body: WithdrawComplaintDto, @CurrentPrincipal() p: Principal, @CurrentWrites() writes: RequestWrites) {
    return this.after(this.commands.execute(new WithdrawComplaint(id, body.reason ?? null, p.principalId).forRequest(writes)));
  }
}
