import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigurationError, EnvironmentConfig } from '@app/config';
import { Logger } from 'nestjs-pino';

/**
 * Starts an app the same way everywhere: buffered logs handed to pino, shutdown hooks on (so
 * SIGTERM drains workers), and a configuration error printed as one clear message with exit 1.
 */
export async function bootstrapApp(
  module: Type<unknown>,
  configure?: (app: INestApplication) => void | Promise<void>,
): Promise<INestApplication> {
  try {
    const app = await NestFactory.create(module, { bufferLogs: true, abortOnError: false });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    await configure?.(app);
    const config = app.get(EnvironmentConfig);
    await app.listen(config.PORT, '0.0.0.0');
    app.get(Logger).log(`${module.name} listening on http://127.0.0.1:${config.PORT}`);
    return app;
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
