// Every type of event the ledger appends, named once: the compiler holds the list to the events the contexts declare.
import type { IdentityEvent, LastingAdminKeyRevoked } from './auth/identity.events.js';
import type { DisputeEvent } from './disputes/dispute.events.js';
import type { ContentReleased, ContentReserved, CopyReserved, FilingEvent } from './filing/filing.events.js';
import type { LabelEvent } from './labeling/labeling.events.js';
import type { PolicyPublished } from './policy/policy.events.js';
import type { FlagReviewed, NearDuplicatesFound, RightsSettled } from './settlement/settlement.events.js';

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

/** A key for each type and no other: a type added to a context and not here, or named here and nowhere, fails to compile. */
const EACH_TYPE: Record<LedgerEvent['type'], true> = {
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

export const LEDGER_EVENT_TYPES: readonly LedgerEvent['type'][] = Object.keys(EACH_TYPE) as LedgerEvent['type'][];
