import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { uuidv7 } from '../common/ids.js';
import { notFound } from '../common/domain-error.js';
import { LedgerWriter } from '../ledger/write/ledger-writer.js';
import { newApiKey } from './api-key.js';
import { AuthService } from './auth.service.js';
import { IssueApiKey, RegisterPrincipal, RevokeApiKey } from './identity.commands.js';
import { identityDecider } from './identity.decider.js';
import { principalStream } from './identity.events.js';

/** The auth guard's keys are a read model: a key works, or stops working, once the write that changed it is answered. */
const KEYS_AT_ONCE = { waitForReadModels: true };

@CommandHandler(RegisterPrincipal)
export class RegisterPrincipalHandler implements ICommandHandler<RegisterPrincipal> {
  constructor(private readonly writer: LedgerWriter) {}

  async execute(c: RegisterPrincipal) {
    const principalId = uuidv7();
    const apiKey = newApiKey(c.key);
    await this.writer.execute(
      principalStream(principalId),
      identityDecider,
      {
        type: 'RegisterPrincipal',
        principalId,
        name: c.name,
        roles: c.roles,
        keyId: apiKey.keyId,
        keyHash: apiKey.keyHash,
        now: new Date(),
      },
      { actor: c.actor },
      { ...KEYS_AT_ONCE, writes: c.writes },
    );
    return { principalId, name: c.name, roles: [...new Set(c.roles)], apiKey: { keyId: apiKey.keyId, key: apiKey.key, expiresAt: null } };
  }
}

@CommandHandler(IssueApiKey)
export class IssueApiKeyHandler implements ICommandHandler<IssueApiKey> {
  constructor(private readonly writer: LedgerWriter) {}

  async execute(c: IssueApiKey) {
    const apiKey = newApiKey();
    await this.writer.execute(
      principalStream(c.principalId),
      identityDecider,
      {
        type: 'IssueApiKey',
        principalId: c.principalId,
        keyId: apiKey.keyId,
        keyHash: apiKey.keyHash,
        expiresAt: c.expiresAt,
        now: new Date(),
      },
      { actor: c.actor },
      { ...KEYS_AT_ONCE, writes: c.writes },
    );
    return { keyId: apiKey.keyId, key: apiKey.key, expiresAt: c.expiresAt?.toISOString() ?? null };
  }
}

@CommandHandler(RevokeApiKey)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKey> {
  /**
   * Revocations run one at a time in this process: the check for the last admin key reads the keys the one before left
   * (its write waits for the read models). Two at once, each of one admin's last lasting key, both passed it. Instances
   * sharing a store each run their own: a revocation sent to each at the same moment is not ordered between them.
   */
  private previous: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly writer: LedgerWriter,
    private readonly auth: AuthService,
  ) {}

  execute(c: RevokeApiKey) {
    const run = this.previous.then(() => this.revoke(c));
    this.previous = run.catch(() => undefined);
    return run;
  }

  private async revoke(c: RevokeApiKey) {
    const key = await this.auth.key(c.keyId);
    // Another principal's key is "not found" to a non-admin: its existence is not theirs to learn.
    if (!key || (!c.anyKey && key.principalId !== c.actor)) throw notFound('key-not-found', `no key ${c.keyId}`);
    const now = new Date();
    const lasting = await this.auth.lastingAdminKeys();
    const lastAdminKey = lasting.length === 1 && lasting[0] === c.keyId;
    await this.writer.execute(
      principalStream(key.principalId),
      identityDecider,
      { type: 'RevokeApiKey', principalId: key.principalId, keyId: c.keyId, now, lastAdminKey },
      { actor: c.actor },
      { ...KEYS_AT_ONCE, writes: c.writes },
    );
    return { keyId: c.keyId, revokedAt: now.toISOString() };
  }
}

export const IDENTITY_HANDLERS = [RegisterPrincipalHandler, IssueApiKeyHandler, RevokeApiKeyHandler];
