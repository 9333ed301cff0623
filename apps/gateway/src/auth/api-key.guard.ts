import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRole } from '@app/contracts';
import { Request, Response } from 'express';
import { ApiKeysService } from './api-keys.service';
import { Caller } from './caller';
import { isPublicRoute } from './public-route';
import { ROLES_METADATA } from './roles.decorator';

/** The key of an `Authorization: Bearer <key>` header (or of `auth.token` in a handshake). */
export function bearerKey(authorization: unknown): string | null {
  if (typeof authorization !== 'string' || authorization.length > 512) return null;
  return /^Bearer +([\x21-\x7e]+)$/i.exec(authorization)?.[1] ?? null;
}

/**
 * Every REST route needs a valid API key unless it is public: 401 without one (or with a
 * revoked one), 403 when the route asks for a role the key does not have. Sockets are
 * authenticated once, at the handshake (see WorkflowEventsGateway).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || isPublicRoute(this.reflector, context)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { caller?: Caller }>();
    const key = bearerKey(request.headers.authorization);
    if (!key)
      this.unauthorized(http.getResponse(), 'an API key is required: send Authorization: Bearer <key>');
    const caller = await this.keys.authenticate(key);
    if (!caller) this.unauthorized(http.getResponse(), 'the API key is invalid or has been revoked');
    request.caller = caller;
    const roles = this.reflector.getAllAndOverride<ApiKeyRole[] | undefined>(ROLES_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles && !roles.includes(caller.role)) {
      throw new ForbiddenException(`this route needs a key with the role ${roles.join(' or ')}`);
    }
    return true;
  }

  private unauthorized(response: Response, message: string): never {
    response.setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException(message);
  }
}
