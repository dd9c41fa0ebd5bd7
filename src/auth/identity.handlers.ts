import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { uuidv7 } from '../common/ids.js';
import { notFound } from '../common/domain-error.js';
import { ConcurrencyError } from '../ledger/event-store/event-store.port.js';
import { LedgerWriter } from '../ledger/write/ledger-writer.js';
import { newApiKey } from './api-key.js';
import { AuthService } from './auth.service.js';
import { IssueApiKey, RegisterPrincipal, RevokeApiKey } from './identity.commands.js';
import { identityDecider } from './identity.decider.js';
import { ADMIN_KEYS_STREAM, principalStream } from './identity.events.js';
import { ledgerNow } from '../ledger/ledger-clock.js';

/** The auth guard's keys are a read model: a key works, or stops working, once the write that changed it is answered. */
const KEYS_AT_ONCE = { waitForReadModels: true };
/** Times a revocation of a lasting admin key is decided again after losing the race for ADMIN_KEYS_STREAM to another's. */
const MARK_ATTEMPTS = 5;

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
        expiresAt: c.expiresAt,
        now: ledgerNow(),
      },
      { actor: c.actor },
      { ...KEYS_AT_ONCE, writes: c.writes },
    );
    const expiresAt = c.expiresAt?.toISOString() ?? null;
    return { principalId, name: c.name, roles: [...new Set(c.roles)], apiKey: { keyId: apiKey.keyId, key: apiKey.key, expiresAt } };
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
        now: ledgerNow(),
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
   * (its write waits for the read models). Two at once, each of one admin's last lasting key, both passed it. Across
   * instances sharing a store, the revocations of such keys are ordered by ADMIN_KEYS_STREAM (`revoke`).
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
    for (let attempt = 1; ; attempt++) {
      const key = await this.auth.key(c.keyId);
      // Another principal's key is "not found" to a non-admin: its existence is not theirs to learn.
      if (!key || (!c.anyKey && key.principalId !== c.actor)) throw notFound('key-not-found', `no key ${c.keyId}`);
      // The count of lasting admin keys is read from the read models once they include the last such revocation, made
      // by any instance: they are brought up to the log's head as it stands after the last mark was read, which covers
      // the whole commit of that mark (its revocation comes after it in the commit). A revocation that races another's
      // is refused by the store at the mark's revision, and decided again on the count that includes it.
      const mark = (await this.writer.store.readStream(ADMIN_KEYS_STREAM)).at(-1);
      const head = await this.writer.store.count();
      if (head > 0) await this.writer.readModelsReach(head - 1);
      const now = ledgerNow();
      const lasting = await this.auth.lastingAdminKeys();
      const marked = lasting.includes(c.keyId);
      const lastAdminKey = marked && lasting.length === 1;
      try {
        await this.writer.execute(
          principalStream(key.principalId),
          identityDecider,
          { type: 'RevokeApiKey', principalId: key.principalId, keyId: c.keyId, now, lastAdminKey },
          { actor: c.actor },
          {
            ...KEYS_AT_ONCE,
            writes: c.writes,
            extra: (events) =>
              marked && events.length > 0
                ? [
                    {
                      stream: ADMIN_KEYS_STREAM,
                      expectedRevision: mark ? mark.revision : 'no-stream',
                      events: [
                        {
                          type: 'LastingAdminKeyRevoked',
                          data: { principalId: key.principalId, keyId: c.keyId },
                          meta: { actor: c.actor },
                        },
                      ],
                    },
                  ]
                : [],
          },
        );
        return { keyId: c.keyId, revokedAt: now.toISOString() };
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || err.stream !== ADMIN_KEYS_STREAM || attempt >= MARK_ATTEMPTS) throw err;
      }
    }
  }
}

export const IDENTITY_HANDLERS = [RegisterPrincipalHandler, IssueApiKeyHandler, RevokeApiKeyHandler];
