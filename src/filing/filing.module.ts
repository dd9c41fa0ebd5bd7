import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InspectionModule } from '../inspection/inspection.module.js';
import { PolicyModule } from '../policy/policy.module.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from './filing-safeguards.js';
import { CopyView } from './copy-view.entity.js';
import { FilingView } from './filing-view.entity.js';
import { FilingController } from './filing.controller.js';
import { FILING_HANDLERS } from './filing.handlers.js';
import { FilingQueries } from './filing.queries.js';
import { FilingsProjection } from './filings.projection.js';
import { FilingUploadService } from './filing-upload.service.js';
import { PublicContentController } from './public.controller.js';

/** What screens a filing around its append: a provider of FilingSafeguards, and the modules that export it. */
export interface SafeguardsProvider {
  imports: NonNullable<ModuleMetadata['imports']>;
  useExisting: Type<FilingSafeguards>;
}

/** Filing works: first-filer reservation, withdrawal, the filings read model and the public lookup. */
@Module({})
export class FilingModule {
  /** The composition root names the safeguards, so this module depends on their port only. */
  static withSafeguards(safeguards: SafeguardsProvider): DynamicModule {
    return {
      module: FilingModule,
      imports: [CqrsModule, InspectionModule, PolicyModule, TypeOrmModule.forFeature([FilingView, CopyView]), ...safeguards.imports],
      controllers: [FilingController, PublicContentController],
      providers: [FilingQueries, FilingsProjection, FilingUploadService, ...FILING_HANDLERS, { provide: FILING_SAFEGUARDS, useExisting: safeguards.useExisting }],
      exports: [FilingQueries],
    };
  }
}
