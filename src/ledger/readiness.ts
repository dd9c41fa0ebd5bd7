// Readiness beyond the store: a provider of any module that can tell this instance cannot serve marks itself, and
// /health asks every marked provider before it answers ready.
import { DiscoveryService } from '@nestjs/core';

export interface Readiness {
  /** Resolves while this instance can serve; otherwise rejects with the refusal its requests get (a DomainError). */
  ready(): Promise<void>;
}

/** Marks a provider /health asks (Readiness): found among every module's providers when the application starts. */
export const ReadinessCheck = DiscoveryService.createDecorator<void>();
