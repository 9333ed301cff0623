import { ApiProperty } from '@nestjs/swagger';
import { InputError } from '@app/contracts';

/**
 * The body of every REST error (ApiExceptionFilter): Nest's `{ statusCode, error, message }`.
 * Documentation only: the filter and Nest's exceptions produce it.
 */
export class ApiErrorResponse {
  /** The HTTP status again. */
  statusCode!: number;
  /** The status in words, e.g. `Not Found`. */
  error!: string;
  /** What went wrong, for a person; the request validation gives one line per broken rule. */
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'workflow 1b4e28ba-2fa1-4d2b-9d2b-0c5b5e7c0a11 does not exist',
  })
  message!: string | string[];
}

/** The 422 of a workflow whose input its type's JSON Schema refuses (InvalidWorkflowInputException). */
export class InvalidInputResponse extends ApiErrorResponse {
  /** Every wrong field of the input. */
  errors!: InputError[];
}
