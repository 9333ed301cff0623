import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CreateApiKeyRequest } from '@app/contracts';
import { ApiKeysService } from './api-keys.service';
import { ApiErrors } from '../docs/route-docs.decorators';
import { Roles } from './roles.decorator';

const keyId = {
  transform(value: string): string {
    if (!/^[0-9a-f]{16}$/.test(value)) throw new BadRequestException('key id must be 16 hex digits');
    return value;
  },
};

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** API keys, newest first, never their secrets. */
  @Get()
  @ApiQuery({ name: 'tenantId', required: false, description: 'only this tenant’s keys' })
  list(@Query('tenantId') tenantId?: string) {
    return this.keys.list(typeof tenantId === 'string' ? tenantId : undefined);
  }

  /** The answer holds the key itself: it is never shown again. */
  @Post()
  @HttpCode(HttpStatus.CREATED)
  create(@Body() request: CreateApiKeyRequest) {
    return this.keys.create(request);
  }

  /** Revokes a key (again is fine); the sockets holding it are disconnected on every replica. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiErrors({ 404: 'No such key.' })
  revoke(@Param('id', keyId) id: string) {
    return this.keys.revoke(id);
  }
}
