import { Module } from '@nestjs/common';
import { FileInspector } from './file-inspector.js';

/** File inspection: one FileInspector (and so one limit on concurrent inspections) for every module that uploads. */
@Module({
  providers: [FileInspector],
  exports: [FileInspector],
})
export class InspectionModule {}
