// Composition root: the ledger, then the domain modules; each domain module registers its own read models.
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config.js';
import { DisputesModule } from './disputes/disputes.module.js';
import { FilingModule } from './filing/filing.module.js';
import { LabelingModule } from './labeling/labeling.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import type { OpenedOnStart } from './ledger/opened-on-start.js';
import { PolicyModule } from './policy/policy.module.js';
import { FilingScreening, PerceptualLookup } from './settlement/near-duplicates.service.js';
import { SettlementModule } from './settlement/settlement.module.js';

@Module({})
export class AppModule {
  /** `opened`: see LedgerModule.forRoot. */
  static forRoot(config: AppConfig, opened?: OpenedOnStart): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        LedgerModule.forRoot(config, opened),
        AuthModule,
        PolicyModule,
        FilingModule.withSafeguards({ imports: [SettlementModule], useExisting: FilingScreening, perceptualIndex: PerceptualLookup }),
        LabelingModule.withRights({ imports: [SettlementModule], useExisting: FilingScreening }),
        DisputesModule.withSandbox({ imports: [SettlementModule], perceptualIndex: PerceptualLookup, rights: FilingScreening }),
        SettlementModule,
      ],
    };
  }
}
