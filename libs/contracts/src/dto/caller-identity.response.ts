import type { ApiKeyRole } from './create-api-key.request';

/** `GET /auth/me`: who the presented API key acts as; clients use it to sign in and to hide what they may not do. */
export class CallerIdentityResponse {
  /** The key's id (`bootstrap` for BOOTSTRAP_ADMIN_KEY). */
  keyId!: string;
  role!: ApiKeyRole;
  /** The tenant its workflows belong to; an admin key acts for every tenant. */
  tenantId!: string;
}
