// Registered distribution copies (CopyRegistered), one row each: the public lookup answers for a copy's hash too.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('copies')
export class CopyView {
  /** The CopyRegistered event's leaf: a copy's bytes could in principle name two filings, so the hash is no key. */
  @PrimaryColumn('integer') leafIndex: number;
  @Index() @Column('varchar', { length: 64 }) sha256: string;
  @Index() @Column('varchar', { length: 36 }) filingId: string;
  @Column('varchar', { length: 32 }) registeredAt: string;
  @Column('varchar', { length: 64 }) eventHash: string;
  @Column('simple-json') perceptualHash: object;
  /** Bits between the copy's perceptual hash and the filing's computed one. */
  @Column('integer') distance: number;
}
