import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigSchema, loadConfig } from './load-config';
import { ServiceConfig } from './service.config';

/**
 * Provides the app's validated configuration: under its own class (`GatewayConfig`...) for the
 * app's code, and under each class it extends (`ServiceConfig`, `PostgresServiceConfig`) for the
 * libraries, which read only the shared variables.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(options: { schema: ConfigSchema<ServiceConfig> }): DynamicModule {
    const tokens = lineage(options.schema);
    return {
      module: ConfigModule,
      providers: [
        { provide: options.schema, useFactory: () => loadConfig(options.schema) },
        ...tokens.slice(1).map((token) => ({ provide: token, useExisting: options.schema })),
      ],
      exports: tokens,
    };
  }
}

/** `schema` and the classes it extends, down to (and with) the first that extends nothing. */
function lineage(schema: ConfigSchema): ConfigSchema[] {
  const classes: ConfigSchema[] = [];
  for (
    let current = schema;
    current !== Function.prototype;
    current = Object.getPrototypeOf(current) as ConfigSchema
  ) {
    classes.push(current);
  }
  return classes;
}
