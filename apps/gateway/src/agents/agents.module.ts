import { Module } from '@nestjs/common';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { WorkersController } from './workers.controller';

@Module({ controllers: [AgentsController, WorkersController], providers: [AgentsService] })
export class AgentsModule {}
