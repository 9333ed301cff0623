import { HttpException, HttpStatus } from '@nestjs/common';
import { InputError } from '@app/contracts';
import { InvalidWorkflowInputException } from '../workflows/invalid-workflow-input.exception';

/** The codes an error ack or `error` event carries; stable, so clients can switch on them. */
export type SocketErrorCode =
  | 'INVALID_PAYLOAD'
  | 'INVALID_INPUT'
  | 'UNKNOWN_EVENT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL';

const CODES: Partial<Record<number, SocketErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'INVALID_PAYLOAD',
  [HttpStatus.UNAUTHORIZED]: 'UNAUTHORIZED',
  [HttpStatus.FORBIDDEN]: 'FORBIDDEN',
  [HttpStatus.NOT_FOUND]: 'NOT_FOUND',
  [HttpStatus.CONFLICT]: 'CONFLICT',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'INVALID_INPUT',
  [HttpStatus.TOO_MANY_REQUESTS]: 'RATE_LIMITED',
};

/**
 * What a client is told about an error thrown by a service: the words of a 4xx HTTP exception
 * (the same the REST API gives, the wrong fields of an input too), and nothing of anything else;
 * `isInternal` asks for a log line.
 */
export function socketErrorOf(error: unknown): {
  code: SocketErrorCode;
  message: string;
  errors?: InputError[];
  isInternal: boolean;
} {
  if (error instanceof InvalidWorkflowInputException) {
    return { code: 'INVALID_INPUT', message: error.message, errors: error.errors, isInternal: false };
  }
  if (error instanceof HttpException) {
    const code = CODES[error.getStatus()];
    if (code) return { code, message: error.message, isInternal: false };
  }
  return { code: 'INTERNAL', message: 'internal error', isInternal: true };
}
