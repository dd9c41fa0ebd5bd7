import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthGuard } from './auth.guard.js';
import { NoBodyGuard } from '../common/no-body.js';
import { QueryParametersGuard } from '../common/query-parameters.js';
import { MIN_POSITION_QUERY } from '../ledger/read-models/read-your-writes.js';
import { LedgerRequestGuard } from '../ledger/write/ledger-request.guard.js';
import { AuthService } from './auth.service.js';
import { FailedAuthentications } from './failed-authentications.js';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { IdentityController, MeController } from './identity.controller.js';
import { IDENTITY_HANDLERS } from './identity.handlers.js';
import { ApiKeyView, PrincipalView } from './principal-view.entity.js';
import { PrincipalsProjection } from './principals.projection.js';

@Module({
  imports: [CqrsModule, TypeOrmModule.forFeature([PrincipalView, ApiKeyView])],
  controllers: [IdentityController, MeController],
  providers: [
    AuthService,
    // One count per process of the requests without a valid key, shared by the guard and the hook that refuses a write
    // with no possible key before its body is read (app.factory.ts).
    {
      provide: FailedAuthentications,
      useFactory: (config: AppConfig) => new FailedAuthentications(config.publicRateLimit),
      inject: [APP_CONFIG],
    },
    PrincipalsProjection,
    ...IDENTITY_HANDLERS,
    // Global guards run in the order they are registered: the ledger's part of a request needs the principal AuthGuard finds.
    { provide: APP_GUARD, useClass: AuthGuard },
    // A query parameter the route does not take is refused before the request waits for the read models or claims its
    // Idempotency-Key; minPosition is taken on every route (LedgerRequestGuard reads it).
    { provide: APP_GUARD, useValue: new QueryParametersGuard(new Set([MIN_POSITION_QUERY])) },
    // Likewise a body field on a route that takes no body (DELETE /v1/keys/:keyId).
    { provide: APP_GUARD, useClass: NoBodyGuard },
    { provide: APP_GUARD, useClass: LedgerRequestGuard },
  ],
  exports: [AuthService, FailedAuthentications],
})
export class AuthModule {}
