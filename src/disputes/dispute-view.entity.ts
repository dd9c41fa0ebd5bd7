// Reviewer queue read model: one row per dispute, derived from its stream and rebuilt by the projection runner.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('disputes')
export class DisputeView {
  @PrimaryColumn('varchar', { length: 36 }) disputeId: string;
  @Index() @Column('varchar', { length: 16 }) type: string;
  @Index() @Column('varchar', { length: 36 }) filingId: string;
  @Index() @Column('varchar', { length: 36 }) complainant: string;
  @Index() @Column('varchar', { length: 36 }) respondent: string;
  @Column('varchar', { length: 36, nullable: true }) basisFilingId: string | null;
  @Column('text') claim: string;
  @Column('simple-json') evidence: object[];
  /** Stored lifecycle: opened, assigned, decided, appealed, final, returned, withdrawn; `decided` reads as final after `appealUntil`. */
  @Index() @Column('varchar', { length: 16 }) status: string;
  @Index() @Column('varchar', { length: 36, nullable: true }) assignee: string | null;
  @Column('simple-json') policy: object;
  @Column('varchar', { length: 32 }) openedAt: string;
  @Column('varchar', { length: 32 }) responseDueAt: string;
  @Column('varchar', { length: 32 }) decisionDueAt: string;
  /** Due time of the decision the dispute now waits for (first decision or appeal decision); null when none is pending. */
  @Index() @Column('varchar', { length: 32, nullable: true }) reviewDueAt: string | null;
  @Index() @Column('varchar', { length: 32, nullable: true }) appealUntil: string | null;
  /** Outcome and remedy in force: the appeal decision's if there is one, else the first decision's. */
  @Column('varchar', { length: 16, nullable: true }) outcome: string | null;
  @Column('varchar', { length: 16, nullable: true }) remedy: string | null;
  @Column('simple-json', { nullable: true }) returned: object | null;
  @Column('simple-json', { nullable: true }) response: object | null;
  @Column('simple-json', { nullable: true }) decision: object | null;
  /** The first appeal, kept as it was before either party could appeal. */
  @Column('simple-json', { nullable: true }) appeal: object | null;
  /** Every appeal, in order (one per party at most); null on rows projected before there could be two. */
  @Column('simple-json', { nullable: true }) appeals: object[] | null;
  @Column('simple-json', { nullable: true }) appealDecision: object | null;
  @Column('simple-json', { nullable: true }) withdrawal: object | null;
  /** Position of ComplaintFiled: the list order and cursor. */
  @Index({ unique: true }) @Column('integer') leafIndex: number;
  @Column('varchar', { length: 64 }) eventHash: string;
  /** Position of the stream's latest event. */
  @Column('integer') lastLeafIndex: number;
  @Column('varchar', { length: 32 }) updatedAt: string;
}
