import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthModule } from './auth/auth.module.js';
import { IdempotencyInterceptor } from './common/idempotency.interceptor.js';
import { OpsController } from './common/ops.controller.js';
import type { AppConfig } from './config.js';
import { DisputesModule } from './disputes/disputes.module.js';
import { FilingModule } from './filing/filing.module.js';
import { LabelingModule } from './labeling/labeling.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { SettlementModule } from './settlement/settlement.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        LedgerModule.forRoot(config),
        AuthModule,
        FilingModule,
        LabelingModule,
        DisputesModule,
        SettlementModule,
      ],
      controllers: [OpsController],
      providers: [{ provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
    };
  }
}
