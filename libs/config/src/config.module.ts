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
    const config = options.config ?? loadEnvironmentConfig(process.env, { PORT: options.defaultPort });
    return {
      module: ConfigModule,
      providers: [{ provide: EnvironmentConfig, useValue: config }],
      exports: [EnvironmentConfig],
    };
  }
}
