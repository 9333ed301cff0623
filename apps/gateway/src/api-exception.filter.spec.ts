import { ArgumentsHost, BadRequestException, Logger, ServiceUnavailableException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ApiExceptionFilter, DATABASE_UNAVAILABLE_MESSAGE } from './api-exception.filter';
import { bodyParserException } from './body-parser-errors';

function answer(exception: unknown): { status: number; body: unknown } {
  const sent: { status: number; body: unknown } = { status: 0, body: undefined };
  const response = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new ApiExceptionFilter().catch(exception, host);
  return sent;
}

describe('ApiExceptionFilter', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('passes a 4xx exception through in the standard shape', () => {
    expect(answer(new BadRequestException('type must be a string'))).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'type must be a string' },
    });
  });

  it('hides an unexpected error behind 500 "internal error", and logs it', () => {
    const error = new Error('connection to 10.0.0.5:5432 refused');
    const sent = answer(error);
    expect(sent).toEqual({
      status: 500,
      body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' },
    });
    expect(JSON.stringify(sent.body)).not.toContain('10.0.0.5');
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringContaining('10.0.0.5'));
  });

  it('answers 503 naming PostgreSQL when it cannot be reached, and warns rather than logs an error', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    for (const error of [refused, new QueryFailedError('SELECT 1', [], new Error('Connection terminated'))]) {
      expect(answer(error)).toEqual({
        status: 503,
        body: { statusCode: 503, error: 'Service Unavailable', message: DATABASE_UNAVAILABLE_MESSAGE },
      });
    }
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('ECONNREFUSED'));
    expect(Logger.prototype.error).not.toHaveBeenCalled();
  });

  it('keeps the details of a failing readiness check (503)', () => {
    const body = { status: 'error', error: { redis: { status: 'down' } } };
    expect(answer(new ServiceUnavailableException(body))).toEqual({ status: 503, body });
  });

  it('words body-parser errors: malformed JSON 400, too large 413', () => {
    const malformed = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
      type: 'entity.parse.failed',
      status: 400,
    });
    expect(answer(bodyParserException(malformed, 1024))).toMatchObject({
      status: 400,
      body: { message: 'malformed JSON body: Unexpected end of JSON input' },
    });
    const large = Object.assign(new Error('request entity too large'), {
      type: 'entity.too.large',
      status: 413,
    });
    expect(answer(bodyParserException(large, 1024))).toMatchObject({
      status: 413,
      body: { message: 'request body is larger than the limit of 1024 bytes' },
    });
    expect(bodyParserException(new Error('other'), 1024)).toBeUndefined();
  });
});
