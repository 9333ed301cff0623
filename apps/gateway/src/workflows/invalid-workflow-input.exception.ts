import { HttpStatus, UnprocessableEntityException } from '@nestjs/common';
import { InputError } from '@app/contracts';

/**
 * 422: the request was well formed, but its `input` is not what the workflow type accepts. The
 * body is the usual `{ statusCode, error, message }` plus `errors`, every wrong field.
 */
export class InvalidWorkflowInputException extends UnprocessableEntityException {
  constructor(readonly errors: InputError[]) {
    super({
      statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
      error: 'Unprocessable Entity',
      message: 'input is invalid',
      errors,
    });
  }
}
