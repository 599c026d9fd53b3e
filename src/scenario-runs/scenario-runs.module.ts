import { DynamicModule, Module } from '@nestjs/common';
import type { StartOwnApp } from '../scenarios/scenario-app.js';
import { ScenariosController } from './scenarios.controller.js';
import { START_OWN_APP, ScenariosService } from './scenarios.service.js';

/**
 * POST /v1/scenarios: the application serving the scenario engine (src/scenarios), which plays
 * the scenario as a client of an application of its own. How to start that application comes
 * from outside (src/bootstrap builds applications; this module is one of their parts).
 */
@Module({})
export class ScenarioRunsModule {
  static forRoot(startOwnApp: StartOwnApp): DynamicModule {
    return {
      module: ScenarioRunsModule,
      controllers: [ScenariosController],
      providers: [ScenariosService, { provide: START_OWN_APP, useValue: startOwnApp }],
    };
  }
}
