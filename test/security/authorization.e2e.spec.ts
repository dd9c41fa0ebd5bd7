// Every endpoint × every kind of caller, from one table: who may act, and that a refused caller changes nothing.
// "Allowed" means not refused for who the caller is (401/403); it may still fail validation or a state check, never with a 5xx.
import { randomUUID } from 'node:crypto';
import { idempotencyToken } from '../../src/common/idempotency-context.js';
import { filingBody, startLedger, type LedgerApp } from '../support/ledger-app.js';
import {
  ACTORS,
  assembleCast,
  complaintBody,
  Fixtures,
  keyOf,
  labelsBody,
  openApiRoutes,
  routeName,
  type Actor,
  type Cast,
} from '../support/cast.js';
import { multipart, send, type RawRequest } from '../support/http-client.js';
import { verifyWholeLedger } from '../support/whole-ledger.js';

interface Context {
  f: Fixtures;
  cast: Cast;
  shared: { filingId: string; contentHash: string; disputeId: string };
}
type Request = Omit<RawRequest, 'method'> & { json?: unknown };
interface Row {
  /** `public`: anyone, without a key; otherwise the callers that may act. */
  allow: 'public' | readonly Actor[];
  /** The request this caller sends; writes get fresh resources in the state the action needs. */
  request: (c: Context, actor: Actor) => Promise<Request>;
}

const AUTHENTICATED: readonly Actor[] = ['creator', 'otherCreator', 'complainant', 'reviewer', 'assignedReviewer', 'auditor', 'admin'];
const CREATORS: readonly Actor[] = ['creator', 'otherCreator', 'complainant'];
const FILING_READERS: readonly Actor[] = ['creator', 'reviewer', 'assignedReviewer', 'auditor', 'admin'];
const DISPUTE_READERS: readonly Actor[] = ['creator', 'complainant', 'reviewer', 'assignedReviewer', 'auditor', 'admin'];

const get = (path: string) => async (): Promise<Request> => ({ path });
const idOf = (c: Context, actor: Actor) => (actor === 'none' || actor === 'admin' ? c.cast.assignedReviewer.id : c.cast[actor].id);

/** The one table: who may call each operation of the OpenAPI document. */
const TABLE: Record<string, Row> = {
  'GET /health': { allow: 'public', request: get('/health') },
  'GET /health/live': { allow: 'public', request: get('/health/live') },
  'GET /metrics': { allow: 'public', request: get('/metrics') },
  'GET /v1/public/content/{sha256}': { allow: 'public', request: async (c) => ({ path: `/v1/public/content/${c.shared.contentHash}` }) },
  'GET /v1/public/content/{sha256}/receipt': {
    allow: 'public',
    request: async (c) => ({ path: `/v1/public/content/${c.shared.contentHash}/receipt` }),
  },
  'GET /v1/ledger/checkpoint': { allow: 'public', request: get('/v1/ledger/checkpoint') },
  'GET /v1/ledger/checkpoints': { allow: 'public', request: get('/v1/ledger/checkpoints') },
  'GET /v1/ledger/key': { allow: 'public', request: get('/v1/ledger/key') },
  'GET /v1/ledger/keys': { allow: 'public', request: get('/v1/ledger/keys') },
  'GET /v1/ledger/proof/inclusion': { allow: 'public', request: get('/v1/ledger/proof/inclusion?leafIndex=0&treeSize=2') },
  'GET /v1/ledger/proof/consistency': { allow: 'public', request: get('/v1/ledger/proof/consistency?from=1&to=2') },
  'GET /v1/ledger/entries': { allow: ['auditor', 'admin'], request: get('/v1/ledger/entries?start=0&end=3') },
  'GET /v1/ledger/export': { allow: ['auditor', 'admin'], request: get('/v1/ledger/export') },

  'GET /v1/principals': { allow: ['auditor', 'admin'], request: get('/v1/principals') },
  'GET /v1/principals/{id}': { allow: ['auditor', 'admin'], request: async (c) => ({ path: `/v1/principals/${c.cast.creator.id}` }) },
  'POST /v1/principals': {
    allow: ['admin'],
    request: async () => ({ path: '/v1/principals', json: { name: 'Newcomer', roles: ['creator'] } }),
  },
  'POST /v1/principals/{id}/keys': {
    allow: ['admin'],
    request: async (c) => ({ path: `/v1/principals/${(await c.f.principal()).id}/keys` }),
  },
  'DELETE /v1/keys/{keyId}': { allow: ['admin'], request: async (c) => ({ path: `/v1/keys/${(await c.f.principal()).keyId}` }) },
  'GET /v1/me': { allow: AUTHENTICATED, request: get('/v1/me') },
  'POST /v1/me/keys': { allow: AUTHENTICATED, request: async () => ({ path: '/v1/me/keys', json: {} }) },
  // Each caller revokes a spare key of its own (those without a live key name someone else's).
  'DELETE /v1/me/keys/{keyId}': {
    allow: AUTHENTICATED,
    request: async (c, actor) => ({
      path: `/v1/me/keys/${actor === 'none' || actor === 'revoked' ? (await c.f.principal()).keyId : await c.f.spareKey(c.cast[actor])}`,
    }),
  },

  'POST /v1/filings': { allow: CREATORS, request: async () => ({ path: '/v1/filings', json: filingBody() }) },
  'GET /v1/filings': { allow: AUTHENTICATED, request: get('/v1/filings') },
  'GET /v1/filings/{id}': { allow: FILING_READERS, request: async (c) => ({ path: `/v1/filings/${c.shared.filingId}` }) },
  'GET /v1/filings/{id}/history': { allow: FILING_READERS, request: async (c) => ({ path: `/v1/filings/${c.shared.filingId}/history` }) },
  'GET /v1/filings/{id}/receipt': {
    allow: ['creator', 'auditor', 'admin'],
    request: async (c) => ({ path: `/v1/filings/${c.shared.filingId}/receipt` }),
  },
  'GET /v1/filings/{id}/evidence': {
    allow: ['creator', 'auditor', 'admin'],
    request: async (c) => ({ path: `/v1/filings/${c.shared.filingId}/evidence` }),
  },
  'POST /v1/filings/{id}/amend': {
    allow: ['creator'],
    request: async (c) => ({ path: `/v1/filings/${(await c.f.filing()).filingId}/amend`, json: { title: 'Corrected' } }),
  },
  'POST /v1/filings/{id}/withdraw': {
    allow: ['creator'],
    request: async (c) => ({ path: `/v1/filings/${(await c.f.filing()).filingId}/withdraw`, json: { reason: 'mistake' } }),
  },
  'POST /v1/filings/{id}/labels': {
    allow: ['creator'],
    request: async (c) => ({ path: `/v1/filings/${(await c.f.filing()).filingId}/labels`, json: labelsBody() }),
  },
  // The creator checks their own file; any reviewer may check any filing's.
  'POST /v1/filings/{id}/labels/verify': {
    allow: ['creator', 'reviewer', 'assignedReviewer'],
    request: async (c) => {
      const { filingId, bytes } = await c.f.filing();
      const form = multipart([{ name: 'file', filename: 'work.bin', type: 'application/octet-stream', data: bytes }]);
      return { path: `/v1/filings/${filingId}/labels/verify`, body: form.body, headers: { 'content-type': form.type } };
    },
  },

  // A filing by JSON has no computed perceptual hash: an allowed creator meets 409 no-computed-hash, others are refused first.
  'POST /v1/filings/{id}/copies': {
    allow: ['creator'],
    request: async (c) => {
      const { filingId, bytes } = await c.f.filing();
      const form = multipart([{ name: 'file', filename: 'copy.bin', type: 'application/octet-stream', data: bytes }]);
      return { path: `/v1/filings/${filingId}/copies`, body: form.body, headers: { 'content-type': form.type } };
    },
  },
  // Any creator or reviewer may have a file inspected; nothing is recorded.
  'POST /v1/inspect': {
    allow: [...CREATORS, 'reviewer', 'assignedReviewer'],
    request: async () => {
      const form = multipart([
        { name: 'file', filename: 'any.bin', type: 'application/octet-stream', data: Buffer.from('some bytes to inspect') },
      ]);
      return { path: '/v1/inspect', body: form.body, headers: { 'content-type': form.type } };
    },
  },
  'GET /v1/public/filings/{id}': { allow: 'public', request: async (c) => ({ path: `/v1/public/filings/${c.shared.filingId}` }) },

  'POST /v1/disputes': {
    allow: CREATORS,
    request: async (c) => ({ path: '/v1/disputes', json: complaintBody((await c.f.filing()).filingId) }),
  },
  'GET /v1/disputes': { allow: AUTHENTICATED, request: get('/v1/disputes') },
  'GET /v1/disputes/{id}': { allow: DISPUTE_READERS, request: async (c) => ({ path: `/v1/disputes/${c.shared.disputeId}` }) },
  'GET /v1/disputes/{id}/history': {
    allow: DISPUTE_READERS,
    request: async (c) => ({ path: `/v1/disputes/${c.shared.disputeId}/history` }),
  },
  // A reviewer takes a dispute for themself; an admin assigns a reviewer.
  'POST /v1/disputes/{id}/assign': {
    allow: ['reviewer', 'assignedReviewer', 'admin'],
    request: async (c, actor) => ({ path: `/v1/disputes/${await c.f.dispute('opened')}/assign`, json: { reviewerId: idOf(c, actor) } }),
  },
  'POST /v1/disputes/{id}/response': {
    allow: ['creator'],
    request: async (c) => ({ path: `/v1/disputes/${await c.f.dispute('assigned')}/response`, json: { statement: 'Mine.' } }),
  },
  'POST /v1/disputes/{id}/decision': {
    allow: ['assignedReviewer'],
    request: async (c) => ({
      path: `/v1/disputes/${await c.f.dispute('answered')}/decision`,
      json: { outcome: 'rejected', reasoning: 'Not shown.' },
    }),
  },
  'POST /v1/disputes/{id}/appeal': {
    allow: ['creator', 'complainant'],
    request: async (c) => ({ path: `/v1/disputes/${await c.f.dispute('decided')}/appeal`, json: { grounds: 'Unfair.' } }),
  },
  // The appeal goes to a reviewer other than the one who decided (the assigned reviewer).
  'POST /v1/disputes/{id}/appeal-decision': {
    allow: ['reviewer'],
    request: async (c) => ({
      path: `/v1/disputes/${await c.f.dispute('appealed')}/appeal-decision`,
      json: { ruling: 'affirm', reasoning: 'Sound.' },
    }),
  },
  'POST /v1/disputes/{id}/withdraw': {
    allow: ['complainant'],
    request: async (c) => ({ path: `/v1/disputes/${await c.f.dispute('opened')}/withdraw`, json: {} }),
  },

  'GET /v1/policy': { allow: 'public', request: get('/v1/policy') },
  'POST /v1/policy': {
    allow: ['admin'],
    request: async () => ({ path: '/v1/policy', json: { effectiveFrom: futureInstant(), parameters: { labelGraceDays: 8 } } }),
  },
  'GET /v1/rights': { allow: AUTHENTICATED, request: get('/v1/rights') },
  'GET /v1/rights/{filingId}': { allow: FILING_READERS, request: async (c) => ({ path: `/v1/rights/${c.shared.filingId}` }) },
  // Any reviewer may clear or confirm a flag (not on their own filing); the filing here has none raised, so an allowed call meets 409.
  'POST /v1/filings/{id}/similarity-clearance': {
    allow: ['reviewer', 'assignedReviewer'],
    request: async (c) => ({
      path: `/v1/filings/${(await c.f.filing()).filingId}/similarity-clearance`,
      json: { flag: 'similarityReview', decision: 'cleared', reasoning: 'Not alike.' },
    }),
  },
  'POST /v1/settlements': { allow: ['admin'], request: async () => ({ path: '/v1/settlements', json: {} }) },
  'GET /v1/settlements': { allow: ['auditor', 'admin'], request: get('/v1/settlements') },
  'GET /v1/stats': { allow: ['reviewer', 'assignedReviewer', 'auditor', 'admin'], request: get('/v1/stats') },
};

let policies = 0;
/** A distinct instant a year ahead for every policy version published. */
const futureInstant = () => new Date(Date.now() + 365 * 86_400_000 + (policies += 1) * 86_400_000).toISOString();

const isAllowed = (row: Row, actor: Actor) => row.allow === 'public' || row.allow.includes(actor);

describe('authorization matrix', () => {
  let ledger: LedgerApp;
  let context: Context;
  const tally = { cells: 0, allowed: 0, denied: 0, succeeded: 0, positioned: 0, positionedWithoutKey: 0 };
  /** Each caller's writes that succeeded, with an Idempotency-Key and without one. */
  const writesBy = new Map<Actor, { withKey: number; withoutKey: number }>();

  beforeAll(async () => {
    ledger = await startLedger({ publicRateLimit: 100_000 });
    const cast = await assembleCast(ledger.url, ledger.adminKey);
    const f = new Fixtures(ledger.url, cast);
    const filing = await f.filing();
    context = {
      f,
      cast,
      shared: { filingId: filing.filingId, contentHash: filing.contentHash, disputeId: await f.dispute('answered', filing.filingId) },
    };
  });
  afterAll(async () => {
    console.log(
      `authorization matrix: ${tally.cells} cells checked (${Object.keys(TABLE).length} endpoints × ${ACTORS.length} callers): ` +
        `${tally.denied} denied, ${tally.allowed} allowed (${tally.succeeded} of them 2xx; ${tally.positioned} writes answered with their position, ` +
        `${tally.positioned - tally.positionedWithoutKey} of them with an Idempotency-Key and tagged)`,
    );
    await ledger.close();
  });

  it('has a row for every operation in the OpenAPI document, and none for an operation that is gone', async () => {
    const documented = (await openApiRoutes(ledger.url)).map(routeName).sort();
    expect({ missing: documented.filter((r) => !(r in TABLE)), stale: Object.keys(TABLE).filter((r) => !documented.includes(r)) }).toEqual({
      missing: [],
      stale: [],
    });
  });

  it.each(Object.keys(TABLE))('%s', async (name) => {
    const row = TABLE[name];
    const method = name.split(' ')[0];
    const mismatches: string[] = [];
    for (const [a, actor] of ACTORS.entries()) {
      const req = await row.request(context, actor);
      const headers: Record<string, string> = { ...req.headers };
      const key = keyOf(context.cast, actor);
      if (key) headers.authorization = `Bearer ${key}`;
      // Half the writes name an Idempotency-Key (its token must then mark the command's events, checked below), half do
      // not, alternating by endpoint and caller: each caller is checked both ways across the table.
      const withKey = (Object.keys(TABLE).indexOf(name) + a) % 2 === 0;
      if (method !== 'GET' && withKey && !headers['idempotency-key']) headers['idempotency-key'] = `matrix-${randomUUID()}`;
      if (req.json !== undefined) headers['content-type'] = 'application/json';
      const before = await ledger.store.count();
      const res = await send(ledger.url, {
        method,
        path: req.path,
        headers,
        body: req.json !== undefined ? JSON.stringify(req.json) : req.body,
      });
      const after = await ledger.store.count();
      tally.cells += 1;
      const cell = `${actor}: ${res.status} ${res.json?.type ?? ''}`;
      if (res.status >= 500) mismatches.push(`${cell} (server error)`);
      else if (isAllowed(row, actor)) {
        tally.allowed += 1;
        if (res.status >= 200 && res.status < 300) tally.succeeded += 1;
        if (method !== 'GET' && res.status >= 200 && res.status < 300 && after > before && actor !== 'none' && actor !== 'revoked') {
          // A write answers the log size its commit reached (Ledger-Position), and its events carry its key's token.
          tally.positioned += 1;
          const position = Number(res.headers['ledger-position']);
          if (!(position > before && position <= after))
            mismatches.push(`${cell} (Ledger-Position ${res.headers['ledger-position']}, log ${before} → ${after})`);
          const tokens = (await ledger.store.readAll(before)).map((e) => e.meta.idempotency).filter((t) => t !== undefined);
          const writes = writesBy.get(actor) ?? { withKey: 0, withoutKey: 0 };
          writesBy.set(actor, writes);
          if (headers['idempotency-key'] === undefined) {
            writes.withoutKey += 1;
            tally.positionedWithoutKey += 1;
            if (tokens.length > 0) mismatches.push(`${cell} (no Idempotency-Key, yet events tagged ${JSON.stringify(tokens)})`);
          } else {
            writes.withKey += 1;
            const token = idempotencyToken(context.cast[actor].id, headers['idempotency-key']);
            if (!tokens.includes(token) || tokens.some((t) => t !== token))
              mismatches.push(`${cell} (events tagged ${JSON.stringify(tokens)})`);
          }
        }
        if (res.status === 401 || res.status === 403) mismatches.push(`${cell} (expected allowed)`);
      } else {
        tally.denied += 1;
        const expected = actor === 'none' || actor === 'revoked' ? 401 : 403;
        if (res.status !== expected) mismatches.push(`${cell} (expected ${expected})`);
        else if (!/^application\/problem\+json/.test(String(res.headers['content-type'])))
          mismatches.push(`${cell} (refusal is not problem+json)`);
        if (after !== before) mismatches.push(`${cell} (refused, yet ${after - before} events were appended)`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('leaves a ledger that verifies whole: each time the rules read stated by its command within its commit, each settlement as the rules give', async () => {
    const { result, events } = await verifyWholeLedger(ledger);
    expect(result).toMatchObject({ ok: true, treeSize: events.length });
    // Kinds of event whose own time the rules read, each written here by its command.
    expect([...new Set(events.map((e) => e.type))]).toEqual(
      expect.arrayContaining([
        'WorkFiled',
        'LabelsDeclared',
        'FilingWithdrawn',
        'ComplaintFiled',
        'ComplaintWithdrawn',
        'DisputeDecided',
        'AppealFiled',
        'AppealDecided',
      ]),
    );
  });

  it('checked writes that succeeded both with an Idempotency-Key and without one, for every caller with more than one', () => {
    expect(tally.positionedWithoutKey).toBeGreaterThan(5);
    expect(tally.positioned - tally.positionedWithoutKey).toBeGreaterThan(5);
    const oneWayOnly = [...writesBy].filter(([, w]) => w.withKey + w.withoutKey > 1 && (w.withKey === 0 || w.withoutKey === 0));
    expect(oneWayOnly).toEqual([]);
    expect(writesBy.size).toBeGreaterThanOrEqual(5);
  });
});
