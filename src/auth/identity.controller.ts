import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { IdPipe } from '../common/validation.js';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../common/api-docs.js';
import { IssuedKeyDto, MeDto, PrincipalDto, PrincipalPageDto, RegisteredPrincipalDto, RevokedKeyDto } from './identity-responses.dto.js';
import { CurrentPrincipal, Roles, type Principal } from '../common/access.js';
import { invalid, notFound } from '../common/domain-error.js';
import { SecretResponse } from '../ledger/write/idempotency.js';
import { AuthService } from './auth.service.js';
import { IssueApiKey, RegisterPrincipal, RevokeApiKey } from './identity.commands.js';
import { CreatePrincipalDto, IssueKeyDto, ListPrincipalsQuery } from './identity.dto.js';
import { CurrentWrites, type RequestWrites } from '../ledger/write/request-writes.js';

const expiry = (body: IssueKeyDto | undefined) => (body?.expiresAt ? new Date(body.expiresAt) : null);

/**
 * The expiry of a key issued by `caller`'s key: a key that expires cannot issue one that outlives it, for the caller or
 * for anyone (an admin's first key for a principal it registers included), so the new key expires with it at the
 * latest; asked later, `400 expiry-beyond-key`. Else what was asked, or never. The caller's expiry is the one its key was
 * authenticated with (AuthGuard), not read again.
 */
function issuedExpiry(caller: Principal, asked: Date | null): Date | null {
  const limit = caller.keyExpiresAt;
  if (limit && asked && asked.getTime() > Date.parse(limit)) {
    throw invalid('expiry-beyond-key', `the key in use expires at ${limit}; a key it issues cannot expire later`, {
      errors: [{ field: 'expiresAt', message: `expiresAt must not be later than ${limit}` }],
    });
  }
  return asked ?? (limit ? new Date(limit) : null);
}

@ApiTags('identity')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1')
export class IdentityController {
  constructor(
    private readonly commands: CommandBus,
    private readonly auth: AuthService,
  ) {}

  /** Who may act on the ledger, and with which roles: for the admin who grants them and the auditor who checks them. */
  @ApiRoute({ summary: 'List principals', answer: PrincipalPageDto })
  @Get('principals')
  @Roles('admin', 'auditor')
  listPrincipals(@Query() q: ListPrincipalsQuery) {
    return this.auth.principals(q);
  }

  /** A principal and every key issued to it (ids and times, never a key or its hash). */
  @ApiRoute({ summary: 'Read a principal and its keys', answer: PrincipalDto, problems: ['principal-not-found'] })
  @Get('principals/:id')
  @Roles('admin', 'auditor')
  async principal(@Param('id', new IdPipe()) id: string) {
    const principal = await this.auth.principalWithKeys(id);
    if (!principal) throw notFound('principal-not-found', `no principal ${id}`);
    return principal;
  }

  /** Registers a principal and issues its first API key (shown once), which expires with the caller's key if that one expires. */
  @ApiRoute({
    summary: 'Register a principal and issue its first key',
    answer: RegisteredPrincipalDto,
    problems: ['invalid-roles', 'principal-exists'],
  })
  @Post('principals')
  @SecretResponse('apiKey.key')
  create(@Body() body: CreatePrincipalDto, @CurrentPrincipal() actor: Principal, @CurrentWrites() writes: RequestWrites) {
    const expiresAt = issuedExpiry(actor, null);
    return this.commands.execute(new RegisterPrincipal(body.name, body.roles, actor.principalId, undefined, expiresAt).forRequest(writes));
  }

  /** Issues another key for a principal (shown once), expiring with the caller's key at the latest. */
  @ApiRoute({
    summary: 'Issue another key for a principal',
    answer: IssuedKeyDto,
    problems: ['principal-not-found', 'expiry-beyond-key', 'expiry-not-in-future'],
  })
  @Post('principals/:id/keys')
  @SecretResponse('key')
  issueKey(
    @Param('id', new IdPipe()) id: string,
    @Body() body: IssueKeyDto,
    @CurrentPrincipal() actor: Principal,
    @CurrentWrites() writes: RequestWrites,
  ) {
    const expiresAt = issuedExpiry(actor, expiry(body));
    return this.commands.execute(new IssueApiKey(id, actor.principalId, expiresAt).forRequest(writes));
  }

  @ApiRoute({ summary: 'Revoke any key', answer: RevokedKeyDto, problems: ['key-not-found', 'key-revoked', 'last-admin-key'] })
  @Delete('keys/:keyId')
  @HttpCode(200)
  revokeKey(@Param('keyId', new IdPipe()) keyId: string, @CurrentPrincipal() actor: Principal, @CurrentWrites() writes: RequestWrites) {
    return this.commands.execute(new RevokeApiKey(keyId, actor.principalId, true).forRequest(writes));
  }
}

/** The caller's own identity and keys: any principal, whatever its roles. */
@ApiTags('identity')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(
    private readonly commands: CommandBus,
    private readonly auth: AuthService,
  ) {}

  /** Who the key belongs to: id, name, roles, and the principal's keys (which one this request used). */
  @ApiRoute({ summary: 'Who the key belongs to', answer: MeDto, problems: ['principal-not-found'] })
  @Get()
  async me(@CurrentPrincipal() p: Principal) {
    const principal = await this.auth.principalWithKeys(p.principalId);
    if (!principal) throw notFound('principal-not-found', `no principal ${p.principalId}`);
    return { ...principal, keys: principal.keys.map((k) => ({ ...k, current: k.keyId === p.keyId })) };
  }

  /**
   * Issues another key for the caller (shown once), e.g. to rotate: issue, switch, then revoke the old one. A key that
   * expires cannot mint one that outlives it: the new key expires with it at the latest.
   */
  @ApiRoute({
    summary: 'Issue another key for the caller',
    answer: IssuedKeyDto,
    problems: ['expiry-beyond-key', 'expiry-not-in-future', 'principal-not-found'],
  })
  @Post('keys')
  @SecretResponse('key')
  issueKey(@Body() body: IssueKeyDto, @CurrentPrincipal() p: Principal, @CurrentWrites() writes: RequestWrites) {
    const expiresAt = issuedExpiry(p, expiry(body));
    return this.commands.execute(new IssueApiKey(p.principalId, p.principalId, expiresAt).forRequest(writes));
  }

  /**
   * Revokes one of the caller's own keys; another principal's is not found, whatever the caller's roles: the admin
   * revokes anyone's with DELETE /v1/keys/:keyId, the route that says so.
   */
  @ApiRoute({
    summary: "Revoke one of the caller's keys",
    answer: RevokedKeyDto,
    problems: ['key-not-found', 'key-revoked', 'last-admin-key'],
  })
  @Delete('keys/:keyId')
  @HttpCode(200)
  revokeKey(@Param('keyId', new IdPipe()) keyId: string, @CurrentPrincipal() p: Principal, @CurrentWrites() writes: RequestWrites) {
    return this.commands.execute(new RevokeApiKey(keyId, p.principalId, false).forRequest(writes));
  }
}
