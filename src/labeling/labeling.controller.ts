import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { IdPipe } from '../common/validation.js';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import { CheckedLabelFileDto, DeclaredLabelsDto, RegisteredCopyDto } from './labeling-responses.dto.js';
import type { FastifyRequest } from 'fastify';
import { Accepts, MULTIPART } from '../common/request-body.js';
import { CurrentPrincipal, hasRole, Roles, type Principal } from '../common/access.js';
import { LabelUploadService } from './label-upload.service.js';
import { DeclareLabels } from './labeling.commands.js';
import { DeclareLabelsDto } from './labeling.dto.js';
import { CurrentWrites, type RequestWrites } from '../ledger/write/request-writes.js';

@ApiTags('labels')
@ApiBearerAuth()
@Controller('v1/filings/:id/labels')
export class LabelingController {
  constructor(
    private readonly commands: CommandBus,
    private readonly uploads: LabelUploadService,
  ) {}

  /**
   * Declares (or amends) the explicit and implicit labels; each call appends LabelsDeclared to the filing's stream.
   * The ledger assigns ContentPropagator (its platform code) and PropagateID (the filing id): omit them or send exactly those values.
   */
  @ApiRoute({
    summary: "Declare a filing's labels",
    answer: DeclaredLabelsDto,
    problems: [
      'filing-not-found',
      'not-owner',
      'right-transferred',
      'filing-withdrawn',
      'label-rules-not-met',
      'labels-unchanged',
      'ruleset-unknown',
    ],
  })
  @Post()
  @Roles('creator')
  declare(
    @Param('id', new IdPipe()) id: string,
    @Body() body: DeclareLabelsDto,
    @CurrentPrincipal() p: Principal,
    @CurrentWrites() writes: RequestWrites,
  ) {
    return this.commands.execute(new DeclareLabels(id, body, p.principalId).forRequest(writes));
  }

  /**
   * Uploads the work (multipart, one part `file`, streamed, never stored): its SHA-256 must be the filing's contentHash or
   * that of a registered copy; records LabelFileChecked. The holder of the filing's right, or any reviewer.
   */
  @ApiRoute({
    summary: "Check a file's labels against the declaration",
    answer: CheckedLabelFileDto,
    problems: [
      'filing-not-found',
      'not-owner',
      'right-transferred',
      'filing-withdrawn',
      'file-required',
      'unexpected-part',
      'malformed-multipart',
      'file-too-large',
      'request-timeout',
      'too-many-files',
      'too-many-parts',
      'content-hash-mismatch',
      'ruleset-unknown',
    ],
  })
  @Post('verify')
  @HttpCode(200)
  @Roles('creator', 'reviewer')
  @Accepts({ [MULTIPART]: 'one part `file` with the file' })
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  verify(@Param('id', new IdPipe()) id: string, @Req() request: FastifyRequest, @CurrentPrincipal() p: Principal) {
    return this.uploads.verify(id, request, p.principalId, hasRole(p, 'reviewer'));
  }
}

@ApiTags('labels')
@ApiBearerAuth()
@Controller('v1/filings/:id/copies')
export class CopiesController {
  constructor(private readonly uploads: LabelUploadService) {}

  /**
   * Registers a distribution copy (multipart, one file part `file`, streamed, never stored): it must carry the implicit
   * label the ledger handed out for this filing (PropagateID the filing id) and look like the filed work (within the
   * policy's similarity threshold of its computed perceptual hash); records CopyRegistered. The holder of the filing's right only.
   */
  @ApiRoute({
    summary: 'Register a labelled distribution copy',
    answer: RegisteredCopyDto,
    problems: [
      'filing-not-found',
      'not-owner',
      'right-transferred',
      'filing-withdrawn',
      'file-required',
      'unexpected-part',
      'malformed-multipart',
      'file-too-large',
      'request-timeout',
      'too-many-files',
      'too-many-parts',
      'labels-not-declared',
      'no-computed-hash',
      'copy-is-filed-content',
      'copy-already-registered',
      'copy-label-missing',
      'copy-label-malformed',
      'copy-label-differs',
      'copy-not-an-image',
      'copy-not-the-same-work',
      'image-too-large',
      'image-unreadable',
      'ruleset-unknown',
    ],
  })
  @Post()
  @Roles('creator')
  @Accepts({ [MULTIPART]: 'one part `file` with the file' })
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  register(@Param('id', new IdPipe()) id: string, @Req() request: FastifyRequest, @CurrentPrincipal() p: Principal) {
    return this.uploads.registerCopy(id, request, p.principalId);
  }
}
