import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { IdentityController } from './identity.controller.js';
import { IDENTITY_HANDLERS } from './identity.handlers.js';

@Module({
  imports: [CqrsModule],
  controllers: [IdentityController],
  providers: [AuthService, ...IDENTITY_HANDLERS, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
