// The verifier's rule-conformance audit on hand-built logs: settlements written out by hand pass, forged ones fail at their leaf.
import { computeEventHash, type EventEnvelope, type JsonObject } from '../../src/verifier/envelope.js';
import { ExportVerifier, verifyExport } from '../../src/verifier/export-verifier.js';
import { POLICY_V1 } from '../../src/verifier/sandbox-policy.js';
import { eventInstant } from '../../src/verifier/rights-events.js';
import { buildLog, labelsDeclaredData, ndjson, newSigner, workFiledData } from '../verifier/fixture.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteFilingStore } from '../../src/cli/sqlite-filing-store.js';
import type { FilingStore } from '../../src/verifier/rights-book.js';

const DAY = 86_400_000;
const T0 = Date.parse('2025-06-01T00:00:00.000Z');
const at = (days: number) => new Date(T0 + days * DAY).toISOString();
const signer = newSigner();

type Spec = { stream: string; type: string; data: JsonObject; recordedAt?: string };
const filed = (id: string, day: number): Spec => ({
  stream: `filing-${id}`,
  type: 'WorkFiled',
  data: workFiledData(id, at(day), { creator: 'alice' }),
});
const labelled = (id: string, day: number): Spec => ({
  stream: `filing-${id}`,
  type: 'LabelsDeclared',
  data: labelsDeclaredData(id, at(day)),
});
/** Complaint d1 (bob's, of authorship) against alice's filing f1, and what follows it: each event with all its data. */
const dispute = (type: string, data: JsonObject): Spec => ({ stream: 'dispute-d1', type, data: { disputeId: 'd1', ...data } });
const parties = { filingId: 'f1', complainant: 'bob' };
const complaintFiled = (day: number) =>
  dispute('ComplaintFiled', {
    ...parties,
    type: 'authorship',
    respondent: 'alice',
    claim: 'I made it',
    basisFilingId: null,
    evidence: [],
    policy: { version: 1, responseDays: 7, decisionSlaDays: 15, appealDays: 15 },
    filedAt: at(day),
  });
const disputeDecided = (outcome: 'upheld' | 'rejected', remedy: string | null, decidedAt: string, appealUntil: string) =>
  dispute('DisputeDecided', {
    ...parties,
    type: 'authorship',
    respondent: 'alice',
    outcome,
    remedy,
    reasoning: 'as found',
    decidedBy: 'rex',
    decidedAt,
    appealUntil,
    policyVersion: 1,
  });
const complaintWithdrawn = (day: number) => dispute('ComplaintWithdrawn', { ...parties, reason: null, withdrawnAt: at(day) });
const withdrawn = (id: string, day: number): Spec => ({
  stream: `filing-${id}`,
  type: 'FilingWithdrawn',
  data: { filingId: id, reason: null, withdrawnAt: at(day) },
});
const settled = (asOf: number, logSize: number, changes: JsonObject[], extra: JsonObject = {}): Spec => ({
  stream: 'settlements',
  type: 'RightsSettled',
  data: { asOf: at(asOf), logSize, policyVersion: 1, policyVersions: changes.length ? [1] : [], changes, trigger: 'admin', ...extra },
});

/**
 * The log of these events, each recorded at its own time (a settlement at its asOf) or, where that is earlier than the
 * event before it, at that event's: a server records an event just after the time it states, and never back in time.
 */
function build(specs: Spec[]): EventEnvelope[] {
  let last = at(0);
  return buildLog(
    specs.map((spec) => {
      const own = eventInstant({ type: spec.type, data: spec.data, leafIndex: 0 }) ?? last;
      last = spec.recordedAt ?? (own > last ? own : last);
      return { ...spec, recordedAt: last };
    }),
  );
}

// leaf 0..3: two filings; f2 withdrawn on day 2. leaf 4: the first settlement; leaf 5: the second, after f1's quiet period.
const withdrawal = {
  filingId: 'f2',
  from: 'provisional',
  to: 'withdrawn',
  holder: 'alice',
  rule: 'filing-withdrawn',
  cause: { event: 'FilingWithdrawn', leafIndex: 3 },
  since: at(2),
};
const confirmation = {
  filingId: 'f1',
  from: 'provisional',
  to: 'confirmed',
  holder: 'alice',
  rule: 'quiet-period-over',
  cause: { deadline: 'quietUntil', at: at(30) },
  since: at(30),
};
const honest: Spec[] = [
  filed('f1', 0),
  filed('f2', 0),
  labelled('f1', 1),
  withdrawn('f2', 2),
  settled(3, 4, [withdrawal]),
  settled(31, 5, [confirmation]),
];

function run(spec: Spec[] | EventEnvelope[], options: { resign?: boolean; audit?: boolean } = {}) {
  const log = 'hash' in spec[0] ? (spec as EventEnvelope[]) : build(spec as Spec[]);
  const checkpoint = signer.checkpoint(options.resign === false ? build(honest) : log);
  const verifier = new ExportVerifier({ auditSettlements: options.audit, filings: filings?.() });
  verifier.checkCheckpoint(checkpoint, signer.vkey);
  for (const line of ndjson(log)) if (!verifier.push(line)) break;
  return { result: verifier.finish(), audited: verifier.settlementsAudited };
}

/** The honest log with the data of settlement `leaf` replaced, its hash recomputed and the settlements chain re-linked. */
function forge(leaf: number, edit: (data: JsonObject) => void): EventEnvelope[] {
  const log = build(structuredClone(honest)); // buildLog keeps `data` by reference
  edit(log[leaf].data);
  let prev: string | null = null;
  for (const e of log.filter((x) => x.stream === 'settlements')) {
    if (prev !== null) e.prevHash = prev;
    e.hash = computeEventHash(e);
    prev = e.hash;
  }
  return log;
}

// The audit's filings in memory (the default), or in a SQLite file keeping a single one in memory (the CLI's store).
let filings: (() => FilingStore) | undefined;
const stores: Array<[string, ((dir: string) => FilingStore & { dispose(): void }) | undefined]> = [
  ['in memory', undefined],
  ['in a SQLite file', (dir) => new SqliteFilingStore(dir, 1)],
];

describe.each(stores)('settlement audit with the filings %s', (_, newStore) => {
  let dir: string;
  const opened: Array<{ dispose(): void }> = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'settlement-audit-'));
    filings =
      newStore &&
      (() => {
        const store = newStore(dir);
        opened.push(store);
        return store;
      });
  });
  afterEach(() => {
    for (const store of opened.splice(0)) store.dispose();
    rmSync(dir, { recursive: true, force: true });
    filings = undefined;
  });

  it('a valid export with settlements passes, every settlement audited', () => {
    expect(run(honest)).toEqual({ result: expect.objectContaining({ ok: true, treeSize: 6, checkpointsChecked: 1 }), audited: 2 });
    expect(verifyExport(ndjson(build(honest)), [signer.checkpoint(build(honest))], signer.vkey)).toMatchObject({ ok: true });
  });

  it('a forged `to`, hash and chain recomputed and the checkpoint re-signed, is reported at its leaf with the right that differs', () => {
    const forged = forge(5, (d) => {
      (d.changes as JsonObject[])[0].to = 'suspended';
    });
    expect(run(forged).result).toEqual({
      ok: false,
      leafIndex: 5,
      reason: `settlement as of ${at(31)}: right f1 is recorded as provisional → suspended (quiet-period-over, holder alice, since ${at(30)}), the rules give provisional → confirmed (quiet-period-over, holder alice, since ${at(30)})`,
      code: 'settlement',
      settlement: {
        rule: 'right',
        asOf: at(31),
        filingId: 'f1',
        recorded: { from: 'provisional', to: 'suspended', rule: 'quiet-period-over', holder: 'alice', since: at(30) },
        expected: { from: 'provisional', to: 'confirmed', rule: 'quiet-period-over', holder: 'alice', since: at(30) },
      },
    });
    // Against the honest checkpoint the audit still speaks first: the forged leaf comes before the root check.
    expect(run(forged, { resign: false }).result).toMatchObject({
      ok: false,
      leafIndex: 5,
      reason: expect.stringMatching(/right f1 is recorded as provisional → suspended/),
    });
    // Hashes and chains alone cannot tell.
    expect(run(forged, { audit: false }).result).toMatchObject({ ok: true });
  });

  it('a change left out, or one the rules do not give, is named', () => {
    expect(
      run(
        forge(4, (d) => {
          d.changes = [];
          d.policyVersions = [];
        }),
      ).result,
    ).toMatchObject({
      ok: false,
      leafIndex: 4,
      reason: expect.stringMatching(/right f2 is recorded as no change, the rules give provisional → withdrawn \(filing-withdrawn/),
      settlement: { rule: 'right', filingId: 'f2', recorded: null, expected: { to: 'withdrawn' } },
    });
    expect(
      run(
        forge(4, (d) => {
          (d.changes as JsonObject[]).push({ ...confirmation, since: at(3) });
        }),
      ).result,
    ).toMatchObject({
      ok: false,
      leafIndex: 4,
      reason: expect.stringMatching(/right f1 is recorded as provisional → confirmed .*, the rules give no change/),
    });
  });

  it('replays only the log prefix a settlement names, and each from the statuses settled before', () => {
    // f1 withdrawn at leaf 5, after a settlement computed over the first 5 events was started: it settles f1 as confirmed.
    const late = [
      filed('f1', 0),
      filed('f2', 0),
      labelled('f1', 1),
      withdrawn('f2', 2),
      settled(3, 4, [withdrawal]),
      withdrawn('f1', 31),
      settled(31, 5, [confirmation]),
      settled(32, 7, [
        {
          ...confirmation,
          from: 'confirmed',
          to: 'withdrawn',
          rule: 'filing-withdrawn',
          cause: { event: 'FilingWithdrawn', leafIndex: 5 },
          since: at(31),
        },
      ]),
    ];
    expect(run(late)).toEqual({ result: expect.objectContaining({ ok: true }), audited: 3 });
    const wrongFrom = late.map((s, i) =>
      i === 7
        ? settled(32, 7, [
            {
              ...confirmation,
              to: 'withdrawn',
              rule: 'filing-withdrawn',
              cause: { event: 'FilingWithdrawn', leafIndex: 5 },
              since: at(31),
            },
          ])
        : s,
    );
    expect(run(wrongFrom).result).toMatchObject({
      ok: false,
      leafIndex: 7,
      reason: expect.stringMatching(/recorded as provisional → withdrawn .* the rules give confirmed → withdrawn/),
    });
  });

  it('refuses a withdrawal while a complaint against the filing is open, or after a final transfer or revocation; allows it once the complaint is closed', () => {
    const complaint = complaintFiled(1);
    const open = [filed('f1', 0), complaint, withdrawn('f1', 2)];
    expect(run(open).result).toEqual({
      ok: false,
      leafIndex: 2,
      reason: 'filing f1 was withdrawn while complaint d1 against it was open',
      code: 'settlement',
      settlement: { rule: 'withdrawn-open', filingId: 'f1', disputeId: 'd1' },
    });

    const decided = disputeDecided('upheld', 'transfer', at(3), at(18));
    // Decided but still open to appeal: still open.
    expect(run([filed('f1', 0), complaint, decided, withdrawn('f1', 4)]).result).toMatchObject({
      ok: false,
      leafIndex: 3,
      reason: expect.stringMatching(/complaint d1 against it was open/),
    });
    // Final (nobody appealed within the window): the right was transferred, the creator cannot take it back.
    expect(run([filed('f1', 0), complaint, decided, withdrawn('f1', 20)]).result).toEqual({
      ok: false,
      leafIndex: 3,
      reason: 'filing f1 was withdrawn by its creator after complaint d1 transferred its right to bob',
      code: 'settlement',
      settlement: { rule: 'withdrawn-transferred', filingId: 'f1', disputeId: 'd1', complainant: 'bob' },
    });
    // A complaint withdrawn, or decided for the respondent and final: the filing may be withdrawn.
    expect(run([filed('f1', 0), complaint, complaintWithdrawn(2), withdrawn('f1', 3)]).result).toMatchObject({
      ok: true,
    });
    const rejected = disputeDecided('rejected', null, at(3), at(18));
    expect(run([filed('f1', 0), complaint, rejected, withdrawn('f1', 20)]).result).toMatchObject({ ok: true });
    // Final and revoked: withdrawn, the filing would release its content, and filing it again would undo the revocation.
    const revoked = disputeDecided('upheld', 'revoke', at(3), at(18));
    expect(run([filed('f1', 0), complaint, revoked, withdrawn('f1', 20)]).result).toEqual({
      ok: false,
      leafIndex: 3,
      reason: `filing f1 was withdrawn after a final decision revoked its right (dispute-upheld-revoke, since ${at(18)})`,
      code: 'settlement',
      settlement: { rule: 'withdrawn-revoked', filingId: 'f1', rightRule: 'dispute-upheld-revoke', since: at(18) },
    });
    // The revocation is not final while it may be appealed: the withdrawal is refused for the open complaint, not for it.
    expect(run([filed('f1', 0), complaint, revoked, withdrawn('f1', 4)]).result).toMatchObject({
      reason: 'filing f1 was withdrawn while complaint d1 against it was open',
    });
    // Hashes and chains alone cannot tell.
    expect(run(open, { audit: false }).result).toMatchObject({ ok: true });
  });

  it('refuses a decision whose appeal window is not the one the policy in force at the complaint gives', () => {
    const complaint = complaintFiled(1);
    const decided = (appealUntil: string) => disputeDecided('upheld', 'transfer', at(3), appealUntil);
    expect(run([filed('f1', 0), complaint, decided(at(18))]).result).toMatchObject({ ok: true });
    // A window of one day: the transfer final on day 4, before a party could appeal.
    expect(run([filed('f1', 0), complaint, decided(at(4))]).result).toEqual({
      ok: false,
      leafIndex: 2,
      reason:
        `the decision of complaint d1 at ${at(3)} may be appealed until ${at(4)}; the policy in force when the ` +
        `complaint was filed gives 15 days, until ${at(18)}`,
      code: 'settlement',
      settlement: { rule: 'appeal-window', disputeId: 'd1', decidedAt: at(3), appealUntil: at(4), appealDays: 15, expected: at(18) },
    });
  });

  it('refuses settlements out of time order, dated after their recording, covering more than precedes them, or off their stream', () => {
    const withSecond = (s: Spec) => [...honest.slice(0, 5), s];
    expect(run(withSecond(settled(2, 5, []))).result).toMatchObject({
      ok: false,
      leafIndex: 5,
      reason: expect.stringMatching(/earlier than the previous settlement's \(leaf 4\)/),
      settlement: { rule: 'order', asOf: at(2), previousLeaf: 4 },
    });
    expect(run(withSecond({ ...settled(400, 5, []), recordedAt: at(31) })).result).toMatchObject({
      ok: false,
      leafIndex: 5,
      reason: expect.stringMatching(/was recorded earlier/),
      settlement: { rule: 'recorded-before', asOf: at(400) },
    });
    expect(run(withSecond(settled(31, 6, [confirmation]))).result).toMatchObject({
      ok: false,
      leafIndex: 5,
      reason: expect.stringMatching(/claims to cover 6 events but is leaf 5/),
      settlement: { rule: 'coverage', logSize: 6, leaf: 5 },
    });
    // Off its stream, or without its fields, a settlement is no event of the catalogue: the audit never reads it.
    expect(run(withSecond({ ...settled(31, 5, [confirmation]), stream: 'filing-f1' })).result).toEqual({
      ok: false,
      leafIndex: 5,
      reason: 'RightsSettled is in stream filing-f1; the event catalogue puts it in stream settlements',
      code: 'catalogue',
      type: 'RightsSettled',
      problem: 'stream',
      stream: 'filing-f1',
      expected: 'settlements',
    });
    expect(run(withSecond(settled(31, 5, [confirmation], { policyVersion: 2 }))).result).toMatchObject({
      ok: false,
      leafIndex: 5,
      reason: expect.stringMatching(/policy version 2 recorded, version 1 was in force/),
      settlement: { rule: 'policy-version', recorded: 2, inForce: 1 },
    });
    expect(run(withSecond({ stream: 'settlements', type: 'RightsSettled', data: { asOf: at(31) } })).result).toMatchObject({
      ok: false,
      leafIndex: 5,
      reason: expect.stringMatching(/^RightsSettled's data member \/logSize is missing: /),
      code: 'catalogue',
      problem: 'data',
      path: '/logSize',
      issue: 'missing',
    });
  });
});

describe('the policy versions a log publishes', () => {
  const { version: _v, ruleset: _r, ...v1Parameters } = POLICY_V1;
  const policy = (version: number, ruleset: number | undefined): Spec => ({
    stream: 'policy',
    type: 'PolicyPublished',
    data: {
      version,
      effectiveFrom: at(version),
      publishedAt: at(0),
      parameters: { ...v1Parameters, ...(ruleset === undefined ? {} : { ruleset }) },
    },
  });

  it('fail at a version under rules newer than the verifier, naming the ruleset and the newest it knows; the rulesets it knows pass', () => {
    expect(run([filed('f1', 0), policy(2, 2), policy(3, undefined)]).result).toMatchObject({ ok: true });
    expect(run([filed('f1', 0), policy(2, 2), policy(3, 3)]).result).toEqual({
      ok: false,
      leafIndex: 2,
      reason:
        'policy version 3 settles its filings by ruleset 3, newer than the rules this verifier knows (up to 2): ' +
        'its settlements cannot be checked here; use a newer verifier',
      code: 'settlement',
      settlement: { rule: 'ruleset', version: 3, ruleset: 3, known: 2 },
    });
    // Only the policy stream publishes versions: one elsewhere is no event of the catalogue, whatever its ruleset.
    expect(run([filed('f1', 0), { ...policy(2, 3), stream: 'filing-f1' }]).result).toMatchObject({
      ok: false,
      leafIndex: 1,
      code: 'catalogue',
      problem: 'stream',
      expected: 'policy',
    });
  });

  it('fail at a version that takes effect at or before its publication: policy changes are never retroactive', () => {
    const published = (effectiveFrom: string): Spec => {
      const p = policy(2, 2);
      return { ...p, data: { ...p.data, effectiveFrom, publishedAt: at(1) } };
    };
    expect(run([filed('f1', 0), published(at(1))]).result).toEqual({
      ok: false,
      leafIndex: 1,
      reason: `policy version 2 takes effect at ${at(1)}, not after it was published at ${at(1)}: policy changes are never retroactive`,
      code: 'settlement',
      settlement: { rule: 'policy-retroactive', version: 2, effectiveFrom: at(1), publishedAt: at(1) },
    });
    expect(run([filed('f1', 0), published(new Date(Date.parse(at(1)) + 1).toISOString())]).result).toMatchObject({ ok: true });
  });
});
