import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** What an API key may do: `admin` everything on every tenant, `client` its own tenant's workflows. */
export type ApiKeyRole = 'admin' | 'client';
export const API_KEY_ROLES: readonly ApiKeyRole[] = ['admin', 'client'];

/** Body of `POST /admin/keys`. */
export class CreateApiKeyRequest {
  /** The tenant the key acts for; its workflows are the only ones a client key sees. */
  @Matches(/^[a-z0-9][a-z0-9_-]{0,99}$/, {
    message: 'tenantId must be 1-100 lower-case letters, digits, _ or -, starting with a letter or digit',
  })
  tenantId!: string;

  @IsIn(API_KEY_ROLES, { message: 'role must be admin or client' })
  role!: ApiKeyRole;

  /** Who or what holds the key, for the people who will one day revoke it. */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

/** A key as `GET /admin/keys` lists it: never the secret. */
export class ApiKeySummary {
  /** 16 hex digits, the part of the key that finds it; `DELETE /admin/keys/:id` takes it. */
  id!: string;
  tenantId!: string;
  role!: ApiKeyRole;
  name!: string;
  /** ISO-8601 time the key was created. */
  createdAt!: string;
  /** ISO-8601 time the key was revoked; null while it is valid. */
  revokedAt!: string | null;
}

/** The answer to `POST /admin/keys`: the only time the key itself is shown. */
export class CreatedApiKey extends ApiKeySummary {
  /** `ao_<id>_<secret>`, for `Authorization: Bearer <key>` and Socket.IO's `auth: { token }`. */
  key!: string;
}
