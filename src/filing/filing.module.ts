import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InspectionModule } from '../inspection/inspection.module.js';
import { PERCEPTUAL_INDEX, type PerceptualIndex } from '../inspection/perceptual-index.js';
import { PolicyModule } from '../policy/policy.module.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from './filing-safeguards.js';
import { CopyView } from './copy-view.entity.js';
import { FilingView } from './filing-view.entity.js';
import { FilingController } from './filing.controller.js';
import { FILING_HANDLERS } from './filing.handlers.js';
import { FilingQueries } from './filing.queries.js';
import { FilingsProjection } from './filings.projection.js';
import { FilingUploadService } from './filing-upload.service.js';
import { FileInspectionQueries, InspectController } from './inspect.controller.js';
import { PublicContentController } from './public.controller.js';

/**
 * What screens a filing around its append (a provider of FilingSafeguards), what finds look-alike filings (of
 * PerceptualIndex), and the modules that export them.
 */
export interface SafeguardsProvider {
  imports: NonNullable<ModuleMetadata['imports']>;
  useExisting: Type<FilingSafeguards>;
  perceptualIndex: Type<PerceptualIndex>;
}

/** Filing works: first-filer reservation, withdrawal, the filings read model, the public lookups and file inspection. */
@Module({})
export class FilingModule {
  /** The composition root names the safeguards, so this module depends on their port only. */
  static withSafeguards(safeguards: SafeguardsProvider): DynamicModule {
    return {
      module: FilingModule,
      imports: [CqrsModule, InspectionModule, PolicyModule, TypeOrmModule.forFeature([FilingView, CopyView]), ...safeguards.imports],
      controllers: [FilingController, PublicContentController, InspectController],
      providers: [
        FilingQueries,
        FilingsProjection,
        FilingUploadService,
        FileInspectionQueries,
        ...FILING_HANDLERS,
        { provide: FILING_SAFEGUARDS, useExisting: safeguards.useExisting },
        { provide: PERCEPTUAL_INDEX, useExisting: safeguards.perceptualIndex },
      ],
      exports: [FilingQueries],
    };
  }
}
