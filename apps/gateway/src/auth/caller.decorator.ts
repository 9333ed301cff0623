import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Caller } from './caller';

/** The caller the API key guard resolved for this request. */
export const CurrentCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Caller =>
    context.switchToHttp().getRequest<{ caller: Caller }>().caller,
);
