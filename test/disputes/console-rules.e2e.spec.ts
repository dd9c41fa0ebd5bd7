// The disputes page offers a form only when the ledger would take it: for every state a dispute reaches, every kind of
// caller and every write a dispute has, what the console's rules (web/src/pages/reviewer/rules.ts) predict from the
// dispute as the API reads it is compared with what the server does with the write, each on a dispute of its own.
import { assembleCast, complaintBody, Fixtures, sha256Hex, type Cast, type Who } from '../support/cast.js';
import { call } from '../support/http-client.js';
import { startLedger, type LedgerApp } from '../support/ledger-app.js';
import { partyActions, reviewerActions, type Dispute } from '../../web/src/pages/reviewer/rules.js';

let ledger: LedgerApp;
let cast: Cast;
let fixtures: Fixtures;

beforeAll(async () => {
  ledger = await startLedger({ publicRateLimit: 100_000 });
  cast = await assembleCast(ledger.url, ledger.adminKey);
  fixtures = new Fixtures(ledger.url, cast);
});
afterAll(async () => {
  await ledger?.close();
});

const STATES = ['opened', 'assigned', 'answered', 'decided', 'appealed', 'final', 'withdrawn', 'returned'] as const;
type State = (typeof STATES)[number];

async function post(path: string, who: Who, body: unknown) {
  const res = await call(ledger.url, 'POST', path, who.key, body);
  if (res.status >= 300) throw new Error(`${path}: HTTP ${res.status} ${res.text}`);
}

/** A fresh dispute of the complainant against a filing of the creator, in `state`. */
async function disputeIn(state: State): Promise<string> {
  const { complainant, reviewer } = cast;
  switch (state) {
    case 'final': {
      const id = await fixtures.dispute('appealed');
      await post(`/v1/disputes/${id}/appeal-decision`, reviewer, { ruling: 'affirm', reasoning: 'Affirmed.' });
      return id;
    }
    case 'withdrawn': {
      const id = await fixtures.dispute('assigned');
      await post(`/v1/disputes/${id}/withdraw`, complainant, {});
      return id;
    }
    case 'returned': {
      const { filingId } = await fixtures.filing();
      const evidence = [{ sha256: sha256Hex('a render'), description: 'A render', declaredAiGenerated: true }];
      const res = await call(ledger.url, 'POST', '/v1/disputes', complainant.key, { ...complaintBody(filingId), evidence });
      expect(res.json.status).toBe('returned');
      return res.json.disputeId as string;
    }
    default:
      return fixtures.dispute(state);
  }
}

const ROLES: Record<string, string[]> = {
  creator: ['creator'],
  otherCreator: ['creator'],
  complainant: ['creator'],
  reviewer: ['reviewer'],
  assignedReviewer: ['reviewer'],
  auditor: ['auditor'],
  admin: ['admin'],
};

type Action = 'respond' | 'appeal' | 'withdraw' | 'assign' | 'decide' | 'decideAppeal';
const ACTIONS: Action[] = ['respond', 'appeal', 'withdraw', 'assign', 'decide', 'decideAppeal'];

/** The write each form sends, as the console sends it (an admin's assign names a reviewer, a reviewer's names none). */
function write(action: Action, actor: string): [string, unknown] {
  switch (action) {
    case 'respond':
      return ['response', { statement: 'It is mine.' }];
    case 'appeal':
      return ['appeal', { grounds: 'Look again.' }];
    case 'withdraw':
      return ['withdraw', {}];
    case 'assign':
      return ['assign', actor === 'admin' ? { reviewerId: cast.reviewer.id } : {}];
    case 'decide':
      return ['decision', { outcome: 'rejected', reasoning: 'No copying shown.' }];
    case 'decideAppeal':
      return ['appeal-decision', { ruling: 'affirm', reasoning: 'Affirmed.' }];
  }
}

it.each(STATES)(
  'a dispute %s: the console offers exactly the writes the ledger takes, to each caller',
  async (state) => {
    const cases = Object.keys(ROLES).flatMap((actor) => ACTIONS.map((action) => ({ actor, action })));
    const outcomes = await Promise.all(
      cases.map(async ({ actor, action }) => {
        const id = await disputeIn(state);
        const read = await call(ledger.url, 'GET', `/v1/disputes/${id}`, cast.admin.key);
        const dispute = read.json as Dispute;
        const who = cast[actor as keyof Cast];
        const me = { principalId: who.id, roles: ROLES[actor] };
        const now = new Date();
        const offered = { ...partyActions(dispute, who.id, now), ...reviewerActions(dispute, me, now) }[action];
        const [path, body] = write(action, actor);
        const res = await call(ledger.url, 'POST', `/v1/disputes/${id}/${path}`, who.key, body);
        const taken = res.status < 300;
        return { actor, action, offered, taken, answer: taken ? res.status : `${res.status} ${String(res.json?.type).split(':').pop()}` };
      }),
    );
    const disagreements = outcomes.filter((o) => o.offered !== o.taken);
    expect(disagreements).toEqual([]);
    // Some write is taken in every state a dispute can still change in, so the comparison is not vacuous.
    expect(outcomes.some((o) => o.taken)).toBe(!['final', 'withdrawn', 'returned'].includes(state));
  },
  120_000,
);
