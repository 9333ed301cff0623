import './tracing';
import 'reflect-metadata';
import { OrchestratorConfig } from '@app/config';
import { bootstrapApp } from '@app/observability';
import { OrchestratorModule } from './orchestrator.module';

void bootstrapApp({ module: OrchestratorModule, schema: OrchestratorConfig });
