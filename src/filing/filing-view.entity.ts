// The filings read model: one row per filing, derived from its stream by FilingsProjection and LabelsProjection.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('filings')
export class FilingView {
  @PrimaryColumn('varchar', { length: 36 }) filingId: string;
  /** Not unique: a content withdrawn may be filed again (one live filing at a time, kept by the reservation stream). */
  @Index() @Column('varchar', { length: 64 }) contentHash: string;
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
  /** What the ledger found in the file of a filing by upload; null for a filing by JSON. */
  @Column('simple-json', { nullable: true }) file: object | null;
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
  /** Earlier, withdrawn filings of the same content; null when there were none. */
  @Column('simple-json', { nullable: true }) priorFilings: object[] | null;
  /** Notes on the human contribution added by amendments, oldest first. */
  @Column('simple-json', { nullable: true }) humanContributionNotes: string[] | null;
  /** The latest amendment; null when never amended. */
  @Column('varchar', { length: 32, nullable: true }) amendedAt: string | null;
}
