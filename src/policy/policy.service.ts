// The policy versions, folded from the `policy` stream (small: one event per version).
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { ReadinessCheck, type Readiness } from '../ledger/readiness.js';
import type { PolicyVersion } from '../verifier/sandbox-policy.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { knownPolicy, policyInForce, type PolicyState } from './policy.decider.js';
import { POLICY_STREAM } from './policy.events.js';

/** The policy stream's events and the version in force at an instant among them. */
export interface PolicyRead {
  inForce: PolicyVersion;
  events: EventEnvelope[];
}

/**
 * Every read of the policy refuses (knownPolicy: 503 ruleset-unknown) once the log holds a version that settles by rules
 * newer than this build's, published by a newer build, before or while this one runs: the rules would settle its
 * filings, and answer every right, wrongly. The server does not start on such a log, and /health answers the refusal.
 */
@ReadinessCheck()
@Injectable()
export class PolicyService implements OnApplicationBootstrap, Readiness {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The start fails with the refusal. */
  async onApplicationBootstrap(): Promise<void> {
    await this.state();
  }

  /** /health: not ready while the refusal stands. */
  async ready(): Promise<void> {
    await this.state();
  }

  async state(): Promise<PolicyState> {
    return knownPolicy(await this.store.readStream(POLICY_STREAM));
  }

  async inForceAt(at: Date): Promise<PolicyVersion> {
    return policyInForce(await this.state(), at);
  }

  /** The policy stream's events and the version in force at `at` among them (one read for a caller that needs both). */
  async withEvents(at: Date): Promise<PolicyRead> {
    const events = await this.store.readStream(POLICY_STREAM);
    return { inForce: policyInForce(knownPolicy(events), at), events };
  }

  /** Every version, the one in force at `at` (default now), and when the next one takes effect. */
  async describe(at: Date) {
    const { versions } = await this.state();
    const inForce = policyInForce({ versions }, at);
    const next = versions.find((v) => v.effectiveFrom !== null && Date.parse(v.effectiveFrom) > at.getTime()) ?? null;
    return { at: at.toISOString(), inForce, next: next ? { version: next.version, effectiveFrom: next.effectiveFrom } : null, versions };
  }
}
