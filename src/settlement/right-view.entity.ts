// Rights register read model: one row per filing, the right as the rules gave it at the last event or
// settlement that touched it (`asOf`); GET /v1/rights/:id computes it for any instant instead.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('rights')
@Index(['changesAt', 'filingId'], { unique: true })
export class RightView {
  @PrimaryColumn('varchar', { length: 36 }) filingId: string;
  @Index() @Column('varchar', { length: 36 }) creator: string;
  @Index() @Column('varchar', { length: 36 }) holder: string;
  @Index() @Column('varchar', { length: 16 }) status: string;
  @Column('varchar', { length: 32 }) rule: string;
  @Column('simple-json') cause: object;
  @Column('varchar', { length: 32 }) since: string;
  @Column('simple-json') flags: string[];
  @Index() @Column('boolean') disputed: boolean;
  @Index() @Column('boolean') labelOverdue: boolean;
  @Index() @Column('boolean') similarityReview: boolean;
  @Index() @Column('boolean') probation: boolean;
  /** Near-duplicate candidates recorded at filing (0 when none). */
  @Column('integer') nearDuplicates: number;
  /** pending, cleared, confirmed or decided-by-dispute; null when the flag was never raised. */
  @Column('varchar', { length: 24, nullable: true }) similarityDecision: string | null;
  @Column('varchar', { length: 24, nullable: true }) probationDecision: string | null;
  @Column('integer') policyVersion: number;
  @Column('varchar', { length: 32 }) filedAt: string;
  @Column('varchar', { length: 32 }) labelDueAt: string;
  @Column('varchar', { length: 32 }) quietUntil: string;
  @Column('varchar', { length: 32, nullable: true }) labelsDeclaredAt: string | null;
  @Column('varchar', { length: 32, nullable: true }) confirmedAt: string | null;
  @Column('varchar', { length: 32, nullable: true }) expiresAt: string | null;
  /** The instant this row was computed for. */
  @Column('varchar', { length: 32 }) asOf: string;
  /**
   * The next instant after `asOf` at which the rules change the right by time alone, no event coming (a deadline); null
   * when none can (a final right). A settlement recomputes every row whose instant it has reached.
   */
  @Column('varchar', { length: 32, nullable: true }) changesAt: string | null;
  /** Position of WorkFiled: the list order and cursor. */
  @Index({ unique: true }) @Column('integer') leafIndex: number;
  @Column('integer') lastLeafIndex: number;
}
