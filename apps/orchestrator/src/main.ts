import 'reflect-metadata';
import { bootstrapApp } from '@app/observability';
import { OrchestratorModule } from './orchestrator.module';

void bootstrapApp(OrchestratorModule);
