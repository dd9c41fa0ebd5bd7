import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PolicyModule } from '../policy/policy.module.js';
import { RightView } from './right-view.entity.js';
import { RightsProjection } from './rights.projection.js';
import { FilingScreening, NearDuplicateService, PerceptualLookup } from './near-duplicates.service.js';
import { RightsQueries } from './rights.queries.js';
import {
  PolicyController,
  RightsController,
  SettlementController,
  SimilarityClearanceController,
  StatsController,
} from './settlement.controller.js';
import { SETTLEMENT_HANDLERS } from './settlement.handlers.js';
import { SettlementService } from './settlement.service.js';
import { StatsQueries } from './stats.queries.js';

/**
 * The sandbox: policy versions, the rights register, near-duplicate and repeat-infringer safeguards,
 * settlement runs and governance figures. It provides the filing module's safeguards (FilingScreening) and its read
 * model, RightsProjection, to the ledger's projection runner.
 */
@Module({
  imports: [CqrsModule, PolicyModule, TypeOrmModule.forFeature([RightView])],
  controllers: [PolicyController, RightsController, SimilarityClearanceController, SettlementController, StatsController],
  providers: [
    RightsProjection,
    RightsQueries,
    NearDuplicateService,
    FilingScreening,
    PerceptualLookup,
    SettlementService,
    StatsQueries,
    ...SETTLEMENT_HANDLERS,
  ],
  exports: [FilingScreening, PerceptualLookup, RightsQueries, SettlementService],
})
export class SettlementModule {}
