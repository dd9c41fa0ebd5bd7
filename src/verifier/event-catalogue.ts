// The event catalogue as data: for each type of event the ledger appends, the stream it belongs in and the exact shape
// of its data (docs/event-catalogue.md says the same in words). `verify` holds every event of an export to it, so a log
// signed by its key still fails when it holds an event of no known type, an event in another stream than its own, or
// data the rules would misread (a WorkFiled without its filedAt, a decision whose remedy is none of revoke, suspend and
// transfer). The compiler holds these schemas to the event types the contexts declare (src/event-types.ts).
// Framework-free and browser-safe: TypeBox's Value.Check walks a schema without compiling code, which a page's
// Content-Security-Policy forbids (the CLI injects compiled checks: SchemaCheck).
import { FormatRegistry, type Static, type TLiteral, type TSchema, type TUnion, Type } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { isHex64 } from './envelope.js';
import { eventTimeFault, type EventTimeFault, utcMs } from './event-time.js';
import { POLICY_STREAM, RIGHTS_EVENT_TYPES, SETTLEMENTS_STREAM } from './rights-events.js';
import { REVIEW_DECISIONS, REVIEWABLE_FLAGS, RIGHT_STATUSES } from './rights-rules.js';

/** The stream ordering revocations of admins' keys that do not expire (src/auth/identity.events.ts). */
export const ADMIN_KEYS_STREAM = 'admin-keys';

FormatRegistry.Set('sha256', isHex64);
FormatRegistry.Set('instant', (v) => !Number.isNaN(utcMs(v)));

/** Exactly these members; `Optional` ones may be left out. */
const Exact = <P extends Record<string, TSchema>>(properties: P) => Type.Object(properties, { additionalProperties: false });
const Str = Type.String();
const Id = Type.String({ minLength: 1 });
const Sha256 = Type.String({ format: 'sha256' });
/** A time the ledger writes: ISO-8601 UTC, as Date#toISOString gives it. */
const Instant = Type.String({ format: 'instant' });
const Count = Type.Integer({ minimum: 0 });
const Version = Type.Integer({ minimum: 1 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
type Literals<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };
const OneOf = <const T extends readonly string[]>(values: T): TUnion<Literals<T>> =>
  Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<Literals<T>>;

// Shared parts.
const PerceptualScheme = OneOf(['phash64', 'pdq256', 'simhash64']);
const PerceptualHash = Exact({ scheme: PerceptualScheme, value: Str, source: Type.Optional(OneOf(['declared', 'computed'])) });
const PerceptualHash64 = Exact({ scheme: Type.Literal('phash64'), value: Str });
const Aigc = Exact({
  Label: Str,
  ContentProducer: Str,
  ProduceID: Str,
  ReservedCode1: Str,
  ContentPropagator: Str,
  PropagateID: Str,
  ReservedCode2: Str,
});
const C2paSummary = Exact({
  validationState: Str,
  activeManifest: Nullable(Str),
  claimGenerator: Nullable(Str),
  signer: Nullable(Str),
  signedAt: Nullable(Str),
  digitalSourceTypes: Type.Array(Exact({ manifest: Str, assertion: Str, value: Str })),
  failures: Type.Array(Str),
});
const Provenance = Exact({
  labels: Type.Array(Exact({ location: Str, label: Nullable(Str), value: Str })),
  c2pa: Type.Union([C2paSummary, Exact({ unreadable: Str }), Type.Null()]),
  digitalSourceTypes: Type.Array(Exact({ location: Str, value: Str })),
  unread: Type.Array(Str),
});
const inspection = {
  sha256: Sha256,
  size: Count,
  sniffedType: Nullable(Str),
  image: Nullable(Exact({ width: Count, height: Count })),
  perceptualHash: Nullable(PerceptualHash64),
  provenance: Provenance,
};
const AiSignal = Type.Union([
  Exact({ signal: Type.Literal('aigc-label'), location: Str, label: Str }),
  Exact({
    signal: Type.Literal('c2pa-digital-source-type'),
    digitalSourceType: Str,
    manifest: Str,
    assertion: Str,
    validationState: Str,
  }),
  Exact({ signal: Type.Literal('iptc-digital-source-type'), digitalSourceType: Str, location: Str }),
  Exact({ signal: Type.Literal('near-duplicate-of-ai-filing'), filingId: Id, distance: Count, threshold: Count }),
]);
const ProcessEvidenceItem = Exact({ sha256: Sha256, kind: Str, description: Nullable(Str), createdAt: Nullable(Str) });
const PriorFiling = { filingId: Id, filedAt: Instant, withdrawnAt: Instant };
// The lists of src/domain-rules/disputes.ts (the verifier imports nothing outside itself; the compiler holds them alike).
const DisputeType = OneOf(['priority', 'infringement', 'mislabeling', 'authorship']);
const Remedy = Nullable(OneOf(['revoke', 'suspend', 'transfer']));
const decision = {
  disputeId: Id,
  filingId: Id,
  type: DisputeType,
  complainant: Id,
  respondent: Id,
  outcome: OneOf(['upheld', 'rejected']),
  remedy: Remedy,
  reasoning: Str,
  decidedBy: Id,
  decidedAt: Instant,
  policyVersion: Version,
};
const PolicyParameters = Exact({
  labelGraceDays: Count,
  objectionWindowDays: Count,
  responseDays: Count,
  decisionSlaDays: Count,
  appealDays: Count,
  termDays: Count,
  similarity: Exact({ phash64: Count, pdq256: Count, simhash64: Count }),
  repeatInfringer: Exact({ upheld: Count, windowDays: Count }),
  // Versions published before the ruleset was recorded read as ruleset 1.
  ruleset: Type.Optional(Version),
});
const Deadline = OneOf(['labelDueAt', 'quietUntil', 'expiresAt', 'appealUntil']);
const Cause = Type.Union([
  Exact({ event: Id, leafIndex: Count, disputeId: Type.Optional(Id) }),
  Exact({ deadline: Deadline, at: Instant, disputeId: Type.Optional(Id) }),
]);
const RuleId = OneOf([
  'filing-accepted',
  'labels-overdue',
  'labels-declared-late',
  'quiet-period-over',
  'dispute-upheld-suspend',
  'relabelled',
  'dispute-upheld-revoke',
  'dispute-upheld-transfer',
  'filing-withdrawn',
  'term-ended',
]);

type Data = { [key: string]: unknown };

// The streams, named once (the contexts append to them by these).
export const principalStream = (principalId: string) => `principal-${principalId}`;
/**
 * Reservation stream: ContentReserved is appended at the stream's revision (`no-stream` at first), so the store itself
 * enforces first filing; a withdrawal appends ContentReleased, after which the content may be filed again. A registered
 * distribution copy reserves its bytes the same way (CopyReserved, for good): they carry another filing's label, and are
 * never filed as a work of their own.
 */
export const contentStream = (contentHash: string) => `content-${contentHash}`;
export const filingStream = (filingId: string) => `filing-${filingId}`;
export const disputeStream = (disputeId: string) => `dispute-${disputeId}`;

/** The stream an event of this type belongs in, given its data (already checked against the schema). */
type StreamOf = (data: Data) => string;
const ownStream =
  (stream: (id: string) => string, field: string): StreamOf =>
  (data) =>
    stream(data[field] as string);
const fixedStream =
  (name: string): StreamOf =>
  () =>
    name;
const principal = ownStream(principalStream, 'principalId');
const content = ownStream(contentStream, 'contentHash');
const filing = ownStream(filingStream, 'filingId');
const dispute = ownStream(disputeStream, 'disputeId');

const entry = <S extends TSchema>(stream: StreamOf, data: S) => ({ stream, data });

/** Every event type, its stream and its data. */
export const EVENT_CATALOGUE = {
  PrincipalRegistered: entry(
    principal,
    Exact({ principalId: Id, name: Str, roles: Type.Array(OneOf(['creator', 'reviewer', 'auditor', 'admin'])), registeredAt: Instant }),
  ),
  ApiKeyIssued: entry(
    principal,
    Exact({ principalId: Id, keyId: Id, keyHash: Sha256, issuedAt: Instant, expiresAt: Type.Optional(Instant) }),
  ),
  ApiKeyRevoked: entry(principal, Exact({ principalId: Id, keyId: Id, revokedAt: Instant })),
  LastingAdminKeyRevoked: entry(fixedStream(ADMIN_KEYS_STREAM), Exact({ principalId: Id, keyId: Id })),
  ContentReserved: entry(content, Exact({ contentHash: Sha256, filingId: Id, creator: Id })),
  ContentReleased: entry(content, Exact({ contentHash: Sha256, ...PriorFiling })),
  CopyReserved: entry(content, Exact({ contentHash: Sha256, filingId: Id })),
  WorkFiled: entry(
    filing,
    Exact({
      filingId: Id,
      creator: Id,
      contentHash: Sha256,
      contentType: Str,
      title: Str,
      generation: Exact({
        digitalSourceType: Str,
        tool: Exact({ name: Str, version: Nullable(Str), provider: Nullable(Str) }),
        promptHash: Sha256,
        negativePromptHash: Nullable(Sha256),
        parametersHash: Nullable(Sha256),
        parameters: Nullable(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
        seed: Nullable(Str),
        iterations: Nullable(Count),
        humanContribution: Str,
      }),
      processEvidence: Type.Array(ProcessEvidenceItem),
      perceptualHash: Nullable(PerceptualHash),
      file: Type.Optional(Exact({ ...inspection, declaredPerceptualHash: Nullable(PerceptualHash), aiSignals: Type.Array(AiSignal) })),
      filedAt: Instant,
      priorFilings: Type.Optional(Type.Array(Exact(PriorFiling))),
    }),
  ),
  FilingAmended: entry(
    filing,
    Exact({
      filingId: Id,
      title: Nullable(Str),
      addedProcessEvidence: Type.Array(ProcessEvidenceItem),
      humanContributionNote: Nullable(Str),
      amendedAt: Instant,
    }),
  ),
  FilingDisputed: entry(filing, Exact({ filingId: Id, disputeId: Id })),
  FilingWithdrawn: entry(filing, Exact({ filingId: Id, reason: Nullable(Str), withdrawnAt: Instant })),
  LabelsDeclared: entry(
    filing,
    Exact({
      filingId: Id,
      version: Version,
      modality: OneOf(['text', 'image', 'video', 'audio', 'virtual-scene']),
      explicit: Exact({
        text: Nullable(Str),
        placement: Type.Array(Str),
        displaySeconds: Nullable(Type.Number()),
        textHeightRatio: Nullable(Type.Number()),
        audioCue: Nullable(OneOf(['voice', 'rhythm'])),
        rhythm: Nullable(Str),
      }),
      implicit: Exact({ AIGC: Aigc }),
      digitalSourceType: Str,
      c2paManifestHash: Nullable(Sha256),
      declaredAt: Instant,
    }),
  ),
  LabelFileChecked: entry(
    filing,
    Exact({
      filingId: Id,
      file: Exact({
        sha256: Sha256,
        size: Count,
        format: OneOf(['png', 'jpeg', 'other']),
        registeredCopy: Type.Optional(Type.Literal(true)),
      }),
      outcome: OneOf(['found', 'differs', 'invalid', 'not-found', 'unsupported-format']),
      labels: Type.Array(Exact({ location: Str, aigc: Nullable(Aigc), problems: Type.Array(Str), excerpt: Nullable(Str) })),
      differences: Type.Array(Exact({ location: Str, field: Str, expected: Nullable(Str), found: Nullable(Str) })),
      traces: Type.Array(Str),
      unread: Type.Array(Str),
      declarationVersion: Nullable(Version),
      tier: Nullable(OneOf(['1', '2', '3'])),
      checkedAt: Instant,
    }),
  ),
  CopyRegistered: entry(
    filing,
    Exact({
      filingId: Id,
      copy: Exact({ sha256: Sha256, size: Count, sniffedType: Nullable(Str), perceptualHash: PerceptualHash64 }),
      label: Aigc,
      location: Str,
      distance: Count,
      threshold: Count,
      policyVersion: Version,
      registeredAt: Instant,
    }),
  ),
  ComplaintFiled: entry(
    dispute,
    Exact({
      disputeId: Id,
      type: DisputeType,
      filingId: Id,
      complainant: Id,
      respondent: Id,
      claim: Str,
      basisFilingId: Nullable(Id),
      evidence: Type.Array(
        Exact({
          sha256: Sha256,
          description: Str,
          declaredAiGenerated: Type.Boolean(),
          inspection: Type.Optional(Exact({ ...inspection, filename: Str, signals: Type.Array(AiSignal) })),
        }),
      ),
      policy: Exact({ version: Version, responseDays: Count, decisionSlaDays: Count, appealDays: Count }),
      filedAt: Instant,
    }),
  ),
  ComplaintReturned: entry(
    dispute,
    Exact({
      disputeId: Id,
      filingId: Id,
      complainant: Id,
      reason: OneOf(['ai-generated-evidence']),
      evidence: Type.Array(
        Exact({
          sha256: Sha256,
          declaredAiGenerated: Type.Boolean(),
          aiFilingId: Nullable(Id),
          signals: Type.Optional(Type.Array(AiSignal)),
        }),
      ),
      returnedAt: Instant,
    }),
  ),
  DisputeAssigned: entry(
    dispute,
    Exact({ disputeId: Id, reviewerId: Id, previousReviewerId: Nullable(Id), assignedBy: Id, assignedAt: Instant }),
  ),
  ResponseSubmitted: entry(
    dispute,
    Exact({
      disputeId: Id,
      respondent: Id,
      statement: Str,
      evidence: Type.Array(Exact({ sha256: Sha256, description: Str })),
      respondedAt: Instant,
    }),
  ),
  DisputeDecided: entry(dispute, Exact({ ...decision, appealUntil: Instant })),
  AppealFiled: entry(
    dispute,
    Exact({ disputeId: Id, appellant: Id, party: OneOf(['complainant', 'respondent']), grounds: Str, appealedAt: Instant }),
  ),
  AppealDecided: entry(dispute, Exact({ ...decision, ruling: OneOf(['affirmed', 'reversed', 'varied']) })),
  ComplaintWithdrawn: entry(dispute, Exact({ disputeId: Id, filingId: Id, complainant: Id, reason: Nullable(Str), withdrawnAt: Instant })),
  PolicyPublished: entry(
    fixedStream(POLICY_STREAM),
    Exact({ version: Version, effectiveFrom: Instant, parameters: PolicyParameters, publishedAt: Instant }),
  ),
  NearDuplicatesFound: entry(
    filing,
    Exact({
      filingId: Id,
      scheme: PerceptualScheme,
      threshold: Count,
      policyVersion: Version,
      candidates: Type.Array(Exact({ filingId: Id, creator: Id, distance: Count, leafIndex: Count })),
      foundAt: Instant,
    }),
  ),
  FlagReviewed: entry(
    filing,
    Exact({
      filingId: Id,
      flag: OneOf(REVIEWABLE_FLAGS),
      decision: OneOf(REVIEW_DECISIONS),
      reasoning: Str,
      reviewedBy: Id,
      reviewedAt: Instant,
    }),
  ),
  RightsSettled: entry(
    fixedStream(SETTLEMENTS_STREAM),
    Exact({
      asOf: Instant,
      logSize: Count,
      policyVersion: Version,
      policyVersions: Type.Array(Version),
      changes: Type.Array(
        Exact({
          filingId: Id,
          from: OneOf(RIGHT_STATUSES),
          to: OneOf(RIGHT_STATUSES),
          holder: Id,
          rule: RuleId,
          cause: Cause,
          since: Instant,
        }),
      ),
      trigger: OneOf(['schedule', 'admin', 'cli']),
    }),
  ),
} as const;

export type CatalogueType = keyof typeof EVENT_CATALOGUE;
/** The data of an event of type T, as the catalogue has it. */
export type CatalogueData<T extends CatalogueType> = Static<(typeof EVENT_CATALOGUE)[T]['data']>;

/**
 * Every event's `meta`: who caused it, the hash of the request's Idempotency-Key when it had one, and `cause` when the
 * event follows another's commit rather than a request (a NearDuplicatesFound for filings committed concurrently).
 */
const Meta = Exact({ actor: Id, idempotency: Type.Optional(Str), cause: Type.Optional(Type.Literal('concurrent-filing')) });

/**
 * The kinds of value a member may be: `sha256` is 64 lowercase hex digits, `instant` an ISO-8601 UTC time,
 * `whole-number` 0 or more.
 */
export const WANTED_KINDS = [
  'string',
  'non-empty-string',
  'sha256',
  'instant',
  'whole-number',
  'positive-whole-number',
  'number',
  'boolean',
  'null',
  'object',
  'array',
] as const;
export type WantedKind = (typeof WANTED_KINDS)[number];
/** One value a member may take, as its JSON text (`"upheld"`). */
export type WantedValue = `"${string}"` | 'true' | 'false';
/** What a value was wanted to be: its alternatives, each a kind or one value. */
export type Wanted = Array<WantedKind | WantedValue>;

/**
 * Why an event is not one the catalogue has: a type it does not know, a stream not the type's own, or data or meta not
 * of the type's shape (`path`: a JSON pointer into the data or the meta, `/` for the whole; `issue`: a member the
 * type requires is missing, a member it does not have is there, or a value is not what `wanted` says).
 */
export type CatalogueFault = { type: string } & (
  | { problem: 'unknown-type' }
  | { problem: 'stream'; stream: string; expected: string }
  | { problem: 'data' | 'meta'; path: string; issue: 'missing' | 'unexpected' | 'value'; wanted: Wanted }
);

/**
 * Whether a value is of a schema's shape. By default TypeBox's Value.Check, which walks the schema; Node injects checks
 * TypeBox compiled to functions (src/common/compiled-schemas.ts), several times faster, which a page cannot run. Both
 * give the same answer; what is wrong is always found by walking.
 */
export type SchemaCheck = (schema: TSchema, value: unknown) => boolean;
export const walkSchema: SchemaCheck = (schema, value) => Value.Check(schema, value);

/** The fault of an event that is not in the catalogue, or undefined when it is. */
export function catalogueFault(
  e: { type: string; stream: string; data: Data; meta: Data },
  check: SchemaCheck = walkSchema,
): CatalogueFault | undefined {
  const type = e.type;
  if (!Object.hasOwn(EVENT_CATALOGUE, type)) return { type, problem: 'unknown-type' };
  const kind = EVENT_CATALOGUE[type as CatalogueType];
  if (!check(kind.data, e.data)) return { type, problem: 'data', ...firstError(kind.data, e.data) };
  if (!check(Meta, e.meta)) return { type, problem: 'meta', ...firstError(Meta, e.meta) };
  const expected = kind.stream(e.data);
  if (e.stream !== expected) return { type, problem: 'stream', stream: e.stream, expected };
  return undefined;
}

/**
 * What is wrong of itself with an event the log signed (`recordedMs`: its recordedAt, checked): its own time out of the
 * bounds of its recordedAt, named first as the narrower finding, or its being no event of the catalogue.
 */
export function eventFault(
  e: { type: string; stream: string; data: Data; meta: Data; recordedAt: string },
  recordedMs: number,
  check: SchemaCheck = walkSchema,
): ({ code: 'event-time' } & EventTimeFault) | ({ code: 'catalogue' } & CatalogueFault) | undefined {
  const untimely = eventTimeFault(e, recordedMs);
  if (untimely) return { code: 'event-time', ...untimely };
  const uncatalogued = catalogueFault(e, check);
  return uncatalogued && { code: 'catalogue', ...uncatalogued };
}

function firstError(
  schema: TSchema,
  value: unknown,
  base = '',
): { path: string; issue: 'missing' | 'unexpected' | 'value'; wanted: Wanted } {
  const error = Value.Errors(schema, value).First();
  if (error === undefined) return { path: base || '/', issue: 'value', wanted: wanted(schema) };
  const path = base + error.path || '/';
  if (error.type === ValueErrorType.ObjectRequiredProperty) return { path, issue: 'missing', wanted: wanted(error.schema) };
  if (error.type === ValueErrorType.ObjectAdditionalProperties) return { path, issue: 'unexpected', wanted: [] };
  // A value of one of a union's kinds (an object where an object or null is wanted): what is wrong within it.
  const variant = error.type === ValueErrorType.Union ? variantFor(error.schema, error.value) : undefined;
  if (variant !== undefined) return firstError(variant, error.value, base + error.path);
  return { path, issue: 'value', wanted: wanted(error.schema) };
}

/**
 * The one alternative of a union that `value` is meant to be: of its JSON kind, with its tag (a `const` member) if any,
 * and of the objects left, the one that has the most of the value's members (a cause with `deadline`, not `event`).
 */
function variantFor(union: TSchema, value: unknown): TSchema | undefined {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : undefined;
  if (kind === undefined || !Array.isArray(union.anyOf)) return undefined;
  const members = kind === 'object' ? Object.keys(value as object) : [];
  const properties = (v: TSchema) => (v.properties ?? {}) as Record<string, TSchema>;
  const tagged = (v: TSchema) =>
    Object.entries(properties(v)).every(
      ([key, member]) => !('const' in member) || (value as Record<string, unknown>)[key] === member.const,
    );
  const candidates = (union.anyOf as TSchema[]).filter((v) => v.type === kind && (kind !== 'object' || tagged(v)));
  if (candidates.length <= 1) return candidates[0];
  const shared = candidates.map((v) => members.filter((m) => Object.hasOwn(properties(v), m)).length);
  const most = Math.max(...shared);
  return most > 0 && shared.filter((n) => n === most).length === 1 ? candidates[shared.indexOf(most)] : undefined;
}

/** The alternatives a schema allows, each once. */
function wanted(schema: TSchema): Wanted {
  return [...new Set(alternatives(schema))];
}

function alternatives(schema: TSchema): Wanted {
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as TSchema[]).flatMap(alternatives);
  if ('const' in schema) return [JSON.stringify(schema.const) as WantedValue];
  switch (schema.type) {
    case 'string':
      return [schema.format === 'sha256' || schema.format === 'instant' ? schema.format : schema.minLength ? 'non-empty-string' : 'string'];
    case 'integer':
      return [schema.minimum === 1 ? 'positive-whole-number' : 'whole-number'];
    case 'number':
    case 'boolean':
    case 'null':
    case 'object':
    case 'array':
      return [schema.type];
    default:
      throw new Error(`the event catalogue has a schema of no kind it names: ${JSON.stringify(schema)}`);
  }
}

/**
 * Whether the sandbox rules could be misled by the event at fault, so that the settlement audit must stop before it: a
 * type no rule knows (it may be one the rules read, renamed), or an event of a type the rules read whose data or stream
 * is not the type's. Its meta, or another type's data, the rules never read.
 */
export const misleadsRules = (f: CatalogueFault): boolean =>
  f.problem === 'unknown-type' || (RIGHTS_EVENT_TYPES.has(f.type) && f.problem !== 'meta');
