import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

/** What body-parser attaches to the errors it raises. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    error instanceof Error &&
    typeof (error as Partial<BodyParserError>).type === 'string' &&
    typeof (error as Partial<BodyParserError>).status === 'number'
  );
}

/** The HTTP answer to an unreadable body, or undefined when `error` is not body-parser's. */
export function bodyParserException(error: unknown, limitBytes: number): HttpException | undefined {
  if (!isBodyParserError(error) || error.status < 400 || error.status >= 500) return undefined;
  switch (error.type) {
    case 'entity.parse.failed':
      return new BadRequestException(`malformed JSON body: ${error.message}`);
    case 'entity.too.large':
      return new PayloadTooLargeException(`request body is larger than the limit of ${limitBytes} bytes`);
    default:
      return new HttpException(`unreadable request body (${error.type})`, error.status);
  }
}

/** Express error middleware, placed after the body parsers, that words their errors for clients. */
export function bodyParserErrors(limitBytes: number) {
  return (error: unknown, _request: Request, _response: Response, next: NextFunction): void => {
    next(bodyParserException(error, limitBytes) ?? error);
  };
}
