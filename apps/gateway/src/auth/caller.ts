import { ApiKeyRole } from '@app/contracts';

/** Who is calling: the key they presented, resolved. */
export interface Caller {
  /** The key's id (`bootstrap` for BOOTSTRAP_ADMIN_KEY). */
  keyId: string;
  tenantId: string;
  role: ApiKeyRole;
}

/** The tenant BOOTSTRAP_ADMIN_KEY acts for when it starts workflows. */
export const BOOTSTRAP_TENANT = 'default';

/** True when the caller may see and act on a resource of `tenantId`. */
export function canAccessTenant(caller: Caller, tenantId: string): boolean {
  return caller.role === 'admin' || caller.tenantId === tenantId;
}
