import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DisputeController } from './dispute.controller.js';
import { DISPUTE_HANDLERS } from './dispute.handlers.js';
import { DisputeQueries } from './dispute.queries.js';
import { PolicyService } from '../settlement/policy.service.js';

/** Complaints against filings (SPEC 1.3). Its read model, DisputesProjection, runs in the LedgerModule's projection runner. */
@Module({
  imports: [CqrsModule],
  controllers: [DisputeController],
  providers: [DisputeQueries, PolicyService, ...DISPUTE_HANDLERS],
  exports: [DisputeQueries],
})
export class DisputesModule {}
