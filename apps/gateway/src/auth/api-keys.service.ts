import { createHash, timingSafeEqual } from 'node:crypto';
import { NotFoundException } from '@nestjs/common';
import { ApiKeySummary, CreateApiKeyRequest, CreatedApiKey } from '@app/contracts';
import { ApiKeyEntity } from '@app/persistence';
import { Subject } from 'rxjs';
import { Repository } from 'typeorm';
import { apiKeyId, generateApiKey, matchesHash } from './api-key.token';
import { BOOTSTRAP_TENANT, Caller } from './caller';

/**
 * API keys in PostgreSQL (hashed), plus the bootstrap admin key from the environment. Every
 * request is checked against the table, so a revoked key stops working at once on every replica.
 */
export class ApiKeysService {
  /** Ids of keys as they are revoked, so live sockets holding them can be closed. */
  readonly revoked$ = new Subject<string>();
  private readonly bootstrapDigest: Buffer | null;

  constructor(
    private readonly keys: Repository<ApiKeyEntity>,
    bootstrapAdminKey?: string,
  ) {
    this.bootstrapDigest = bootstrapAdminKey ? digest(bootstrapAdminKey) : null;
  }

  /** The caller a presented key stands for, or null when it is unknown, malformed or revoked. */
  async authenticate(key: string): Promise<Caller | null> {
    if (this.bootstrapDigest && timingSafeEqual(digest(key), this.bootstrapDigest)) {
      return { keyId: 'bootstrap', tenantId: BOOTSTRAP_TENANT, role: 'admin' };
    }
    const id = apiKeyId(key);
    if (!id) return null;
    const row = await this.keys.findOneBy({ id });
    if (!row || row.revokedAt || !matchesHash(key, row.secretHash)) return null;
    return { keyId: row.id, tenantId: row.tenantId, role: row.role };
  }

  async create(request: CreateApiKeyRequest): Promise<CreatedApiKey> {
    const { id, key, secretHash } = generateApiKey();
    const row = await this.keys.save(
      this.keys.create({
        id,
        tenantId: request.tenantId,
        role: request.role,
        name: request.name,
        secretHash,
        createdAt: new Date(),
        revokedAt: null,
      }),
    );
    return { ...summary(row), key };
  }

  /** Newest first; one tenant's keys, or all. */
  async list(tenantId?: string): Promise<ApiKeySummary[]> {
    const rows = await this.keys.find({
      where: tenantId ? { tenantId } : {},
      order: { createdAt: 'DESC', id: 'ASC' },
    });
    return rows.map(summary);
  }

  /** Revokes a key (again is fine); 404 for a key that never existed. */
  async revoke(id: string): Promise<void> {
    const result = await this.keys
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ revokedAt: () => 'COALESCE("revoked_at", now())' })
      .where('id = :id', { id })
      .execute();
    if (result.affected === 0) throw new NotFoundException(`API key ${id} does not exist`);
    this.revoked$.next(id);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function summary(row: ApiKeyEntity): ApiKeySummary {
  return {
    id: row.id,
    tenantId: row.tenantId,
    role: row.role,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
