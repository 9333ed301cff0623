import { HttpException, HttpStatus } from '@nestjs/common';

/** The codes an error ack or `error` event carries; stable, so clients can switch on them. */
export type SocketErrorCode =
  | 'INVALID_PAYLOAD'
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
  [HttpStatus.TOO_MANY_REQUESTS]: 'RATE_LIMITED',
};

/**
 * What a client is told about an error thrown by a service: the words of a 4xx HTTP exception
 * (the same the REST API gives), and nothing of anything else; `isInternal` asks for a log line.
 */
export function socketErrorOf(error: unknown): {
  code: SocketErrorCode;
  message: string;
  isInternal: boolean;
} {
  if (error instanceof HttpException) {
    const code = CODES[error.getStatus()];
    if (code) return { code, message: error.message, isInternal: false };
  }
  return { code: 'INTERNAL', message: 'internal error', isInternal: true };
}
