// The compiled server (dist/main.js, with the console built into web/dist) as a child process on a free port, with a
// fresh data directory and a known admin key: what the browser suites drive.
import { existsSync, rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { ROOT } from '../../src/bench/processes.js';
import { strongKey, tempDir } from './ledger-app.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export interface ConsoleServer {
  url: string;
  adminKey: string;
  server: ServerProcess;
  close: () => Promise<void>;
}

export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  for (const built of [join(ROOT, 'dist', 'main.js'), join(ROOT, 'web', 'dist', 'index.html')])
    if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
  const dataDir = tempDir('ledger-web-');
  const adminKey = strongKey();
  const server = await startServerProcess(
    { LEDGER_DATA_DIR: dataDir, LEDGER_BOOTSTRAP_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn', ...env },
    90_000,
  );
  return {
    url: server.url,
    adminKey,
    server,
    close: async () => {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The compiled server and the browser, started at once. Whichever starts is closed by `close` even when the other
 * failed (the failure is thrown after both settled).
 */
export async function startServerAndBrowser(
  launch: () => Promise<Browser>,
  env: Record<string, string> = {},
): Promise<{ server: ConsoleServer; browser: Browser; close: () => Promise<void> }> {
  const [started, launched] = await Promise.allSettled([startConsoleServer(env), launch()]);
  const server = started.status === 'fulfilled' ? started.value : undefined;
  const browser = launched.status === 'fulfilled' ? launched.value : undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
  };
  for (const r of [started, launched])
    if (r.status === 'rejected') {
      await close();
      throw r.reason;
    }
  return { server: server!, browser: browser!, close };
}
