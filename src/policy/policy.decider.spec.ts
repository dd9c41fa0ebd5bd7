import { DomainError } from '../common/domain-error.js';
import { given } from '../ledger/given-when-then.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { CURRENT_RULESET } from '../verifier/sandbox-policy.js';
import { knownPolicy, knownRules, parametersOf, policyDecider, POLICY_V1_VERSION, type PolicyState } from './policy.decider.js';
import type { PolicyPublished } from './policy.events.js';

const now = new Date('2027-01-01T00:00:00.000Z');
const published = (version: number, ruleset: number, effectiveFrom: string): PolicyPublished => ({
  type: 'PolicyPublished',
  data: {
    version,
    effectiveFrom,
    publishedAt: now.toISOString(),
    parameters: { ...parametersOf(POLICY_V1_VERSION), ruleset },
  },
});
const v2 = published(2, CURRENT_RULESET, '2027-02-01T00:00:00.000Z');
const newer = published(3, CURRENT_RULESET + 1, '2027-03-01T00:00:00.000Z');
const stateOf = (...events: PolicyPublished[]): PolicyState => events.reduce(policyDecider.evolve, policyDecider.initialState());

describe('knownRules', () => {
  it('passes a policy whose every version settles by rules this build knows', () => {
    const s = stateOf(v2);
    expect(knownRules(s)).toBe(s);
  });

  it('refuses a policy holding a version under a newer ruleset: 503 ruleset-unknown, naming the version and its ruleset', () => {
    let refusal: unknown;
    try {
      knownRules(stateOf(v2, newer));
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({
      kind: 'unavailable',
      code: 'ruleset-unknown',
      message: `policy version 3 settles its filings by ruleset ${CURRENT_RULESET + 1}, newer than this build knows (up to ${CURRENT_RULESET}): run the build that published it, or a newer one`,
      extensions: { version: 3, ruleset: CURRENT_RULESET + 1, known: CURRENT_RULESET },
    });
  });

  it('reads the versions from the policy stream, other events aside', () => {
    const stream = [v2, { type: 'SomethingElse', data: {} }, newer].map((e, i) => ({ ...e, leafIndex: i }) as unknown as EventEnvelope);
    expect(() => knownPolicy(stream.slice(0, 2))).not.toThrow();
    expect(() => knownPolicy(stream)).toThrow('policy version 3 settles its filings by ruleset');
  });
});

describe('publishing a version', () => {
  it('is refused after a version under a newer ruleset, which it would take back', () =>
    given(policyDecider, [v2, newer])
      .when({ type: 'PublishPolicy', effectiveFrom: new Date('2027-04-01T00:00:00.000Z'), parameters: {}, now })
      .thenThrows('ruleset-unknown', { version: 3, ruleset: CURRENT_RULESET + 1 }));

  it('is refused when it would change nothing, and taken when it changes only the ruleset', () => {
    given(policyDecider, [v2])
      .when({ type: 'PublishPolicy', effectiveFrom: new Date('2027-04-01T00:00:00.000Z'), parameters: { labelGraceDays: 7 }, now })
      .thenThrows('policy-unchanged', { version: 2 });
    // Version 1 settles by ruleset 1: a version of the same parameters moves its filings to the current rules.
    const [event] = policyDecider.decide(
      { type: 'PublishPolicy', effectiveFrom: new Date('2027-04-01T00:00:00.000Z'), parameters: {}, now },
      policyDecider.initialState(),
    );
    expect(event.data).toMatchObject({ version: 2, parameters: { ...parametersOf(POLICY_V1_VERSION), ruleset: CURRENT_RULESET } });
  });
});
