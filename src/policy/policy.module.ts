import { Module } from '@nestjs/common';
import { PolicyService } from './policy.service.js';

/** The sandbox policy versions in force: read by filing, disputes and settlement, published by settlement. */
@Module({
  providers: [PolicyService],
  exports: [PolicyService],
})
export class PolicyModule {}
