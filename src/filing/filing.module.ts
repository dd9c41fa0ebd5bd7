import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { FilingController } from './filing.controller.js';
import { FILING_HANDLERS } from './filing.handlers.js';
import { FilingQueries } from './filing.queries.js';
import { PublicContentController } from './public.controller.js';

@Module({
  imports: [CqrsModule],
  controllers: [FilingController, PublicContentController],
  providers: [FilingQueries, ...FILING_HANDLERS],
  exports: [FilingQueries],
})
export class FilingModule {}
