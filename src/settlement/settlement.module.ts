import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { FILING_SAFEGUARDS } from './filing-safeguards.js';
import { FilingScreening, NearDuplicateService } from './near-duplicates.service.js';
import { PolicyService } from './policy.service.js';
import { RightsQueries } from './rights.queries.js';
import { PolicyController, RightsController, SettlementController, SimilarityClearanceController, StatsController } from './settlement.controller.js';
import { SETTLEMENT_HANDLERS } from './settlement.handlers.js';
import { SettlementService } from './settlement.service.js';
import { StatsQueries } from './stats.queries.js';

/**
 * The sandbox (SPEC 1.4): policy versions, the rights register, near-duplicate and repeat-infringer safeguards,
 * settlement runs and governance figures. Global so the filing handler finds FILING_SAFEGUARDS; its read model,
 * RightsProjection, runs in the LedgerModule's projection runner.
 */
@Global()
@Module({
  imports: [CqrsModule],
  controllers: [PolicyController, RightsController, SimilarityClearanceController, SettlementController, StatsController],
  providers: [
    PolicyService, RightsQueries, NearDuplicateService, FilingScreening, SettlementService, StatsQueries, ...SETTLEMENT_HANDLERS,
    { provide: FILING_SAFEGUARDS, useExisting: FilingScreening },
  ],
  exports: [FILING_SAFEGUARDS, PolicyService, RightsQueries, SettlementService],
})
export class SettlementModule {}
