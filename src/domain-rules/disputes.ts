// What a dispute may come to: its types, outcomes, remedies and appeal rulings, which remedy each type allows, and what an
// appeal ruling may do to a first decision. Pure and framework-free: the dispute decider (src/disputes) enforces these
// rules and the disputes page of the console (web/) offers only what they allow.

export const DISPUTE_TYPES = ['priority', 'infringement', 'mislabeling', 'authorship'] as const;
export type DisputeType = (typeof DISPUTE_TYPES)[number];
export const REMEDIES = ['revoke', 'suspend', 'transfer'] as const;
export type Remedy = (typeof REMEDIES)[number];
export const OUTCOMES = ['upheld', 'rejected'] as const;
export type Outcome = (typeof OUTCOMES)[number];
/** An appeal decision affirms the first, reverses its outcome, or varies its remedy (the outcome stays). */
export const RULINGS = ['affirm', 'reverse', 'vary'] as const;
export type Ruling = (typeof RULINGS)[number];

/** A transfer hands the right to the complainant, which only a claim to the work itself (priority, authorship) can justify. */
export const TRANSFERABLE_TYPES: readonly DisputeType[] = ['priority', 'authorship'];

/** The remedies an upheld complaint of this type may get (an unknown type: those of any type). */
export const remediesFor = (type: string): Remedy[] =>
  REMEDIES.filter((r) => r !== 'transfer' || (TRANSFERABLE_TYPES as readonly string[]).includes(type));

/** The two parties to a dispute, each of whom may appeal its decision once. */
export type AppealParty = 'complainant' | 'respondent';

/**
 * Whether a party has a decision to appeal: the respondent an upheld complaint; the complainant either outcome (a
 * rejection, or an upheld complaint's remedy). A rejection leaves the respondent nothing to ask for.
 */
export const mayAppeal = (party: AppealParty, outcome: Outcome): boolean => party === 'complainant' || outcome === 'upheld';

/** What an appeal ruling leaves in force, and the remedies it may (and then must) name; none: no remedy at all. */
export interface AppealChoice {
  ruling: Ruling;
  outcome: Outcome;
  remedies: Remedy[];
}

/**
 * The rulings an appeal decision may give on a first decision: affirm keeps it (no remedy to name); reverse turns the
 * outcome (a new upheld outcome names one of the type's remedies); vary keeps an upheld outcome with another of them.
 * A rejection has no remedy to vary.
 */
export function appealChoices(type: string, first: { outcome: Outcome; remedy: Remedy | null }): AppealChoice[] {
  const reversed: Outcome = first.outcome === 'upheld' ? 'rejected' : 'upheld';
  const choices: AppealChoice[] = [
    { ruling: 'affirm', outcome: first.outcome, remedies: [] },
    { ruling: 'reverse', outcome: reversed, remedies: reversed === 'upheld' ? remediesFor(type) : [] },
  ];
  if (first.outcome === 'upheld')
    choices.push({ ruling: 'vary', outcome: first.outcome, remedies: remediesFor(type).filter((r) => r !== first.remedy) });
  return choices;
}
