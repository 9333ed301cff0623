import { SetMetadata } from '@nestjs/common';
import { ApiKeyRole } from '@app/contracts';

export type { ApiKeyRole };

export const ROLES_METADATA = 'gateway:roles';

/**
 * Restricts a route (or a whole controller) to keys with one of these roles. Routes without it
 * take any valid key; routes marked `@Public()` take none.
 */
export const Roles = (...roles: ApiKeyRole[]) => SetMetadata(ROLES_METADATA, roles);
