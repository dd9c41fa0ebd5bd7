// The people of the security suites and the resources they act on, built through the HTTP API of a running ledger.
import { createHash, randomBytes } from 'node:crypto';
import { filingBody } from './ledger-app.js';
import { call, type Reply } from './http-client.js';

export interface Who {
  id: string;
  key: string;
  keyId: string;
}

/**
 * Who calls: nobody, a revoked key (of a principal holding every role), the creator who owns the filing (and is the
 * respondent of disputes about it), a creator with no part in it, the complainant of the disputes, a reviewer, the
 * reviewer assigned to the disputes (and who decided them), an auditor, the admin.
 */
export const ACTORS = [
  'none',
  'revoked',
  'creator',
  'otherCreator',
  'complainant',
  'reviewer',
  'assignedReviewer',
  'auditor',
  'admin',
] as const;
export type Actor = (typeof ACTORS)[number];
export type Cast = Record<Exclude<Actor, 'none'>, Who>;

export const sha256Hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function expectStatus(what: string, res: Reply, ...statuses: number[]): Reply {
  if (!statuses.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.text}`);
  return res;
}

export async function registerPrincipal(url: string, adminKey: string, name: string, roles: string[]): Promise<Who> {
  const res = expectStatus(`register ${name}`, await call(url, 'POST', '/v1/principals', adminKey, { name, roles }), 201);
  return { id: res.json.principalId, key: res.json.apiKey.key, keyId: res.json.apiKey.keyId };
}

export async function assembleCast(url: string, adminKey: string): Promise<Cast> {
  const me = expectStatus('who is the admin', await call(url, 'GET', '/v1/me', adminKey), 200).json;
  const admin: Who = { id: me.principalId, key: adminKey, keyId: me.keys.find((k: { current: boolean }) => k.current).keyId };
  const [creator, otherCreator, complainant, reviewer, assignedReviewer, auditor, revoked] = await Promise.all([
    registerPrincipal(url, adminKey, 'Alice Creator', ['creator']),
    registerPrincipal(url, adminKey, 'Oscar Other', ['creator']),
    registerPrincipal(url, adminKey, 'Bob Complainant', ['creator']),
    registerPrincipal(url, adminKey, 'Victor Reviewer', ['reviewer']),
    registerPrincipal(url, adminKey, 'Rita Assigned', ['reviewer']),
    registerPrincipal(url, adminKey, 'Audrey Auditor', ['auditor']),
    registerPrincipal(url, adminKey, 'Rex Revoked', ['creator', 'reviewer', 'auditor', 'admin']),
  ]);
  expectStatus('revoke', await call(url, 'DELETE', `/v1/keys/${revoked.keyId}`, adminKey), 200);
  return { admin, creator, otherCreator, complainant, reviewer, assignedReviewer, auditor, revoked };
}

export const keyOf = (cast: Cast, actor: Actor): string | undefined => (actor === 'none' ? undefined : cast[actor].key);

/** Labels that satisfy the image rules for a filing of content type image/png. */
export const labelsBody = (produceId = 'gen-0001') => ({
  explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
  implicit: { AIGC: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: produceId, ReservedCode1: 'r1', ReservedCode2: '' } },
});

export const complaintBody = (filingId: string) => ({ type: 'infringement', filingId, claim: 'This copies my work.' });

/**
 * Revokes the right of `creator`'s filing for good: a complaint upheld with `revoke`, appealed by the creator and
 * affirmed, so that the decision is final. The complainant and both reviewers are registered here.
 */
export async function revokeByUpheldComplaint(url: string, adminKey: string, filingId: string, creator: Who): Promise<void> {
  const [complainant, reviewer, appealReviewer] = await Promise.all([
    registerPrincipal(url, adminKey, 'Bob Complainant', ['creator']),
    registerPrincipal(url, adminKey, 'Rita Reviewer', ['reviewer']),
    registerPrincipal(url, adminKey, 'Victor Reviewer', ['reviewer']),
  ]);
  const ok = async (method: string, path: string, key: string, body: unknown) =>
    expectStatus(`${method} ${path}`, await call(url, method, path, key, body), 200, 201).json;
  const { disputeId } = await ok('POST', '/v1/disputes', complainant.key, complaintBody(filingId));
  await ok('POST', `/v1/disputes/${disputeId}/assign`, reviewer.key, { reviewerId: reviewer.id });
  await ok('POST', `/v1/disputes/${disputeId}/response`, creator.key, { statement: 'It is mine.' });
  await ok('POST', `/v1/disputes/${disputeId}/decision`, reviewer.key, { outcome: 'upheld', remedy: 'revoke', reasoning: 'Copied.' });
  await ok('POST', `/v1/disputes/${disputeId}/appeal`, creator.key, { grounds: 'It is not a copy.' });
  await ok('POST', `/v1/disputes/${disputeId}/appeal-decision`, appealReviewer.key, { ruling: 'affirm', reasoning: 'Sound.' });
}

export type DisputeStage = 'opened' | 'assigned' | 'answered' | 'decided' | 'appealed';

/** Fresh resources in a known state, so that a request is refused for who sends it and not for the state it meets. */
export class Fixtures {
  constructor(
    readonly url: string,
    readonly cast: Cast,
  ) {}

  /** A work filed by `owner` whose bytes are known, so it can be uploaded to labels/verify. */
  async filing(owner: Who = this.cast.creator): Promise<{ filingId: string; contentHash: string; bytes: Buffer }> {
    const bytes = randomBytes(64);
    const body = filingBody({ contentHash: sha256Hex(bytes) });
    const res = expectStatus('file', await call(this.url, 'POST', '/v1/filings', owner.key, body), 201);
    return { filingId: res.json.filingId, contentHash: body.contentHash as string, bytes };
  }

  /** A dispute by the complainant against a filing of the creator, taken as far as `stage` (assigned to and decided by the assigned reviewer). */
  async dispute(stage: DisputeStage, filingId?: string): Promise<string> {
    const { complainant, creator, assignedReviewer } = this.cast;
    const target = filingId ?? (await this.filing()).filingId;
    const opened = expectStatus('complaint', await call(this.url, 'POST', '/v1/disputes', complainant.key, complaintBody(target)), 201);
    const id: string = opened.json.disputeId;
    const steps: Array<[DisputeStage, Who, string, unknown]> = [
      ['assigned', assignedReviewer, 'assign', { reviewerId: assignedReviewer.id }],
      ['answered', creator, 'response', { statement: 'It is my own work.' }],
      ['decided', assignedReviewer, 'decision', { outcome: 'rejected', reasoning: 'No copying shown.' }],
      ['appealed', complainant, 'appeal', { grounds: 'My evidence was ignored.' }],
    ];
    const order: DisputeStage[] = ['opened', 'assigned', 'answered', 'decided', 'appealed'];
    for (const [reached, who, action, body] of steps) {
      if (order.indexOf(stage) < order.indexOf(reached)) break;
      expectStatus(action, await call(this.url, 'POST', `/v1/disputes/${id}/${action}`, who.key, body), 200);
    }
    return id;
  }

  /** A further key of `who`, issued by the admin: a caller may revoke it without losing the key it acts with. */
  async spareKey(who: Who): Promise<string> {
    return expectStatus('issue key', await call(this.url, 'POST', `/v1/principals/${who.id}/keys`, this.cast.admin.key, {}), 201).json
      .keyId;
  }

  async principal(roles: string[] = ['creator']): Promise<Who> {
    return registerPrincipal(this.url, this.cast.admin.key, `Fixture ${randomBytes(3).toString('hex')}`, roles);
  }
}

export interface Route {
  method: string;
  path: string;
  /** The media types its body may have (none documented: JSON). */
  consumes: string[];
}

/** Every operation the OpenAPI document describes, as `METHOD /path/{param}`. */
export async function openApiRoutes(url: string): Promise<Route[]> {
  const res = expectStatus('openapi', await call(url, 'GET', '/docs/openapi.json'), 200);
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(res.json.paths as Record<string, Record<string, { requestBody?: { content?: object } }>>)) {
    for (const [method, op] of Object.entries(ops))
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
        routes.push({ method: method.toUpperCase(), path, consumes: Object.keys(op.requestBody?.content ?? {}) });
  }
  return routes;
}

export const routeName = (r: Route) => `${r.method} ${r.path}`;
export const isWrite = (r: Route) => r.method !== 'GET';
