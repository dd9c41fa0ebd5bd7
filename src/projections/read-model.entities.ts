// Read-model tables. Disposable: every row is derived from the events and rebuilt by the projection runner.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DisputeView } from './dispute-view.entity.js';
import { RightView } from './right-view.entity.js';

@Entity('projection_checkpoints')
export class ProjectionCheckpoint {
  @PrimaryColumn('varchar', { length: 64 }) name: string;
  /** Next log position (leafIndex) to apply. */
  @Column('integer') position: number;
}

@Entity('filings')
export class FilingView {
  @PrimaryColumn('varchar', { length: 36 }) filingId: string;
  @Index({ unique: true }) @Column('varchar', { length: 64 }) contentHash: string;
  @Column('varchar', { length: 255 }) contentType: string;
  @Column('text') title: string;
  @Index() @Column('varchar', { length: 36 }) creator: string;
  @Index() @Column('varchar', { length: 16 }) status: 'active' | 'withdrawn';
  @Column('varchar', { length: 32 }) filedAt: string;
  @Index({ unique: true }) @Column('integer') leafIndex: number;
  @Column('varchar', { length: 64 }) eventHash: string;
  @Column('simple-json') generation: object;
  @Column('simple-json') processEvidence: object[];
  @Column('simple-json', { nullable: true }) perceptualHash: object | null;
  @Column('varchar', { length: 16 }) labelState: 'none' | 'declared' | 'verified';
  @Column('varchar', { length: 32 }) labelDueAt: string;
  /** Article 6 tier: 1 confirmed, 2 possibly, 3 suspected AI-generated; null before any label or check. */
  @Column('varchar', { length: 1, nullable: true }) labelTier: '1' | '2' | '3' | null;
  /** The label declaration in force (the latest LabelsDeclared). */
  @Column('simple-json', { nullable: true }) labels: object | null;
  /** The latest LabelFileChecked. */
  @Column('simple-json', { nullable: true }) labelCheck: object | null;
  @Column('varchar', { length: 32, nullable: true }) withdrawnAt: string | null;
  @Column('text', { nullable: true }) withdrawReason: string | null;
}

@Entity('principals')
export class PrincipalView {
  @PrimaryColumn('varchar', { length: 36 }) principalId: string;
  @Column('text') name: string;
  @Column('simple-json') roles: string[];
  @Index() @Column('boolean') isAdmin: boolean;
  @Column('varchar', { length: 32 }) registeredAt: string;
}

@Entity('api_keys')
export class ApiKeyView {
  @PrimaryColumn('varchar', { length: 36 }) keyId: string;
  @Index({ unique: true }) @Column('varchar', { length: 64 }) keyHash: string;
  @Index() @Column('varchar', { length: 36 }) principalId: string;
  @Column('varchar', { length: 32 }) issuedAt: string;
  @Column('varchar', { length: 32, nullable: true }) revokedAt: string | null;
}

/** Responses to writes sent with an Idempotency-Key; not a projection, so never cleared by a rebuild. */
@Entity('idempotency_records')
export class IdempotencyRecord {
  @PrimaryColumn('varchar', { length: 36 }) principalId: string;
  @PrimaryColumn('varchar', { length: 255 }) idempotencyKey: string;
  @Column('varchar', { length: 64 }) fingerprint: string;
  /** Null while the command runs (the key is claimed), or when it ended without a kept response. */
  @Column('integer', { nullable: true }) statusCode: number | null;
  @Column('text', { nullable: true }) body: string | null;
  @Column('varchar', { length: 32 }) createdAt: string;
  /** Events in the log when the key was claimed: the command's events, if it appended any, are at or after it. */
  @Column('integer', { nullable: true }) logSize: number | null;
}

export const READ_MODEL_ENTITIES = [ProjectionCheckpoint, FilingView, PrincipalView, ApiKeyView, IdempotencyRecord, DisputeView, RightView];
