import { DynamicModule, Global, Module } from '@nestjs/common';
import { EnvironmentConfig, loadEnvironmentConfig } from './environment.config';

/**
 * Provides the validated {@link EnvironmentConfig}. Apps call `forRoot` with their default port;
 * tests may pass a ready config.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(options: { defaultPort: number; config?: EnvironmentConfig }): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        {
          provide: EnvironmentConfig,
          // Validated when the app is created, so the bootstrap can report a bad variable cleanly.
          useFactory: () =>
            options.config ?? loadEnvironmentConfig(process.env, { PORT: options.defaultPort }),
        },
      ],
      exports: [EnvironmentConfig],
    };
  }
}
