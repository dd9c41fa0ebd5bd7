// How far the projection runner has applied the log: advanced in the same transaction as the read-model rows.
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('projection_checkpoints')
export class ProjectionCheckpoint {
  @PrimaryColumn('varchar', { length: 64 }) name: string;
  /** Next log position (leafIndex) to apply. */
  @Column('integer') position: number;
}
