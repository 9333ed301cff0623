import { HttpStatus, UnprocessableEntityException } from '@nestjs/common';

/**
 * 422: the request is well formed, but its `url` may not be called (not http(s), credentials in
 * it, a host that does not resolve or reaches a private address). The body is the usual
 * `{ statusCode, error, message }` plus `errors`, as for a workflow's invalid input.
 */
export class InvalidHttpAgentUrlException extends UnprocessableEntityException {
  constructor(message: string) {
    super({
      statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
      error: 'Unprocessable Entity',
      message,
      errors: [{ path: '/url', message }],
    });
  }
}
