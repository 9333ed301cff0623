import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An API key of the gateway. Only the SHA-256 of the secret is kept: the key itself is shown
 * once, when it is created. `id` is the public part of the key, used to find the row.
 */
@Entity({ name: 'api_keys' })
@Index('api_keys_tenant', ['tenantId'])
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 100 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 10 })
  role!: 'admin' | 'client';

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'secret_hash', type: 'char', length: 64 })
  secretHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
