import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '../auth/auth.decorators.js';
import { FileWork, WithdrawFiling } from './filing.commands.js';
import { FileWorkDto, ListFilingsQuery, WithdrawFilingDto } from './filing.dto.js';
import { filingResource, FilingQueries } from './filing.queries.js';

@ApiTags('filings')
@ApiBearerAuth()
@Controller('v1/filings')
export class FilingController {
  constructor(private readonly commands: CommandBus, private readonly queries: FilingQueries) {}

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

  @Post(':id/withdraw')
  @HttpCode(200)
  @Roles('creator')
  withdraw(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: WithdrawFilingDto, @CurrentPrincipal() p: Principal) {
    return this.commands.execute(new WithdrawFiling(id, body.reason ?? null, p.principalId));
  }
}
