// The policy versions, folded from the `policy` stream (small: one event per version).
import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { fold } from '../ledger/decider.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import type { PolicyVersion } from '../verifier/sandbox-policy.js';
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
export class PolicyService {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

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
