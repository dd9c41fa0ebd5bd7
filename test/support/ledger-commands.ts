// Commands of every context as projection scenarios append them: decided by the real deciders against the log so far
// (the facts a handler reads from other streams, read from the same log), so the events have the shapes the ledger writes.
import { createHash } from 'node:crypto';
import { identityDecider } from '../../src/auth/identity.decider.js';
import { principalStream, type Role } from '../../src/auth/identity.events.js';
import { disputeDecider, type ComplaintInput, type FilingFacts } from '../../src/disputes/dispute.decider.js';
import { disputeStream, type Outcome, type Remedy, type Ruling } from '../../src/disputes/dispute.events.js';
import { filingDecider } from '../../src/filing/filing.decider.js';
import { contentStream, filingStream, type FilingDetails, type WorkFiledData } from '../../src/filing/filing.events.js';
import { labelingDecider, type FileReading, type LabelsInput } from '../../src/labeling/labeling.decider.js';
import type { Aigc } from '../../src/labeling/labeling.events.js';
import { fold, type Decider, type DomainEvent } from '../../src/ledger/decider.js';
import { policyDecider, policyInForce, type ParameterChanges } from '../../src/policy/policy.decider.js';
import { POLICY_STREAM, type PolicyPublished } from '../../src/policy/policy.events.js';
import type { JsonObject } from '../../src/verifier/envelope.js';
import { RightsBook } from '../../src/verifier/rights-book.js';
import { SETTLEMENTS_STREAM, type NearDuplicateCandidate, type RightsSettledData } from '../../src/verifier/rights-events.js';
import type { ReviewableFlag, ReviewDecision } from '../../src/verifier/rights-rules.js';
import type { Command, LogEntry, LoggedEvent } from './projection-spec.js';

const DAY_MS = 86_400_000;
/** The instant scenarios count their days from. */
export const T0 = '2026-12-01T09:00:00.000Z';
/** `days` after T0 (fractions allowed), as a Date and as ISO text. */
export const day = (days: number): Date => new Date(Date.parse(T0) + days * DAY_MS);
export const iso = (days: number): string => day(days).toISOString();

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
export const PLATFORM_CODE = 'SANDBOXLEDGER';
const AI_SOURCE = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';

/** Events as they are, on a stream (events no decider produces: near-duplicate screening, settlements). */
export const recorded = (stream: string, ...events: DomainEvent[]): LoggedEvent[] =>
  events.map((e) => ({ stream, type: e.type, data: e.data }));

const streamOf = (log: readonly LogEntry[], stream: string) => log.filter((e) => e.stream === stream);

/** A command decided on its stream's events in the log so far, as the ledger writer does. */
export const decide =
  <C, E extends DomainEvent, S>(stream: string, decider: Decider<C, E, S>, command: C): Command =>
  (log) =>
    decider.decide(command, fold(decider, streamOf(log, stream) as unknown as E[])).map((e) => ({ stream, type: e.type, data: e.data }));

// ---------------------------------------------------------------- filings

/** The content of a filing: one hash per filing id, so filings never collide. */
export const contentOf = (filingId: string) => sha256Hex(`content of ${filingId}`);

/** A work filed by `creator` at `now`: the content reservation and WorkFiled in one commit, as the filing handler appends them. */
export function fileWork(filingId: string, creator: string, now: Date, details: Partial<FilingDetails> = {}): Command {
  const filing: FilingDetails = {
    filingId,
    creator,
    contentHash: contentOf(filingId),
    contentType: 'image/png',
    title: `Work ${filingId}`,
    generation: {
      digitalSourceType: AI_SOURCE,
      tool: { name: 'Stable Diffusion', version: '3.5', provider: 'Stability AI' },
      promptHash: sha256Hex(`prompt ${filingId}`),
      negativePromptHash: null,
      parametersHash: null,
      parameters: { steps: 30 },
      seed: '42',
      iterations: 3,
      humanContribution: 'selection and repainting',
    },
    processEvidence: [{ sha256: sha256Hex(`draft ${filingId}`), kind: 'draft', description: 'first draft', createdAt: null }],
    perceptualHash: null,
    ...details,
  };
  const reservation = {
    stream: contentStream(filing.contentHash),
    type: 'ContentReserved',
    data: { contentHash: filing.contentHash, filingId, creator },
  };
  return (log) => [reservation, ...decide(filingStream(filingId), filingDecider, { type: 'FileWork', filing, now })(log)];
}

export const withdrawFiling = (filingId: string, actor: string, now: Date, reason: string | null = null): Command =>
  decide(filingStream(filingId), filingDecider, { type: 'WithdrawFiling', filingId, actor, reason, now });

// ---------------------------------------------------------------- labels

/** Image labels that satisfy the rules; the ledger fills ContentPropagator and PropagateID. */
export const IMAGE_LABELS: LabelsInput = {
  modality: null,
  explicit: { text: 'AI生成', placement: ['bottom-right'], displaySeconds: null, textHeightRatio: 0.06, audioCue: null, rhythm: null },
  aigc: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-0001', ReservedCode1: '', ReservedCode2: '' },
  digitalSourceType: null,
  c2paManifestHash: null,
};

export const declareLabels = (filingId: string, actor: string, now: Date, labels: Partial<LabelsInput> = {}): Command =>
  decide(filingStream(filingId), labelingDecider, {
    type: 'DeclareLabels',
    filingId,
    actor,
    labels: { ...IMAGE_LABELS, ...labels },
    platformCode: PLATFORM_CODE,
    now,
  });

/** The complete implicit label of IMAGE_LABELS for a filing, as the file would carry it (JSON under an AIGC key). */
export const aigcInFile = (filingId: string, changes: Partial<Aigc> = {}): string =>
  JSON.stringify({ ...IMAGE_LABELS.aigc, ContentPropagator: PLATFORM_CODE, PropagateID: filingId, ...changes });

/** An upload of the filing's own bytes (its contentHash, read from the log) carrying these AIGC values. */
export function checkLabelFile(
  filingId: string,
  actor: string,
  now: Date,
  values: FileReading['values'],
  reading: Partial<FileReading> = {},
): Command {
  return (log) => {
    const filed = streamOf(log, filingStream(filingId)).find((e) => e.type === 'WorkFiled');
    const file: FileReading = {
      sha256: String(filed?.data.contentHash),
      size: 2048,
      format: 'png',
      values,
      traces: [],
      unread: [],
      ...reading,
    };
    return decide(filingStream(filingId), labelingDecider, { type: 'CheckLabelFile', filingId, actor, file, now })(log);
  };
}

/** A labelled copy of the filing (hash `copyHash`, perceptual hash `phash`) registered by `actor`, with the handed-out label. */
export const registerCopy = (filingId: string, actor: string, now: Date, copyHash: string, phash = '0000000000000000'): Command =>
  decide(filingStream(filingId), labelingDecider, {
    type: 'RegisterCopy',
    filingId,
    actor,
    platformCode: PLATFORM_CODE,
    threshold: 8,
    policyVersion: 1,
    now,
    copy: {
      sha256: copyHash,
      size: 4096,
      sniffedType: 'image/png',
      perceptualHash: { scheme: 'phash64', value: phash },
      values: [{ location: 'png:iTXt:AIGC', value: aigcInFile(filingId) }],
    },
  });

// ---------------------------------------------------------------- principals

/** The SHA-256 the ledger records for a key (the key itself is never recorded). */
export const keyHashOf = (keyId: string) => sha256Hex(`secret of ${keyId}`);

export const registerPrincipal = (principalId: string, name: string, roles: Role[], keyId: string, now: Date): Command =>
  decide(principalStream(principalId), identityDecider, {
    type: 'RegisterPrincipal',
    principalId,
    name,
    roles,
    keyId,
    keyHash: keyHashOf(keyId),
    now,
  });

export const issueApiKey = (principalId: string, keyId: string, now: Date): Command =>
  decide(principalStream(principalId), identityDecider, { type: 'IssueApiKey', principalId, keyId, keyHash: keyHashOf(keyId), now });

export const revokeApiKey = (principalId: string, keyId: string, now: Date): Command =>
  decide(principalStream(principalId), identityDecider, { type: 'RevokeApiKey', principalId, keyId, now });

// ---------------------------------------------------------------- policy

/** The versions published in the log so far. */
const policyState = (log: readonly LogEntry[]) => fold(policyDecider, streamOf(log, POLICY_STREAM) as unknown as PolicyPublished[]);

export const publishPolicy = (effectiveFrom: Date, parameters: ParameterChanges, now: Date): Command =>
  decide(POLICY_STREAM, policyDecider, { type: 'PublishPolicy', effectiveFrom, parameters, now });

// ---------------------------------------------------------------- disputes

/** The filing as its own stream in the log records it, or null. */
function filingFacts(log: readonly LogEntry[], filingId: string | null): FilingFacts | null {
  if (filingId === null) return null;
  const events = streamOf(log, filingStream(filingId));
  const filed = events.find((e) => e.type === 'WorkFiled');
  if (!filed) return null;
  const d = filed.data as unknown as WorkFiledData;
  return { filingId, creator: d.creator, contentHash: d.contentHash, withdrawn: events.some((e) => e.type === 'FilingWithdrawn') };
}

export type Complaint = Partial<Omit<ComplaintInput, 'disputeId' | 'filingId' | 'complainant'>>;

/**
 * A complaint against a filing, with the facts the handler reads: the target and basis filings, the filed AI works its
 * evidence names (those whose content is evidence and whose filing is not the target or basis) and the policy in force.
 */
export function fileComplaint(disputeId: string, filingId: string, complainant: string, now: Date, complaint: Complaint = {}): Command {
  const input: ComplaintInput = {
    disputeId,
    type: 'infringement',
    filingId,
    complainant,
    claim: 'This copies my work.',
    basisFilingId: null,
    evidence: [{ sha256: sha256Hex(`evidence ${disputeId}`), description: 'camera original', declaredAiGenerated: false }],
    ...complaint,
  };
  return (log) => {
    const filedAiWorks = log
      .filter((e) => e.type === 'WorkFiled' && input.evidence.some((x) => x.sha256 === e.data.contentHash))
      .map((e) => ({ contentHash: String(e.data.contentHash), filingId: String(e.data.filingId) }));
    const { version, responseDays, decisionSlaDays, appealDays } = policyInForce(policyState(log), now);
    return decide(disputeStream(disputeId), disputeDecider, {
      type: 'FileComplaint',
      complaint: input,
      target: filingFacts(log, filingId),
      targetRight: null, // the rules read the complaint whatever the right's state; the server's refusal is the decider's
      basis: filingFacts(log, input.basisFilingId),
      filedAiWorks,
      policy: { version, responseDays, decisionSlaDays, appealDays },
      now,
    })(log);
  };
}

/** A reviewer assigns the dispute to themself. */
export const assignDispute = (disputeId: string, reviewerId: string, now: Date): Command =>
  decide(disputeStream(disputeId), disputeDecider, {
    type: 'AssignDispute',
    disputeId,
    actor: reviewerId,
    actorIsAdmin: false,
    reviewerId,
    reviewerRoles: ['reviewer'],
    now,
  });

export const submitResponse = (disputeId: string, respondent: string, now: Date, statement = 'It is my own work.'): Command =>
  decide(disputeStream(disputeId), disputeDecider, { type: 'SubmitResponse', disputeId, actor: respondent, statement, evidence: [], now });

export const decideDispute = (disputeId: string, reviewerId: string, outcome: Outcome, remedy: Remedy | null, now: Date): Command =>
  decide(disputeStream(disputeId), disputeDecider, {
    type: 'DecideDispute',
    disputeId,
    actor: reviewerId,
    outcome,
    remedy,
    reasoning: `Found ${outcome}.`,
    now,
  });

export const fileAppeal = (disputeId: string, party: string, now: Date, grounds = 'The evidence was misread.'): Command =>
  decide(disputeStream(disputeId), disputeDecider, { type: 'FileAppeal', disputeId, actor: party, grounds, now });

export const decideAppeal = (disputeId: string, reviewerId: string, ruling: Ruling, remedy: Remedy | null, now: Date) =>
  decide(disputeStream(disputeId), disputeDecider, {
    type: 'DecideAppeal',
    disputeId,
    actor: reviewerId,
    ruling,
    remedy,
    reasoning: `Appeal: ${ruling}.`,
    now,
  });

export const withdrawComplaint = (disputeId: string, complainant: string, now: Date, reason: string | null = null): Command =>
  decide(disputeStream(disputeId), disputeDecider, { type: 'WithdrawComplaint', disputeId, actor: complainant, reason, now });

// ---------------------------------------------------------------- settlement

/** The near-duplicate screening's record, appended to the new filing's stream right after WorkFiled. */
export const nearDuplicatesFound = (filingId: string, candidates: NearDuplicateCandidate[], now: Date): LoggedEvent[] =>
  recorded(filingStream(filingId), {
    type: 'NearDuplicatesFound',
    data: { filingId, scheme: 'phash64', threshold: 8, policyVersion: 1, candidates, foundAt: now.toISOString() } as unknown as JsonObject,
  });

export const flagReviewed = (filingId: string, flag: ReviewableFlag, decision: ReviewDecision, reviewerId: string, now: Date) =>
  recorded(filingStream(filingId), {
    type: 'FlagReviewed',
    data: {
      filingId,
      flag,
      decision,
      reasoning: `The ${flag} flag is ${decision}.`,
      reviewedBy: reviewerId,
      reviewedAt: now.toISOString(),
    },
  });

/** A settlement run as of `asOf` over the log so far, as the settlement service computes it. */
export const settleRights =
  (asOf: Date): Command =>
  (log) => {
    const book = RightsBook.of(log);
    const settled = book.settlementAt(asOf.getTime(), log.length);
    const data: RightsSettledData = { asOf: asOf.toISOString(), logSize: log.length, ...settled, trigger: 'admin' };
    return recorded(SETTLEMENTS_STREAM, { type: 'RightsSettled', data: data as unknown as JsonObject });
  };
