// The policy versions, folded from the `policy` stream (small: one event per version).
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { fold } from '../ledger/decider.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { CURRENT_RULESET, type PolicyVersion } from '../verifier/sandbox-policy.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { policyDecider, policyInForce, type PolicyState } from './policy.decider.js';
import { POLICY_STREAM, type PolicyPublished } from './policy.events.js';

/** The policy stream's events and the version in force at an instant among them. */
export interface PolicyRead {
  inForce: PolicyVersion;
  events: EventEnvelope[];
}

const stateOf = (events: readonly EventEnvelope[]): PolicyState =>
  fold(policyDecider, events.filter((e) => e.type === 'PolicyPublished') as unknown as PolicyPublished[]);

@Injectable()
export class PolicyService implements OnApplicationBootstrap {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * A log holding a version that settles by rules newer than this build's (published by a newer build, then rolled back)
   * would have its rights decided by the wrong rules: the server does not start on it.
   */
  async onApplicationBootstrap(): Promise<void> {
    const newer = (await this.state()).versions.find((v) => v.ruleset > CURRENT_RULESET);
    if (newer) {
      throw new Error(
        `policy version ${newer.version} settles its filings by ruleset ${newer.ruleset}, newer than this build knows ` +
          `(up to ${CURRENT_RULESET}): run the build that published it, or a newer one`,
      );
    }
  }

  async state(): Promise<PolicyState> {
    return stateOf(await this.store.readStream(POLICY_STREAM));
  }

  async inForceAt(at: Date): Promise<PolicyVersion> {
    return policyInForce(await this.state(), at);
  }

  /** The policy stream's events and the version in force at `at` among them (one read for a caller that needs both). */
  async withEvents(at: Date): Promise<PolicyRead> {
    const events = await this.store.readStream(POLICY_STREAM);
    return { inForce: policyInForce(stateOf(events), at), events };
  }

  /** Every version, the one in force at `at` (default now), and when the next one takes effect. */
  async describe(at: Date) {
    const { versions } = await this.state();
    const inForce = policyInForce({ versions }, at);
    const next = versions.find((v) => v.effectiveFrom !== null && Date.parse(v.effectiveFrom) > at.getTime()) ?? null;
    return { at: at.toISOString(), inForce, next: next ? { version: next.version, effectiveFrom: next.effectiveFrom } : null, versions };
  }
}
