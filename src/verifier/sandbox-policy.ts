// Sandbox policy v1 defaults and the deadlines a policy sets. Later versions arrive as PolicyPublished events.
import { isoInstant } from './instant.js';

export interface SandboxPolicy {
  version: number;
  labelGraceDays: number;
  objectionWindowDays: number;
  responseDays: number;
  decisionSlaDays: number;
  appealDays: number;
  termDays: number;
  similarity: { phash64: number; pdq256: number; simhash64: number };
  repeatInfringer: { upheld: number; windowDays: number };
  /**
   * The revision of the settlement rules a filing under this version settles by. Rules that would change the outcome of
   * a history already in a ledger come as a new revision, taken by the versions published after it: 1 is the rules as
   * v1 first had them (every version published before `ruleset` existed reads as 1); 2 lets a holder's declaration lift
   * a suspension while a complaint freezes the right, and counts no ruling that reached a right already final.
   */
  ruleset: number;
}

export type PolicyParameters = Omit<SandboxPolicy, 'version'>;
/** A published policy version; v1 (POLICY_V1) is implicit and in force from the beginning. */
export type PolicyVersion = SandboxPolicy & { effectiveFrom: string | null };

export const POLICY_V1: SandboxPolicy = Object.freeze({
  version: 1,
  labelGraceDays: 7,
  objectionWindowDays: 30,
  responseDays: 7,
  decisionSlaDays: 15,
  appealDays: 15,
  termDays: 730,
  similarity: { phash64: 8, pdq256: 31, simhash64: 3 },
  repeatInfringer: { upheld: 3, windowDays: 365 },
  ruleset: 1,
});

/** The ruleset a version published now records: the latest this code knows. */
export const CURRENT_RULESET = 2;

/** A version's ruleset as recorded, 1 for one published before versions recorded it. */
export const rulesetOf = (p: { ruleset?: unknown }): number =>
  typeof p.ruleset === 'number' && Number.isSafeInteger(p.ruleset) && p.ruleset >= 1 ? p.ruleset : 1;

export const DAY_MS = 86_400_000;
export const addDays = (iso: string, days: number): string => isoInstant(Date.parse(iso) + days * DAY_MS);

/** When a filing's labels are due: its filing instant plus the grace period of the policy in force then (ISO or epoch ms). */
export function labelDueAt(filedAt: string, policy: Pick<SandboxPolicy, 'labelGraceDays'>): string;
export function labelDueAt(filedAt: number, policy: Pick<SandboxPolicy, 'labelGraceDays'>): number;
export function labelDueAt(filedAt: string | number, policy: Pick<SandboxPolicy, 'labelGraceDays'>): string | number {
  return typeof filedAt === 'number' ? filedAt + policy.labelGraceDays * DAY_MS : addDays(filedAt, policy.labelGraceDays);
}
