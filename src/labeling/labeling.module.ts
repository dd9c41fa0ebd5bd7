import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LabelUploadService } from './label-upload.service.js';
import { LabelingController } from './labeling.controller.js';
import { LABELING_HANDLERS } from './labeling.handlers.js';
import { LabelsProjection } from './labels.projection.js';

@Module({
  imports: [CqrsModule],
  controllers: [LabelingController],
  providers: [LabelUploadService, LabelsProjection, ...LABELING_HANDLERS],
})
export class LabelingModule {}
