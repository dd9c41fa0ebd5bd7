// A Merkle log over real SQLite stores in a temporary directory, holding `leaves` events, for a describe block: opened
// when the block is defined, started before its tests, closed and removed after them.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import { nativeSha256 } from '../../src/ledger/native-sha256.js';
import { MerkleLog } from '../../src/ledger/log/merkle-log.js';
import { SqliteMerkleTreeStore } from '../../src/ledger/log/merkle-tree.store.js';
import { loadSigningKey } from '../../src/ledger/log/signing-key.js';
import { tempDir } from './ledger-app.js';

export function merkleLogFixture(prefix: string, leaves: number) {
  const dir = tempDir(prefix);
  const store = SqliteEventStore.open(join(dir, 'events.sqlite'));
  const tree = SqliteMerkleTreeStore.open(join(dir, 'merkle.sqlite'));
  const log = new MerkleLog(store, tree, loadSigningKey(dir), 'example.test/log', nativeSha256);
  beforeAll(async () => {
    const events = Array.from({ length: leaves }, (_, i) => ({ type: 'T', data: { i }, meta: {} }));
    await store.appendToStream('s', events, 'no-stream');
    await log.start(0);
  });
  afterAll(async () => {
    await log.stop();
    await tree.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, tree, log };
}
