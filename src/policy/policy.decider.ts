// Sandbox policy versions: published by an admin, effective from a future instant, never retroactive.
import { conflict, DomainError } from '../common/domain-error.js';
import { fold, type Decider } from '../ledger/decider.js';
import { canonicalJson } from '../verifier/envelope.js';
import { CURRENT_RULESET, POLICY_V1, rulesetOf } from '../verifier/sandbox-policy.js';
import type { PolicyParameters, PolicyVersion } from '../verifier/sandbox-policy.js';
import type { PolicyPublished } from './policy.events.js';
import type { RuleEvent } from '../verifier/rights-events.js';

export const POLICY_V1_VERSION: PolicyVersion = { ...POLICY_V1, effectiveFrom: null };

export interface PolicyState {
  /** v1 first, then every published version in order. */
  versions: PolicyVersion[];
}

/** Parameters left out inherit from the latest version. */
export type ParameterChanges = Partial<Omit<PolicyParameters, 'similarity' | 'repeatInfringer'>> & {
  similarity?: Partial<PolicyParameters['similarity']>;
  repeatInfringer?: Partial<PolicyParameters['repeatInfringer']>;
};

export type PublishPolicyCommand = { type: 'PublishPolicy'; effectiveFrom: Date; parameters: ParameterChanges; now: Date };

export const latestVersion = (s: PolicyState): PolicyVersion => s.versions[s.versions.length - 1];

/** The version in force at `at`: the last one whose effectiveFrom is not after it. */
export function policyInForce(s: PolicyState, at: Date): PolicyVersion {
  let inForce = s.versions[0];
  for (const v of s.versions) if (v.effectiveFrom === null || Date.parse(v.effectiveFrom) <= at.getTime()) inForce = v;
  return inForce;
}

/**
 * The policy, when this build knows the rules of every version in it; otherwise a refusal naming the first version that
 * settles by a newer ruleset (published by a newer build): its filings, and every right, would be settled by the wrong
 * rules. A scan of the versions, run wherever the rules are about to be used (and at start).
 */
export function knownRules(s: PolicyState): PolicyState {
  const newer = s.versions.find((v) => v.ruleset > CURRENT_RULESET);
  if (newer) {
    throw new DomainError(
      'unavailable',
      'ruleset-unknown',
      `policy version ${newer.version} settles its filings by ruleset ${newer.ruleset}, newer than this build knows ` +
        `(up to ${CURRENT_RULESET}): run the build that published it, or a newer one`,
      { version: newer.version, ruleset: newer.ruleset, known: CURRENT_RULESET },
    );
  }
  return s;
}

/** The values actually given (a DTO instance carries its optional fields as undefined). */
const given = (o: object, except: string[] = []) =>
  Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && !except.includes(k)));

export const parametersOf = ({ version: _v, effectiveFrom: _e, ...parameters }: PolicyVersion): PolicyParameters => parameters;

/**
 * How far ahead a version may take effect. Versions take effect in the order they are published and none is ever
 * withdrawn, so one dated years ahead by a slip (9999 for 2026) would hold every later change back until then.
 */
export const MAX_NOTICE_DAYS = 366;

export const policyDecider: Decider<PublishPolicyCommand, PolicyPublished, PolicyState> = {
  initialState: () => ({ versions: [POLICY_V1_VERSION] }),

  evolve(state, event) {
    if (event.type !== 'PolicyPublished') return state;
    const { version, effectiveFrom, parameters } = event.data;
    return { versions: [...state.versions, { ...parameters, ruleset: rulesetOf(parameters), version, effectiveFrom }] };
  },

  decide(command, state) {
    // A version published after one under newer rules would take them back: refused as every use of the rules is.
    const latest = latestVersion(knownRules(state));
    const from = command.effectiveFrom.getTime();
    if (!(from > command.now.getTime())) {
      throw new DomainError(
        'unprocessable',
        'effective-from-not-future',
        `effectiveFrom must be in the future (after ${command.now.toISOString()}): policy changes are never retroactive`,
        { errors: [{ field: 'effectiveFrom', message: 'effectiveFrom must be in the future' }] },
      );
    }
    const latestAllowed = command.now.getTime() + MAX_NOTICE_DAYS * 86_400_000;
    if (from > latestAllowed) {
      const message = `effectiveFrom must be at most ${MAX_NOTICE_DAYS} days ahead (by ${new Date(latestAllowed).toISOString()})`;
      throw new DomainError(
        'unprocessable',
        'effective-from-too-far',
        `${message}: a version takes effect after the ones before it, so one dated further ahead would hold every later change back`,
        { latestAllowed: new Date(latestAllowed).toISOString(), errors: [{ field: 'effectiveFrom', message }] },
      );
    }
    if (latest.effectiveFrom !== null && from <= Date.parse(latest.effectiveFrom)) {
      throw conflict(
        'effective-from-not-after-latest',
        `version ${latest.version} takes effect at ${latest.effectiveFrom}; a new version must take effect after it`,
      );
    }
    const p = command.parameters ?? {};
    const base = parametersOf(latest);
    const parameters: PolicyParameters = {
      ...base,
      ...given(p, ['similarity', 'repeatInfringer']),
      similarity: { ...base.similarity, ...given(p.similarity ?? {}) },
      repeatInfringer: { ...base.repeatInfringer, ...given(p.repeatInfringer ?? {}) },
      // A version published now settles its filings by the rules as they are now; the earlier versions keep theirs.
      ruleset: CURRENT_RULESET,
    };
    // A version that changes nothing can only be a slip (a body whose changes were left out): refused.
    if (canonicalJson(parameters) === canonicalJson(base)) {
      const message = `the parameters change nothing: each is as version ${latest.version} has it, and so is the ruleset`;
      throw new DomainError('unprocessable', 'policy-unchanged', message, {
        version: latest.version,
        errors: [{ field: 'parameters', message }],
      });
    }
    return [
      {
        type: 'PolicyPublished',
        data: {
          version: latest.version + 1,
          effectiveFrom: command.effectiveFrom.toISOString(),
          parameters,
          publishedAt: command.now.toISOString(),
        },
      },
    ];
  },
};

/** The versions the policy stream's events publish, refused by knownRules when one settles by rules newer than these. */
export const knownPolicy = (events: readonly RuleEvent[]): PolicyState =>
  knownRules(fold(policyDecider, events.filter((e) => e.type === 'PolicyPublished') as unknown as PolicyPublished[]));
