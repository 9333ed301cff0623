import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CallerIdentityResponse } from '@app/contracts';
import { Caller } from './caller';
import { CurrentCaller } from './caller.decorator';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth')
export class IdentityController {
  /** Who the presented key acts as: its id, role and tenant (401 for a wrong or revoked key). */
  @Get('me')
  me(@CurrentCaller() caller: Caller): CallerIdentityResponse {
    return { keyId: caller.keyId, role: caller.role, tenantId: caller.tenantId };
  }
}
