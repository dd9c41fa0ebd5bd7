// Why an export does not verify, as data: a code naming the kind of failure and the values its message names. The
// English message (`reason`, what `sandbox-ledger verify` prints) is worded here from those values alone, so a reader
// that words the failure in another language (the console, in Chinese) has everything the English says.
// Framework-free: runs in Node and in a browser.
import type { CheckpointFault } from './checkpoint.js';
import { type CatalogueFault, misleadsRules, type Wanted, WANTED_KINDS, type WantedKind, type WantedValue } from './event-catalogue.js';
import { INSTANT_FIELD } from './rights-events.js';
import { EVENT_TIME_LAG_MS, EVENT_TIME_LEAD_MS, spanOf, type EventTimeFault } from './event-time.js';

/** What is wrong with an envelope's own fields (`field` is null when the event is no JSON object at all). */
export type EnvelopeRule =
  | 'not-object' // the event
  | 'unexpected-field'
  | 'missing-field'
  | 'version' // v is not 1
  | 'not-string' // not a non-empty string
  | 'not-index' // not a non-negative integer
  | 'not-object-field' // data or meta
  | 'not-hex'; // not 64 lowercase hex digits

/** A right's change as a settlement records it, or as the rules give it; a recorded one is shown as it stands, unchecked. */
export type ShownChange = { from: unknown; to: unknown; rule: unknown; holder: unknown; since: unknown };

/** Why a settlement, or a withdrawal, breaks the sandbox rules. `asOf` is the settlement's, as recorded. */
export type SettlementFault =
  | { rule: 'coverage'; asOf: string; logSize: number; leaf: number }
  | { rule: 'recorded-before'; asOf: string; recordedAt: string }
  | { rule: 'order'; asOf: string; previousLeaf: number }
  | { rule: 'right'; asOf: string; filingId: string; recorded: ShownChange | null; expected: ShownChange | null }
  | { rule: 'changes-order'; asOf: string }
  | { rule: 'policy-version'; asOf: string; recorded: number; inForce: number }
  | { rule: 'policy-versions'; asOf: string; recorded: string; expected: string } // JSON texts of the two lists
  | { rule: 'ruleset'; version: number; ruleset: number; known: number } // a policy version settling by rules newer than these
  | { rule: 'withdrawn-open'; filingId: string; disputeId: string }
  | { rule: 'withdrawn-transferred'; filingId: string; disputeId: string; complainant: string }
  | { rule: 'withdrawn-revoked'; filingId: string; rightRule: string; since: string } // the revoked right's rule and since
  // A decision whose appeal window is not the one the policy in force when its complaint was filed gives (`expected`).
  | { rule: 'appeal-window'; disputeId: string; decidedAt: string; appealUntil: string; appealDays: number; expected: string }
  // A policy version that takes effect at or before its own publication.
  | { rule: 'policy-retroactive'; version: number; effectiveFrom: string; publishedAt: string };

/**
 * The kinds of failure, each with the values its message names. `leaf` and `expected`/`claimed` are what the event
 * itself says; where the failure is in the log is the failure's `leafIndex` (`ExportFailure`).
 */
export type FailureFacts =
  | { code: 'not-utf8' }
  | { code: 'line-too-long'; limit: number }
  | { code: 'not-json' }
  | { code: 'envelope'; rule: EnvelopeRule; field: string | null }
  | { code: 'not-canonical' }
  | { code: 'no-canonical-form'; error: string }
  | { code: 'hash-mismatch'; type: string; stream: string; leaf: number; expected: string; computed: string }
  | { code: 'recorded-at'; recordedAt: string }
  | ({ code: 'event-time' } & EventTimeFault)
  | ({ code: 'catalogue' } & CatalogueFault)
  | { code: 'misplaced'; claimed: number; expected: number }
  | { code: 'time-back'; recordedAt: string; previousLeaf: number; previousRecordedAt: string }
  | { code: 'chain-revision'; stream: string; revision: number; expected: number }
  | { code: 'chain-prev-hash'; stream: string; previousRevision: number | null }
  | { code: 'duplicate-id'; id: string; firstLeaf: number }
  | { code: 'checkpoint'; checkpoint: CheckpointFault; detail: string }
  | { code: 'checkpoint-late'; treeSize: number; streamed: number }
  | { code: 'checkpoint-before-leaf'; treeSize: number; time: number; leaf: number; recordedAt: string }
  | { code: 'checkpoint-time-back'; treeSize: number; time: number; previousSize: number; previousTime: number }
  | { code: 'split-view'; treeSize: number }
  | { code: 'root-mismatch'; treeSize: number; signedSize: number }
  | { code: 'truncated'; events: number; treeSize: number }
  | { code: 'settlement'; settlement: SettlementFault };

export type FailureCode = FailureFacts['code'];
export type FailureOf<C extends FailureCode> = Extract<FailureFacts, { code: C }>;

// Keyed objects rather than lists: the type checker refuses one that misses a kind or names one that does not exist.
const CODES: Record<FailureCode, true> = {
  'not-utf8': true,
  'line-too-long': true,
  'not-json': true,
  envelope: true,
  'not-canonical': true,
  'no-canonical-form': true,
  'hash-mismatch': true,
  'recorded-at': true,
  'event-time': true,
  catalogue: true,
  misplaced: true,
  'time-back': true,
  'chain-revision': true,
  'chain-prev-hash': true,
  'duplicate-id': true,
  checkpoint: true,
  'checkpoint-late': true,
  'checkpoint-before-leaf': true,
  'checkpoint-time-back': true,
  'split-view': true,
  'root-mismatch': true,
  truncated: true,
  settlement: true,
};
const ENVELOPE: Record<EnvelopeRule, true> = {
  'not-object': true,
  'unexpected-field': true,
  'missing-field': true,
  version: true,
  'not-string': true,
  'not-index': true,
  'not-object-field': true,
  'not-hex': true,
};
const SETTLEMENT: Record<SettlementFault['rule'], true> = {
  coverage: true,
  'recorded-before': true,
  order: true,
  right: true,
  'changes-order': true,
  'policy-version': true,
  'policy-versions': true,
  ruleset: true,
  'withdrawn-open': true,
  'withdrawn-transferred': true,
  'withdrawn-revoked': true,
  'appeal-window': true,
  'policy-retroactive': true,
};

/** Every code a failure can carry, and every envelope and settlement rule: what a reader in another language must word. */
export const FAILURE_CODES = Object.keys(CODES) as FailureCode[];
export const ENVELOPE_RULES = Object.keys(ENVELOPE) as EnvelopeRule[];
export const SETTLEMENT_RULES = Object.keys(SETTLEMENT) as Array<SettlementFault['rule']>;

/** A right's change as the messages name it. */
const describeChange = (c: ShownChange | null) =>
  c ? `${String(c.from)} → ${String(c.to)} (${String(c.rule)}, holder ${String(c.holder)}, since ${String(c.since)})` : 'no change';

const isoSeconds = (seconds: number) => {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? 'out of range' : date.toISOString().replace('.000Z', 'Z');
};

/** A checkpoint's time (unix seconds) as the messages name it: the number, then the instant in UTC. */
const checkpointTime = (seconds: number) => `${seconds} (${isoSeconds(seconds)})`;

/** The English message of an envelope's fault. */
export function envelopeReason(rule: EnvelopeRule, field: string | null): string {
  switch (rule) {
    case 'not-object':
      return 'event is not a JSON object';
    case 'unexpected-field':
      return `unexpected field ${JSON.stringify(field)} (not covered by the hash)`;
    case 'missing-field':
      return `missing field ${field}`;
    case 'version':
      return 'v is not 1';
    case 'not-string':
      return `${field} is not a non-empty string`;
    case 'not-index':
      return `${field} is not a non-negative integer`;
    case 'not-object-field':
      return `${field} is not an object`;
    case 'not-hex':
      return `${field} is not 64 lowercase hex digits`;
  }
}

/** The English message of a settlement's (or a withdrawal's) fault. */
function settlementReason(f: SettlementFault): string {
  const at = 'asOf' in f ? `settlement as of ${f.asOf}` : '';
  switch (f.rule) {
    case 'coverage':
      return `${at} claims to cover ${f.logSize} events but is leaf ${f.leaf}`;
    case 'recorded-before':
      return `${at} was recorded earlier, at ${f.recordedAt}`;
    case 'order':
      return `${at} is earlier than the previous settlement's (leaf ${f.previousLeaf})`;
    case 'right':
      return `${at}: right ${f.filingId} is recorded as ${describeChange(f.recorded)}, the rules give ${describeChange(f.expected)}`;
    case 'changes-order':
      return `${at}: changes are not listed once each in filing order`;
    case 'policy-version':
      return `${at}: policy version ${f.recorded} recorded, version ${f.inForce} was in force`;
    case 'policy-versions':
      return `${at}: policy versions ${f.recorded} recorded, the changed rights settle under ${f.expected}`;
    case 'ruleset':
      return (
        `policy version ${f.version} settles its filings by ruleset ${f.ruleset}, newer than the rules this verifier ` +
        `knows (up to ${f.known}): its settlements cannot be checked here; use a newer verifier`
      );
    case 'withdrawn-open':
      return `filing ${f.filingId} was withdrawn while complaint ${f.disputeId} against it was open`;
    case 'withdrawn-transferred':
      return `filing ${f.filingId} was withdrawn by its creator after complaint ${f.disputeId} transferred its right to ${f.complainant}`;
    case 'withdrawn-revoked':
      return `filing ${f.filingId} was withdrawn after a final decision revoked its right (${f.rightRule}, since ${f.since})`;
    case 'appeal-window':
      return (
        `the decision of complaint ${f.disputeId} at ${f.decidedAt} may be appealed until ${f.appealUntil}; the policy in force ` +
        `when the complaint was filed gives ${f.appealDays} days, until ${f.expected}`
      );
    case 'policy-retroactive':
      return `policy version ${f.version} takes effect at ${f.effectiveFrom}, not after it was published at ${f.publishedAt}: policy changes are never retroactive`;
  }
}

/** Whether the sandbox rules count from the time an event states (a filing's filedAt; not an amendment's amendedAt). */
export const rulesCountFrom = (f: EventTimeFault): boolean => Object.hasOwn(INSTANT_FIELD, f.type);

/** Why an event's own time is not held to its recordedAt, in English. */
function eventTimeReason(f: EventTimeFault): string {
  const own = `${f.type}'s ${f.field}`;
  if (f.problem === 'not-utc')
    return `${own} ${JSON.stringify(f.stated)} is not an ISO-8601 UTC time: the sandbox rules read no other, as the event's own time`;
  const span = spanOf(f)
    .map(({ count, unit }) => `${count} ${unit}${count === 1 ? '' : 's'}`)
    .join(' ');
  return f.problem === 'before'
    ? `${own} ${f.stated} is ${span} before its recordedAt ${f.recordedAt}, more than the ${EVENT_TIME_LAG_MS / 60_000} minutes ` +
        'allowed between the server reading its clock and the commit: the time the event states' +
        (rulesCountFrom(f) ? ', which the sandbox rules count from,' : '') +
        ' is not the time it was recorded'
    : `${own} ${f.stated} is ${span} after its recordedAt ${f.recordedAt}, more than the ${EVENT_TIME_LEAD_MS / 60_000} minute ` +
        'allowed: the event states a time later than its own commit';
}

const WANTED_WORDS: Readonly<Record<WantedKind, string>> = {
  string: 'a string',
  'non-empty-string': 'a non-empty string',
  sha256: 'a SHA-256 in 64 lowercase hex digits',
  instant: 'an ISO-8601 UTC time',
  'whole-number': 'a whole number (0 or more)',
  'positive-whole-number': 'a whole number of 1 or more',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
  object: 'an object',
  array: 'an array',
};

const KINDS: ReadonlySet<string> = new Set(WANTED_KINDS);

/** What a value was wanted to be, split into the values it may take and the kinds it may be; each language words both. */
export function wantedParts(wanted: Wanted): { values: WantedValue[]; kinds: WantedKind[] } {
  const values: WantedValue[] = [];
  const kinds: WantedKind[] = [];
  for (const w of wanted) {
    if (KINDS.has(w)) kinds.push(w as WantedKind);
    else values.push(w as WantedValue);
  }
  return { values, kinds };
}

/** What a value was wanted to be, in English: `a string or null`, `one of "upheld", "rejected"`. */
export function wantedText(wanted: Wanted): string {
  const { values, kinds } = wantedParts(wanted);
  const words = kinds.map((k) => WANTED_WORDS[k]);
  if (values.length > 1) words.unshift(`one of ${values.join(', ')}`);
  else words.unshift(...values);
  return words.join(' or ');
}

/** Why an event is not one the catalogue has, in English. */
function catalogueReason(f: CatalogueFault): string {
  switch (f.problem) {
    case 'unknown-type':
      return (
        `event type ${JSON.stringify(f.type)} is not in the event catalogue: no rule this verifier knows says what it means ` +
        '(a type a newer ledger added needs a newer sandbox-ledger)'
      );
    case 'stream':
      return `${f.type} is in stream ${f.stream}; the event catalogue puts it in stream ${f.expected}`;
    case 'data':
    case 'meta': {
      const at = `${f.type}'s ${f.problem} ${f.path === '/' ? '' : `member ${f.path} `}`;
      const what =
        f.issue === 'missing'
          ? `${at}is missing`
          : f.issue === 'unexpected'
            ? `${at}is one its type does not have`
            : `${at}is not ${wantedText(f.wanted)}`;
      return `${what}: the event is not as the event catalogue has it${misleadsRules(f) ? ', and the sandbox rules would misread it' : ''}`;
    }
  }
}

/** The English message of a failure, as `sandbox-ledger verify` prints it after `FAILED at leaf N: `. */
export function failureReason(f: FailureFacts): string {
  switch (f.code) {
    case 'not-utf8':
      return 'line is not well-formed UTF-8';
    case 'line-too-long':
      return `line is longer than ${f.limit} bytes, the most a verifier reads as one line`;
    case 'not-json':
      return 'line is not JSON';
    case 'envelope':
      return envelopeReason(f.rule, f.field);
    case 'not-canonical':
      return (
        'the line is not its event as the log writes it: whitespace outside strings, a repeated key, or a number or string ' +
        'written otherwise, which another JSON reader may read as another event'
      );
    case 'no-canonical-form':
      return `the event has no canonical form (${f.error})`;
    case 'hash-mismatch':
      return (
        `hash does not match the event (${f.type} in stream ${f.stream}, leaf ${f.leaf}): ` +
        `expected ${f.expected} (its hash field), computed ${f.computed} (SHA-256 of its canonical form)`
      );
    case 'recorded-at':
      return `recordedAt ${JSON.stringify(f.recordedAt)} is not an ISO-8601 UTC time`;
    case 'event-time':
      return eventTimeReason(f);
    case 'catalogue':
      return catalogueReason(f);
    case 'misplaced':
      return `leafIndex is ${f.claimed}, expected ${f.expected} (an event is missing, moved or inserted)`;
    case 'time-back':
      return `recordedAt ${f.recordedAt} is earlier than leaf ${f.previousLeaf}'s ${f.previousRecordedAt}: the log's time went back`;
    case 'chain-revision':
      return `revision of ${f.stream} is ${f.revision}, expected ${f.expected}`;
    case 'chain-prev-hash':
      return `prevHash does not chain to ${f.previousRevision === null ? 'the zero hash' : `revision ${f.previousRevision}`} of ${f.stream}`;
    case 'duplicate-id':
      return `event id ${JSON.stringify(f.id)} is already used by leaf ${f.firstLeaf}: each event's id must be unique`;
    case 'checkpoint':
      return `checkpoint: ${f.detail}`;
    case 'checkpoint-late':
      return `checkpoint of size ${f.treeSize} was given after ${f.streamed} events had been streamed; give it before streaming`;
    case 'checkpoint-before-leaf':
      return (
        `checkpoint of size ${f.treeSize} has time ${checkpointTime(f.time)}, earlier than leaf ${f.leaf} it covers, ` +
        `recorded at ${f.recordedAt}: a checkpoint older than its leaves`
      );
    case 'checkpoint-time-back':
      return (
        `checkpoint of size ${f.treeSize} has time ${checkpointTime(f.time)}, earlier than the checkpoint of size ` +
        `${f.previousSize} (${isoSeconds(f.previousTime)}): checkpoint time went back`
      );
    case 'split-view':
      return `two checkpoints of size ${f.treeSize} sign different roots: the log showed a split view`;
    case 'root-mismatch': {
      const { treeSize, signedSize } = f;
      // The root proves only that some leaf after the last matching checkpoint differs: it names the leaves no signature vouches for.
      return (
        `root of the first ${treeSize} events does not match the signed checkpoint of size ${treeSize}: each event's own hash ` +
        `and chain hold, but ${treeSize - 1 === signedSize ? `leaf ${signedSize} is not the one` : `leaves ${signedSize}..${treeSize - 1} are not those`} ` +
        `the log signed (changed and re-hashed, reordered, inserted or removed), or the export is of another log under the same key` +
        (signedSize > 0
          ? `, or the log signed checkpoints of sizes ${signedSize} and ${treeSize} that disagree (a split view: the log's consistency proof between them, /v1/ledger/proof/consistency?from=${signedSize}&to=${treeSize}, tells which)`
          : '') +
        (treeSize - 1 > signedSize ? '; checkpoints in between (--checkpoints) narrow the range' : '')
      );
    }
    case 'truncated':
      return `export ends after ${f.events} events but a signed checkpoint has ${f.treeSize}: the export was cut short, or taken before that checkpoint (export again${f.events > 0 ? `, or verify with a checkpoint of at most ${f.events} events` : ''})`;
    case 'settlement':
      return settlementReason(f.settlement);
  }
}
