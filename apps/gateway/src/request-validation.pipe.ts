import { ArgumentMetadata, BadRequestException, HttpException, ValidationPipe } from '@nestjs/common';

/**
 * The global validation: DTOs, unknown fields forbidden, values transformed. class-transformer
 * throws a TypeError on some hostile shapes (an object whose `constructor` field is not a
 * function); such input is the client's fault, so it is a 400, not a 500.
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof HttpException) throw error;
      throw new BadRequestException(
        `${metadata.type} could not be read as ${metadata.metatype?.name ?? 'data'}`,
      );
    }
  }
}
