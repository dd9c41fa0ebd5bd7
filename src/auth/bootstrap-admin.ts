// First start: make sure an admin exists.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import type { AppConfig } from '../config.js';
import { isStrongKey } from '../common/key-texts.js';
import { newApiKey } from './api-key.js';
import type { AuthService } from './auth.service.js';
import { RegisterPrincipal } from './identity.commands.js';

export const SYSTEM_ACTOR = 'system';

/** Writes the key file before the admin is registered, so a crash in between never loses the only admin key. */
function adminKeyFromFile(file: string): { key: string; fresh: boolean } {
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), fresh: false };
  const { key } = newApiKey();
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, key + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { key, fresh: true };
}

export async function ensureBootstrapAdmin(config: AppConfig, auth: AuthService, commands: CommandBus): Promise<void> {
  if (await auth.adminExists()) return;
  const logger = new Logger('bootstrap');
  const file = join(config.dataDir, 'admin.key');
  const { key, fresh } = config.bootstrapAdminKey !== undefined ? { key: config.bootstrapAdminKey, fresh: false } : adminKeyFromFile(file);
  if (!isStrongKey(key)) throw new Error('the bootstrap admin key must be at least 43 printable characters (256 bits)');
  const admin = await commands.execute(new RegisterPrincipal('bootstrap admin', ['admin'], SYSTEM_ACTOR, key));
  const source = config.bootstrapAdminKey !== undefined ? 'LEDGER_BOOTSTRAP_ADMIN_KEY' : `${file} (mode 0600)`;
  logger.log(`registered the bootstrap admin ${admin.principalId}; its key is in ${source}`);
  // Shown once, on an interactive terminal only, so the key never reaches collected logs.
  if (fresh && process.stdout.isTTY) process.stdout.write(`\nAdmin API key (shown once): ${key}\n\n`);
}
