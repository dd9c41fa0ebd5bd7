import { Body, Controller, Delete, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { CurrentPrincipal, Roles, type Principal } from '../common/access.js';
import { IssueApiKey, RegisterPrincipal, RevokeApiKey } from './identity.commands.js';
import { ROLES, type Role } from './identity.events.js';

export class CreatePrincipalDto {
  /** Display name of the person or organisation. */
  @IsString() @Length(1, 200) @Matches(/^[^\u0000-\u001f\u007f]+$/u, { message: 'name must not contain control characters' })
  name: string;

  @IsArray() @ArrayNotEmpty() @ArrayUnique() @ArrayMaxSize(4) @IsIn(ROLES, { each: true })
  roles: Role[];
}

@ApiTags('identity')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1')
export class IdentityController {
  constructor(private readonly commands: CommandBus) {}

  /** Registers a principal and issues its first API key (shown once). */
  @Post('principals')
  create(@Body() body: CreatePrincipalDto, @CurrentPrincipal() actor: Principal) {
    return this.commands.execute(new RegisterPrincipal(body.name, body.roles, actor.principalId));
  }

  /** Issues another key for a principal (shown once). */
  @Post('principals/:id/keys')
  issueKey(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() actor: Principal) {
    return this.commands.execute(new IssueApiKey(id, actor.principalId));
  }

  @Delete('keys/:keyId')
  @HttpCode(200)
  revokeKey(@Param('keyId', new ParseUUIDPipe()) keyId: string, @CurrentPrincipal() actor: Principal) {
    return this.commands.execute(new RevokeApiKey(keyId, actor.principalId));
  }
}
