import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '@app/persistence';
import { Response } from 'express';

/**
 * One error shape for every REST answer, `{ statusCode, error, message }`, and nothing internal
 * in it: an unexpected error becomes 500 "internal error", and only the log has the details.
 * 4xx exceptions (and the 503 of a failing readiness check) are the app's own words and pass.
 * PostgreSQL out of reach is a 503 that says so, as `/health` does, not a 500.
 */
export const DATABASE_UNAVAILABLE_MESSAGE =
  'PostgreSQL is unavailable (the logs, metrics and archived workflows live there); try again shortly';

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.describe(exception);
    if (response.headersSent) return;
    response.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; body: object } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status < 500 || status === HttpStatus.SERVICE_UNAVAILABLE) {
        const body = exception.getResponse();
        return { status, body: typeof body === 'object' ? body : errorBody(status, body) };
      }
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(
        `PostgreSQL unavailable: ${exception instanceof Error ? exception.message : String(exception)}`,
      );
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: errorBody(HttpStatus.SERVICE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE),
      };
    }
    this.logger.error(
      exception instanceof Error
        ? (exception.stack ?? exception.message)
        : `non-error thrown: ${String(exception)}`,
    );
    return { status: 500, body: errorBody(500, 'internal error') };
  }
}

function errorBody(status: number, message: string): { statusCode: number; error: string; message: string } {
  const error = (HttpStatus[status] ?? 'ERROR')
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
  return { statusCode: status, error, message };
}
