// Every type of event the ledger appends, named once: the compiler holds the list to the events the contexts declare.
import type { IdentityEvent, LastingAdminKeyRevoked } from './auth/identity.events.js';
import type { DisputeEvent } from './disputes/dispute.events.js';
import type { ContentReleased, ContentReserved, CopyReserved, FilingEvent } from './filing/filing.events.js';
import type { LabelEvent } from './labeling/labeling.events.js';
import type { PolicyPublished } from './policy/policy.events.js';
import type { FlagReviewed, NearDuplicatesFound, RightsSettled } from './settlement/settlement.events.js';
import type { CatalogueData, CatalogueType } from './verifier/event-catalogue.js';

type LedgerEvent =
  | IdentityEvent
  | LastingAdminKeyRevoked
  | ContentReserved
  | ContentReleased
  | CopyReserved
  | FilingEvent
  | LabelEvent
  | DisputeEvent
  | PolicyPublished
  | NearDuplicatesFound
  | FlagReviewed
  | RightsSettled;

/** A type written out member by member, at every depth (an intersection of objects becomes one object). */
type Plain<T> = T extends object ? { [K in keyof T]: Plain<T[K]> } : T;
/** The same type: the same members at every depth, each optional or not alike (not merely assignable both ways). */
type Same<A, B> = (<T>() => T extends Plain<A> ? 1 : 2) extends <T>() => T extends Plain<B> ? 1 : 2 ? true : false;
type DataOf<T extends LedgerEvent['type']> = Extract<LedgerEvent, { type: T }>['data'];
type WithRuleset<D extends { parameters: object }> = Omit<D, 'parameters'> & { parameters: Required<D['parameters']> };

/**
 * The catalogue `verify` holds events to (src/verifier/event-catalogue.ts) has every type the contexts append and no
 * other, each with data of exactly the type's shape: a field added to an event and not to the catalogue (or the other
 * way round), or a type added here and not there, fails to compile. A PolicyPublished's `ruleset` is the one field the
 * catalogue lets a log leave out (versions published before it was recorded), so there the two differ by that alone.
 * What a type cannot say (whole numbers, formats, streams) the suites that verify the ledgers they wrote check.
 */
const CATALOGUED: {
  [T in LedgerEvent['type'] | CatalogueType]: T extends CatalogueType
    ? T extends LedgerEvent['type']
      ? Same<DataOf<T>, T extends 'PolicyPublished' ? WithRuleset<CatalogueData<T>> : CatalogueData<T>>
      : false
    : false;
} = {
  PrincipalRegistered: true,
  ApiKeyIssued: true,
  ApiKeyRevoked: true,
  LastingAdminKeyRevoked: true,
  ContentReserved: true,
  ContentReleased: true,
  CopyReserved: true,
  WorkFiled: true,
  FilingAmended: true,
  FilingDisputed: true,
  FilingWithdrawn: true,
  LabelsDeclared: true,
  LabelFileChecked: true,
  CopyRegistered: true,
  ComplaintFiled: true,
  ComplaintReturned: true,
  DisputeAssigned: true,
  ResponseSubmitted: true,
  DisputeDecided: true,
  AppealFiled: true,
  AppealDecided: true,
  ComplaintWithdrawn: true,
  PolicyPublished: true,
  NearDuplicatesFound: true,
  FlagReviewed: true,
  RightsSettled: true,
};

/** And the catalogue keeps a PolicyPublished's `ruleset` one a log may leave out: making it required fails to compile. */
type _RulesetOptional = Holds<undefined extends CatalogueData<'PolicyPublished'>['parameters']['ruleset'] ? true : false>;
type Holds<T extends true> = T;

export const LEDGER_EVENT_TYPES: readonly LedgerEvent['type'][] = Object.keys(CATALOGUED) as LedgerEvent['type'][];
