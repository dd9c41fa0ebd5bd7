import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { IdPipe, principalNamed } from '../common/validation.js';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import {
  PolicyDto,
  PublishedPolicyDto,
  ReviewedFlagDto,
  RightDto,
  RightPageDto,
  SettlementDto,
  SettlementPageDto,
  StatsDto,
} from './settlement-responses.dto.js';
import { CurrentPrincipal, hasRole, Public, Roles, type Principal } from '../common/access.js';
import { PolicyService } from '../policy/policy.service.js';
import { RightsQueries } from './rights.queries.js';
import { PublishPolicy, ReviewFlag, RunSettlement } from './settlement.commands.js';
import {
  ListRightsQuery,
  ListSettlementsQuery,
  PolicyQuery,
  PublishPolicyDto,
  ReviewFlagDto,
  RightQuery,
  SettleDto,
} from './settlement.dto.js';
import { SettlementService } from './settlement.service.js';
import { StatsQueries } from './stats.queries.js';
import { CurrentWrites, type RequestWrites } from '../ledger/write/request-writes.js';
import { ledgerNow } from '../ledger/ledger-clock.js';

const instant = (iso: string | undefined) => (iso === undefined ? ledgerNow() : new Date(iso));

@ApiTags('policy')
@Controller('v1/policy')
export class PolicyController {
  constructor(
    private readonly commands: CommandBus,
    private readonly policies: PolicyService,
  ) {}

  /** Every sandbox policy version and the one in force now (or at `?at=`); public, so anyone can recompute the rights. */
  @ApiRoute({ summary: 'The sandbox policy versions and the one in force', answer: PolicyDto, problems: ['ruleset-unknown'] })
  @Get()
  @Public()
  get(@Query() q: PolicyQuery) {
    return this.policies.describe(instant(q.at));
  }

  /** Publishes a new version, effective from a future instant; parameters left out keep the latest version's values. */
  @ApiRoute({
    summary: 'Publish a policy version',
    answer: PublishedPolicyDto,
    problems: [
      'effective-from-not-after-latest',
      'effective-from-not-future',
      'effective-from-too-far',
      'policy-unchanged',
      'ruleset-unknown',
    ],
  })
  @Post()
  @ApiBearerAuth()
  @Roles('admin')
  publish(@Body() body: PublishPolicyDto, @CurrentPrincipal() p: Principal, @CurrentWrites() writes: RequestWrites) {
    return this.commands.execute(new PublishPolicy(new Date(body.effectiveFrom), body.parameters, p.principalId).forRequest(writes));
  }
}

@ApiTags('rights')
@ApiBearerAuth()
@Controller('v1/rights')
export class RightsController {
  constructor(private readonly rights: RightsQueries) {}

  /**
   * The register (read model) as of now; a remedy made final by its appeal window closing counts at once, as in the single
   * right. Cursor-paginated in filing order. Reviewers, auditors and admins see every right; a creator only those they
   * filed or hold (the filters narrow that further), as the register names every creator and holder.
   */
  @ApiRoute({ summary: 'The rights register', answer: RightPageDto, problems: ['ruleset-unknown'] })
  @Get()
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  list(@Query() q: ListRightsQuery, @CurrentPrincipal() p: Principal) {
    const visibleTo = hasRole(p, 'reviewer', 'auditor', 'admin') ? undefined : p.principalId;
    const named = (id: string | undefined) => principalNamed(id, p.principalId);
    return this.rights.list({ ...q, holder: named(q.holder), creator: named(q.creator), visibleTo }, ledgerNow());
  }

  /**
   * The right as the rules give it at `?asOf=` (default now), past or future, computed from the events. Reviewers,
   * auditors and admins read any; a creator those they filed or hold, as GET /v1/filings/:id.
   */
  @ApiRoute({
    summary: 'A right at any instant',
    answer: RightDto,
    problems: ['filing-not-found', 'right-not-yet-open', 'not-owner', 'ruleset-unknown'],
  })
  @Get(':filingId')
  @Roles('creator', 'reviewer', 'auditor', 'admin')
  get(@Param('filingId', new IdPipe()) filingId: string, @Query() q: RightQuery, @CurrentPrincipal() p: Principal) {
    return this.rights.get(filingId, instant(q.asOf), p);
  }
}

@ApiTags('filings')
@ApiBearerAuth()
@Controller('v1/filings')
export class SimilarityClearanceController {
  constructor(private readonly commands: CommandBus) {}

  /** A reviewer clears (the right may be confirmed) or confirms (it stays provisional) a similarityReview or probation flag. */
  @ApiRoute({
    summary: 'Clear or confirm a similarity or probation flag',
    answer: ReviewedFlagDto,
    problems: [
      'filing-not-found',
      'reviewer-is-creator',
      'reasoning-required',
      'flag-not-raised',
      'flag-already-reviewed',
      'flag-decided-by-dispute',
      'right-closed',
      'ruleset-unknown',
    ],
  })
  @Post(':id/similarity-clearance')
  @HttpCode(200)
  @Roles('reviewer')
  review(
    @Param('id', new IdPipe()) id: string,
    @Body() body: ReviewFlagDto,
    @CurrentPrincipal() p: Principal,
    @CurrentWrites() writes: RequestWrites,
  ) {
    return this.commands.execute(new ReviewFlag(id, body.flag, body.decision, body.reasoning, p.principalId).forRequest(writes));
  }
}

@ApiTags('settlements')
@ApiBearerAuth()
@Controller('v1/settlements')
export class SettlementController {
  constructor(
    private readonly commands: CommandBus,
    private readonly settlements: SettlementService,
  ) {}

  /** Runs a settlement now (or as of a past instant not before the previous one) and records RightsSettled. */
  @ApiRoute({
    summary: 'Run a settlement',
    answer: SettlementDto,
    problems: ['as-of-in-future', 'settlement-out-of-order', 'ruleset-unknown'],
  })
  @Post()
  @Roles('admin')
  settle(@Body() body: SettleDto, @CurrentPrincipal() p: Principal, @CurrentWrites() writes: RequestWrites) {
    return this.commands.execute(
      new RunSettlement(body.asOf === undefined ? undefined : new Date(body.asOf), p.principalId).forRequest(writes),
    );
  }

  @ApiRoute({ summary: 'Recorded settlements', answer: SettlementPageDto })
  @Get()
  @Roles('auditor', 'admin')
  list(@Query() q: ListSettlementsQuery) {
    return this.settlements.list(q.limit ?? 20, q.cursor === undefined ? null : Number(q.cursor));
  }
}

@ApiTags('stats')
@ApiBearerAuth()
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: StatsQueries) {}

  /** Governance figures: filings by status, label compliance, disputes by type and outcome, repeat infringement, similarity flags. */
  @ApiRoute({ summary: 'Governance figures', answer: StatsDto, problems: ['ruleset-unknown'] })
  @Get()
  @Roles('reviewer', 'auditor', 'admin')
  get() {
    return this.stats.figures(ledgerNow());
  }
}
