import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthGuard } from './auth.guard.js';
import { LedgerRequestGuard } from '../ledger/write/ledger-request.guard.js';
import { AuthService } from './auth.service.js';
import { IdentityController, MeController } from './identity.controller.js';
import { IDENTITY_HANDLERS } from './identity.handlers.js';
import { ApiKeyView, PrincipalView } from './principal-view.entity.js';
import { PrincipalsProjection } from './principals.projection.js';

@Module({
  imports: [CqrsModule, TypeOrmModule.forFeature([PrincipalView, ApiKeyView])],
  controllers: [IdentityController, MeController],
  providers: [
    AuthService,
    PrincipalsProjection,
    ...IDENTITY_HANDLERS,
    // Global guards run in the order they are registered: the ledger's part of a request needs the principal AuthGuard finds.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: LedgerRequestGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
