import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CopyView } from '../filing/copy-view.entity.js';
import { InspectionModule } from '../inspection/inspection.module.js';
import { PolicyModule } from '../policy/policy.module.js';
import { LabelUploadService } from './label-upload.service.js';
import { CopiesController, LabelingController } from './labeling.controller.js';
import { LABELING_HANDLERS } from './labeling.handlers.js';
import { CopiesProjection } from './copies.projection.js';
import { LabelsProjection } from './labels.projection.js';

@Module({
  imports: [CqrsModule, InspectionModule, PolicyModule, TypeOrmModule.forFeature([CopyView])],
  controllers: [LabelingController, CopiesController],
  providers: [LabelUploadService, LabelsProjection, CopiesProjection, ...LABELING_HANDLERS],
})
export class LabelingModule {}
