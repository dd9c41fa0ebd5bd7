import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '../common/access.js';
import { MERKLE_LOG } from '../ledger/ledger.tokens.js';
import type { MerkleLog } from '../ledger/log/merkle-log.js';
import { receiptToTlogProof } from '../verifier/tlog-proof.js';
import { FileWork, WithdrawFiling } from './filing.commands.js';
import { FileWorkDto, ListFilingsQuery, WithdrawFilingDto } from './filing.dto.js';
import { filingResource, FilingQueries } from './filing.queries.js';

/** text/plain wins only when the client asks for it before JSON. */
const prefersText = (accept: string | undefined) => {
  const types = (accept ?? '').split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  const text = types.indexOf('text/plain');
  const json = types.findIndex((t) => t === 'application/json' || t === '*/*');
  return text >= 0 && (json < 0 || text < json);
};

@ApiTags('filings')
@ApiBearerAuth()
@Controller('v1/filings')
export class FilingController {
  constructor(private readonly commands: CommandBus, private readonly queries: FilingQueries, @Inject(MERKLE_LOG) private readonly log: MerkleLog) {}

  /** Files a work: the first accepted filing of a content hash holds priority; a later one gets 409. */
  @Post()
  @Roles('creator')
  file(@Body() body: FileWorkDto, @CurrentPrincipal() p: Principal) {
    return this.commands.execute(new FileWork(body, p.principalId));
  }

  @Get()
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  list(@Query() q: ListFilingsQuery, @CurrentPrincipal() p: Principal) {
    return this.queries.list(q, p);
  }

  @Get(':id')
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() p: Principal) {
    return filingResource(await this.queries.get(id, p));
  }

  /** The filing stream's envelopes, with hashes, revisions and leaf indexes. */
  @Get(':id/history')
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  history(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() p: Principal) {
    return this.queries.history(id, p);
  }

  /** Proof that the filing is in the log: the entry, its inclusion proof and a signed checkpoint (JSON, or tlog-proof text with Accept: text/plain). */
  @Get(':id/receipt')
  @Roles('creator', 'auditor', 'admin')
  async receipt(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() p: Principal, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const receipt = await this.log.receipt(await this.queries.filedEntry(id, p));
    if (prefersText(accept)) {
      void reply.header('content-type', 'text/plain; charset=utf-8');
      return receiptToTlogProof(receipt);
    }
    return receipt;
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Roles('creator')
  withdraw(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: WithdrawFilingDto, @CurrentPrincipal() p: Principal) {
    return this.commands.execute(new WithdrawFiling(id, body.reason ?? null, p.principalId));
  }
}
