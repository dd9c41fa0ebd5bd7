import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DisputeView } from './dispute-view.entity.js';
import { DisputesProjection } from './disputes.projection.js';
import { DisputeController } from './dispute.controller.js';
import { DISPUTE_HANDLERS } from './dispute.handlers.js';
import { DisputeQueries } from './dispute.queries.js';
import { PolicyModule } from '../policy/policy.module.js';

/** Complaints against filings. It provides its read model, DisputesProjection, to the ledger's projection runner. */
@Module({
  imports: [CqrsModule, PolicyModule, TypeOrmModule.forFeature([DisputeView])],
  controllers: [DisputeController],
  providers: [DisputeQueries, DisputesProjection, ...DISPUTE_HANDLERS],
  exports: [DisputeQueries],
})
export class DisputesModule {}
