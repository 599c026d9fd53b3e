import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';

export const APP_CONFIG = Symbol('APP_CONFIG');

// Global on purpose: infrastructure. The process's configuration (one value, given to AppModule.forRoot)
// is read by the infrastructure and a few domain modules; it carries no domain dependency.
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
