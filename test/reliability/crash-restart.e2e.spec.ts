// The compiled server, SIGKILLed at random moments under concurrent load, again and again. After every restart: each write
// that got a 2xx is in the log and the read models, the export verifies against every checkpoint handed out before the
// kills, the log is consistent with the last of them, and the read models the server resumed equal a full rebuild.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import { nativeEd25519Verify, nativeSha256 } from '../../src/cli/native-crypto.js';
import { verifyCheckpoint } from '../../src/verifier/checkpoint.js';
import type { EventEnvelope } from '../../src/verifier/envelope.js';
import { ExportVerifier } from '../../src/verifier/export-verifier.js';
import { verifyConsistency } from '../../src/verifier/rfc6962.js';
import { labelsBody, registerPrincipal, type Who } from '../support/cast.js';
import { call } from '../support/http-client.js';
import { filingBody, strongKey, tempDir } from '../support/ledger-app.js';
import { dumpReadModels } from '../support/read-models.js';
import { runCli, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { scaled, SEED, seeded, sleep } from '../support/stress.js';

const KILLS = scaled(3, 20);
const CLIENTS = 8;
const native = { sha256: nativeSha256, verify: nativeEd25519Verify };

/** What the server acknowledged with a 2xx, and so must never lose. */
interface Acknowledged {
  filings: Map<string, string>; // filingId → contentHash
  withdrawn: Set<string>;
  labels: Map<string, { version: number; produceId: string }>; // the highest acknowledged declaration per filing
}

describe('crash and restart under load', () => {
  const dataDir = tempDir('ledger-crash-');
  const work = tempDir('ledger-crash-work-');
  const adminKey = strongKey();
  // The checkpoint watcher polls a public, rate-limited path: lift the limit, it is not under test here.
  const env = { LEDGER_DATA_DIR: dataDir, LEDGER_BOOTSTRAP_ADMIN_KEY: adminKey, LEDGER_PUBLIC_RATE_LIMIT: '1000000' };
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it(
    `keeps every acknowledged write through ${KILLS} SIGKILLs at random moments; export, checkpoints and read models all hold`,
    async () => {
      const rnd = seeded(SEED);
      const acked: Acknowledged = { filings: new Map(), withdrawn: new Set(), labels: new Map() };
      const handedOut: string[] = []; // every checkpoint a client received before a kill
      const pools: string[][] = Array.from({ length: CLIENTS }, () => []); // each client's filings still open to labels and withdrawal
      const rounds: string[] = [];
      let server = await startServerProcess(env);
      const creators: Who[] = [
        await registerPrincipal(server.url, adminKey, 'Alice', ['creator']),
        await registerPrincipal(server.url, adminKey, 'Bob', ['creator']),
      ];
      const vkey = (await call(server.url, 'GET', '/v1/ledger/key')).text.trim();
      let produced = 0;

      /** Eight clients file, label and withdraw, one fetches checkpoints, until the server is killed `after` ms into the round. */
      async function loadUntilKilled(s: ServerProcess, after: number): Promise<{ lastNote: string | null; acks: number }> {
        let killed = false;
        let lastNote: string | null = null;
        let acks = 0;
        const timer = setTimeout(() => {
          killed = true;
          s.child.kill('SIGKILL');
        }, after);
        const watcher = async () => {
          while (!killed) {
            try {
              const res = await call(s.url, 'GET', '/v1/ledger/checkpoint');
              if (res.status === 200) {
                handedOut.push(res.text);
                lastNote = res.text;
              }
            } catch {
              return;
            }
            await sleep(rnd.int(10, 100));
          }
        };
        const client = async (slot: number) => {
          const who = creators[slot % creators.length];
          const pool = pools[slot];
          while (!killed) {
            const dice = rnd.next();
            try {
              if (dice < 0.15 && pool.length > 0) {
                const id = pool.splice(rnd.int(0, pool.length - 1), 1)[0];
                const res = await call(s.url, 'POST', `/v1/filings/${id}/withdraw`, who.key, { reason: 'crash test' });
                if (res.status === 200) {
                  acked.withdrawn.add(id);
                  acks += 1;
                }
              } else if (dice < 0.4 && pool.length > 0) {
                const id = rnd.pick(pool);
                const produceId = `p${(produced += 1)}`;
                const res = await call(s.url, 'POST', `/v1/filings/${id}/labels`, who.key, labelsBody(produceId));
                if (res.status === 201) {
                  if ((acked.labels.get(id)?.version ?? 0) < res.json.version)
                    acked.labels.set(id, { version: res.json.version, produceId });
                  acks += 1;
                }
              } else {
                const body = filingBody();
                const res = await call(s.url, 'POST', '/v1/filings', who.key, body);
                if (res.status === 201) {
                  acked.filings.set(res.json.filingId, body.contentHash as string);
                  pool.push(res.json.filingId);
                  acks += 1;
                }
              }
            } catch {
              return; // the connection died with the server: this request's outcome is unknown, and so not counted
            }
          }
        };
        await Promise.all([watcher(), ...pools.map((_, slot) => client(slot))]);
        clearTimeout(timer);
        return { lastNote, acks };
      }

      async function allFilings(url: string): Promise<Map<string, any>> {
        const out = new Map<string, any>();
        for (let cursor: string | null = null, first = true; first || cursor; first = false) {
          const page = await call(url, 'GET', `/v1/filings?limit=100${cursor ? `&cursor=${cursor}` : ''}`, adminKey);
          expect(page.status).toBe(200);
          for (const f of page.json.items) out.set(f.filingId, f);
          cursor = page.json.nextCursor;
        }
        return out;
      }

      async function checkRecovered(s: ServerProcess, round: number, lastNote: string): Promise<{ logSize: number; signed: number }> {
        const health = await call(s.url, 'GET', '/health');
        expect(health.json).toMatchObject({ status: 'ok', projectedTo: health.json.logSize });

        // Checkpoints: every one handed out survives in the history, and the new head extends the last of them.
        const head = (await call(s.url, 'GET', '/v1/ledger/checkpoint')).text;
        const history: string[] = [];
        for (let cursor: string | null = null, first = true; first || cursor; first = false) {
          const page = await call(s.url, 'GET', `/v1/ledger/checkpoints?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
          history.push(...page.json.items.map((i: { note: string }) => i.note));
          cursor = page.json.nextCursor;
        }
        expect(handedOut.filter((n) => !history.includes(n))).toEqual([]);
        const older = verifyCheckpoint(lastNote, vkey, native);
        const newer = verifyCheckpoint(head, vkey, native);
        if (!older.ok || !newer.ok) throw new Error(`checkpoint does not verify: ${JSON.stringify([older, newer])}`);
        const proof = await call(
          s.url,
          'GET',
          `/v1/ledger/proof/consistency?from=${older.checkpoint.treeSize}&to=${newer.checkpoint.treeSize}`,
        );
        expect(proof.status).toBe(200);
        expect(
          verifyConsistency(
            older.checkpoint.treeSize,
            newer.checkpoint.treeSize,
            proof.json.hashes.map(hexToBytes),
            older.checkpoint.rootHash,
            newer.checkpoint.rootHash,
            nativeSha256,
          ),
        ).toBe(true);

        // The export, straight from the store by the CLI, verified against every checkpoint ever handed out or stored.
        const exportFile = join(work, `export-${round}.ndjson`);
        const exported = await runCli(['export', '--out', exportFile], { ...env, LOG_LEVEL: 'warn' });
        expect([exported.code, exported.stderr]).toEqual([0, '']);
        const lines = readFileSync(exportFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '');
        const verifier = new ExportVerifier(native);
        for (const note of new Set([...handedOut, ...history, head])) expect(verifier.checkCheckpoint(note, vkey)).toBe(true);
        for (const line of lines) if (!verifier.push(line)) break;
        const result = verifier.finish();
        expect(result).toMatchObject({ ok: true, treeSize: health.json.logSize, signedTreeSize: newer.checkpoint.treeSize });

        // Every acknowledged write is an event of the log, as it was acknowledged; no content is filed twice.
        const events = lines.map((l) => JSON.parse(l) as EventEnvelope);
        const filed = new Map(
          events.filter((e) => e.type === 'WorkFiled').map((e) => [e.data.filingId as string, e.data.contentHash as string]),
        );
        expect(new Set(filed.values()).size).toBe(filed.size);
        expect([...acked.filings].filter(([id, hash]) => filed.get(id) !== hash)).toEqual([]);
        const withdrawals = new Set(events.filter((e) => e.type === 'FilingWithdrawn').map((e) => e.data.filingId as string));
        expect([...acked.withdrawn].filter((id) => !withdrawals.has(id))).toEqual([]);
        const declared = new Set(
          events
            .filter((e) => e.type === 'LabelsDeclared')
            .map((e) => `${e.data.filingId} ${e.data.version} ${(e.data as any).implicit.AIGC.ProduceID}`),
        );
        expect([...acked.labels].filter(([id, l]) => !declared.has(`${id} ${l.version} ${l.produceId}`))).toEqual([]);

        // And the read models the restarted server resumed show them.
        const views = await allFilings(s.url);
        const wrong = [...acked.filings.keys()].filter(
          (id) =>
            !views.has(id) ||
            (acked.withdrawn.has(id) && views.get(id).status !== 'withdrawn') ||
            (views.get(id).labels.declared?.version ?? 0) < (acked.labels.get(id)?.version ?? 0),
        );
        expect(wrong).toEqual([]);
        return { logSize: health.json.logSize, signed: history.length };
      }

      for (let round = 1; round <= KILLS; round++) {
        const after = rnd.int(100, 1200);
        const { lastNote, acks } = await loadUntilKilled(server, after);
        await server.exited;
        server = await startServerProcess(env);
        const { logSize, signed } = await checkRecovered(server, round, lastNote ?? handedOut[handedOut.length - 1]);

        // Projections: what the restarted server caught up to must equal a replay of the whole log.
        server.child.kill('SIGTERM');
        await server.exited;
        const resumed = dumpReadModels(dataDir);
        const rebuild = await runCli(['projections', 'rebuild'], { ...env, LOG_LEVEL: 'warn' });
        expect([rebuild.code, rebuild.stderr]).toEqual([0, '']);
        expect(rebuild.stdout).toMatch(new RegExp(`rebuilt read models from ${logSize} events`));
        expect(dumpReadModels(dataDir)).toEqual(resumed);
        rounds.push(
          `  kill ${round} at ${after} ms: ${acks} writes acknowledged in the round; log ${logSize} events, ${signed} checkpoints`,
        );
        if (round < KILLS) server = await startServerProcess(env);
      }
      console.log(
        `crash (seed ${SEED}): ${KILLS} SIGKILLs survived; ${acked.filings.size} filings, ${acked.withdrawn.size} withdrawals and ` +
          `${acked.labels.size} label declarations acknowledged, none lost; ${handedOut.length} checkpoints handed out before kills, all kept and consistent\n${rounds.join('\n')}`,
      );
      expect(acked.filings.size).toBeGreaterThan(0);
    },
    scaled(150_000, 1_200_000),
  );
});
