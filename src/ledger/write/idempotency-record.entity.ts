import { Column, Entity, PrimaryColumn } from 'typeorm';

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
  /**
   * The log size the kept response's request reached (its `Ledger-Position`), answered again with a replay; null while
   * claimed, for a response that wrote nothing, and for responses kept before positions were.
   */
  @Column('integer', { nullable: true }) position: number | null;
}
