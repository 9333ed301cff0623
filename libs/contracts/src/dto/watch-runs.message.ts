import { IsOptional, Matches } from 'class-validator';

/** Payload of the Socket.IO `runs.watch` event. */
export class WatchRunsMessage {
  /** Only this tenant's runs (admins; a client key always watches its own tenant). */
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,99}$/, { message: 'tenantId must be a tenant id' })
  tenantId?: string;
}
