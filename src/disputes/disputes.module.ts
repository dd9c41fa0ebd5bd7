import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FILING_SAFEGUARDS, type FilingSafeguards } from '../filing/filing-safeguards.js';
import { InspectionModule } from '../inspection/inspection.module.js';
import { PERCEPTUAL_INDEX, type PerceptualIndex } from '../inspection/perceptual-index.js';
import { PolicyModule } from '../policy/policy.module.js';
import { ComplaintUploadService } from './complaint-upload.service.js';
import { DisputeView } from './dispute-view.entity.js';
import { DisputesProjection } from './disputes.projection.js';
import { DisputeController } from './dispute.controller.js';
import { DISPUTE_HANDLERS } from './dispute.handlers.js';
import { DisputeQueries } from './dispute.queries.js';

/**
 * What the disputes read of the sandbox, and the modules that export it: the filed works an evidence picture looks like
 * (a provider of PerceptualIndex), and a filing's right as the rules give it (a provider of FilingSafeguards).
 */
export interface SandboxProviders {
  imports: NonNullable<ModuleMetadata['imports']>;
  perceptualIndex: Type<PerceptualIndex>;
  rights: Type<FilingSafeguards>;
}

/** Complaints against filings. It provides its read model, DisputesProjection, to the ledger's projection runner. */
@Module({})
export class DisputesModule {
  /** The composition root names the perceptual index and who answers for rights, so this module depends on their ports only. */
  static withSandbox(sandbox: SandboxProviders): DynamicModule {
    return {
      module: DisputesModule,
      imports: [CqrsModule, PolicyModule, InspectionModule, TypeOrmModule.forFeature([DisputeView]), ...sandbox.imports],
      controllers: [DisputeController],
      providers: [
        DisputeQueries,
        DisputesProjection,
        ComplaintUploadService,
        ...DISPUTE_HANDLERS,
        { provide: PERCEPTUAL_INDEX, useExisting: sandbox.perceptualIndex },
        { provide: FILING_SAFEGUARDS, useExisting: sandbox.rights },
      ],
      exports: [DisputeQueries],
    };
  }
}
