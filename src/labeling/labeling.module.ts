import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CopyView } from '../filing/copy-view.entity.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from '../filing/filing-safeguards.js';
import { InspectionModule } from '../inspection/inspection.module.js';
import { PolicyModule } from '../policy/policy.module.js';
import { LabelUploadService } from './label-upload.service.js';
import { CopiesController, LabelingController } from './labeling.controller.js';
import { LABELING_HANDLERS } from './labeling.handlers.js';
import { CopiesProjection } from './copies.projection.js';
import { LabelsProjection } from './labels.projection.js';

/** What answers who holds a filing's right (a provider of FilingSafeguards), and the modules that export it. */
export interface RightsProvider {
  imports: NonNullable<ModuleMetadata['imports']>;
  useExisting: Type<FilingSafeguards>;
}

/** Labels, label file checks and labelled copies of a filing: its right's holder's to write. */
@Module({})
export class LabelingModule {
  /** The composition root names who answers for rights, so this module depends on the filing safeguards' port only. */
  static withRights(rights: RightsProvider): DynamicModule {
    return {
      module: LabelingModule,
      imports: [CqrsModule, InspectionModule, PolicyModule, TypeOrmModule.forFeature([CopyView]), ...rights.imports],
      controllers: [LabelingController, CopiesController],
      providers: [
        LabelUploadService,
        LabelsProjection,
        CopiesProjection,
        ...LABELING_HANDLERS,
        { provide: FILING_SAFEGUARDS, useExisting: rights.useExisting },
      ],
    };
  }
}
