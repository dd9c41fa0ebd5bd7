import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InspectionModule } from '../inspection/inspection.module.js';
import { PERCEPTUAL_INDEX, type PerceptualIndex } from '../inspection/perceptual-index.js';
import { PolicyModule } from '../policy/policy.module.js';
import { ComplaintUploadService } from './complaint-upload.service.js';
import { DisputeView } from './dispute-view.entity.js';
import { DisputesProjection } from './disputes.projection.js';
import { DisputeController } from './dispute.controller.js';
import { DISPUTE_HANDLERS } from './dispute.handlers.js';
import { DisputeQueries } from './dispute.queries.js';

/** What finds the filed works an evidence picture looks like: a provider of PerceptualIndex, and the modules that export it. */
export interface PerceptualIndexProvider {
  imports: NonNullable<ModuleMetadata['imports']>;
  useExisting: Type<PerceptualIndex>;
}

/** Complaints against filings. It provides its read model, DisputesProjection, to the ledger's projection runner. */
@Module({})
export class DisputesModule {
  /** The composition root names the perceptual index, so this module depends on its port only. */
  static withPerceptualIndex(index: PerceptualIndexProvider): DynamicModule {
    return {
      module: DisputesModule,
      imports: [CqrsModule, PolicyModule, InspectionModule, TypeOrmModule.forFeature([DisputeView]), ...index.imports],
      controllers: [DisputeController],
      providers: [
        DisputeQueries,
        DisputesProjection,
        ComplaintUploadService,
        ...DISPUTE_HANDLERS,
        { provide: PERCEPTUAL_INDEX, useExisting: index.useExisting },
      ],
      exports: [DisputeQueries],
    };
  }
}
