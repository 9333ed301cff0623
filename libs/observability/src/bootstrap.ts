import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigSchema, ConfigurationError, loadConfig, ServiceConfig } from '@app/config';
import { Logger } from 'nestjs-pino';
import { limitHeapGrowth } from './heap-growth';

export interface BootstrapOptions<Config extends ServiceConfig> {
  module: Type<unknown>;
  /** The app's configuration class, the one its module gives `ConfigModule.forRoot`. */
  schema: ConfigSchema<Config>;
  /** Runs with the validated configuration before the app is created (the metrics service migrates). */
  beforeStart?: (config: Config) => Promise<void>;
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts an app the same way everywhere: configuration validated first, the heap's growth limited
 * (limitHeapGrowth), buffered logs handed to pino, shutdown hooks on (so SIGTERM drains workers).
 * It never rejects: a wrong variable is printed as its one line per variable, any other start-up
 * error with its stack, and the process exits with 1.
 */
export async function bootstrapApp<Config extends ServiceConfig>(
  options: BootstrapOptions<Config>,
): Promise<INestApplication> {
  // Nest logs an error thrown while it creates the app (its ExceptionHandler line, with the stack)
  // before rethrowing it: that one is then named here in one line, not printed a second time.
  let creating = false;
  try {
    // Before Nest: a configuration error thrown inside Nest's injector is logged with its stack.
    const config = loadConfig(options.schema);
    limitHeapGrowth(config.HEAP_GROWTH_PERCENT);
    await options.beforeStart?.(config);
    creating = true;
    const app = await NestFactory.create(options.module, { bufferLogs: true, abortOnError: false });
    creating = false;
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    await options.configure?.(app);
    await app.listen(config.PORT, '0.0.0.0');
    app.get(Logger).log(`${options.module.name} listening on http://127.0.0.1:${config.PORT}`);
    return app;
  } catch (error) {
    return exitOnStartError(error, options.module.name, { loggedAbove: creating });
  }
}

/**
 * Prints why `what` could not start (a configuration error as it is, anything else with its stack,
 * or only its message when `loggedAbove` says its stack is printed already) and exits with 1.
 */
export function exitOnStartError(error: unknown, what: string, { loggedAbove = false } = {}): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    error instanceof ConfigurationError
      ? `${error.message}\n`
      : loggedAbove
        ? `${what} failed to start: ${message} (logged above)\n`
        : `${what} failed to start: ${error instanceof Error ? (error.stack ?? message) : message}\n`,
  );
  process.exit(1);
}
