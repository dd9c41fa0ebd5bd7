// The principals read model: principals and their API keys, derived by PrincipalsProjection.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

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
  /** Refused from this instant on; null: no expiry. */
  @Column('varchar', { length: 32, nullable: true }) expiresAt: string | null;
}
